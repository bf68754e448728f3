// How a Vilogi run shares its concurrency: VILOGI_IMPORT_CONCURRENCY split among the pages that
// run side by side, and a page's requests handled at most that many at once, results in order.
import { describe, expect, it } from 'vitest';
import { concurrencyOf, mapLimit, type VilogiSettings } from '../../../activities/vilogi/deps.js';

const settings = (importConcurrency?: number) => ({ importConcurrency }) as unknown as VilogiSettings;

describe('Vilogi run concurrency', () => {
  it('splits the configured concurrency among the pages side by side, one at least', () => {
    expect(concurrencyOf(settings(8), 2)).toBe(4);
    expect(concurrencyOf(settings(5), 2)).toBe(3);
    expect(concurrencyOf(settings(1), 2)).toBe(1);
    expect(concurrencyOf(settings(8))).toBe(8);
    expect(concurrencyOf(settings(undefined), 2)).toBe(1);
  });

  it('handles at most `limit` items at once and keeps their order in the results', async () => {
    let running = 0;
    let most = 0;
    const done: number[] = [];
    const items = Array.from({ length: 23 }, (_, i) => i);
    const results = await mapLimit(
      items,
      4,
      async (i) => {
        running++;
        most = Math.max(most, running);
        // Later items finish first: the results must still follow the items.
        await new Promise((r) => setTimeout(r, (23 - i) % 5));
        running--;
        return i * 10;
      },
      (n) => done.push(n),
    );
    expect(results).toEqual(items.map((i) => i * 10));
    expect(most).toBe(4);
    expect(done).toEqual(items.map((i) => i + 1));
    expect(await mapLimit([], 4, async () => 1)).toEqual([]);
  });
});
