// How long rendering staff notes takes (app/staff-note-rendering.ts): the 50 notes of the unit
// corpus rendered again and again, per formatting, and one long note (200 paragraphs). A thread
// page renders every staff note it shows on each request, so this is per-page server time.
// Run: npx tsx bench/staff-note-rendering.ts
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { renderStaffNote, type RedmineTextFormatting } from '../app/staff-note-rendering.js';
import { attachments } from '../tests/unit/app/staff-note-corpus-attachments.js';

const corpus = JSON.parse(
  readFileSync(new URL('../tests/unit/app/staff-note-corpus.json', import.meta.url), 'utf8'),
) as Array<{ source: string }>;

function measure(label: string, sources: string[], formatting: RedmineTextFormatting, rounds: number): void {
  for (const s of sources) renderStaffNote(s, { formatting, attachments }); // warm-up
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const s of sources) {
      const t0 = performance.now();
      renderStaffNote(s, { formatting, attachments });
      times.push(performance.now() - t0);
    }
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(3);
  console.log(`${label.padEnd(34)} notes=${times.length} p50=${at(0.5)} ms p95=${at(0.95)} ms max=${at(1)} ms`);
}

const sources = corpus.map((n) => n.source);
for (const formatting of ['textile', 'common_mark', 'none'] as const)
  measure(`corpus, ${formatting}`, sources, formatting, 20);
const long = Array.from(
  { length: 200 },
  (_, i) => `Paragraphe ${i} avec *du gras*, "un lien":https://example.fr/${i}.`,
).join('\n\n');
measure('one note of 200 paragraphs, textile', [long], 'textile', 20);
