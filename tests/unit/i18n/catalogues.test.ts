// The catalogues: French and English give the same keys at every depth, no text is empty, and every
// message written as a function returns a non-empty text for sample arguments in both languages.
import { describe, expect, it } from 'vitest';
import { LOCALES, messages, type Locale } from '../../../i18n/index.js';

type Leaf = { path: string; value: unknown };

/** Every leaf of a catalogue (a text, a function or something else), with its dotted path. */
function leaves(value: unknown, path = ''): Leaf[] {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([key, child]) => leaves(child, path ? `${path}.${key}` : key));
  }
  return [{ path, value }];
}

/** Key paths at every depth, objects included, so that an empty section in one language shows. */
function keyPaths(value: unknown, path = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const childPath = path ? `${path}.${key}` : key;
    return [childPath, ...keyPaths(child, childPath)];
  });
}

/**
 * Sample arguments, tried one set after the other: the catalogue's functions take numbers, names,
 * lists of names, a name or nothing (null), or an alert kind. JavaScript lets a set of one kind stand
 * for parameters of several kinds, so each function works with at least one set.
 */
const SAMPLE_SETS: { label: string; arg: (index: number) => unknown }[] = [
  { label: 'one', arg: () => 1 },
  { label: 'numbers', arg: (i) => 3 + i },
  { label: 'names', arg: (i) => `Nom ${i + 1}` },
  { label: 'lists', arg: (i) => [`fichier-${i + 1}.pdf`, `autre-${i + 1}.pdf`] },
  { label: 'null', arg: () => null },
  { label: 'reminder', arg: () => 'reminder' },
  { label: 'pre-breach', arg: () => 'pre-breach' },
  { label: 'breach', arg: () => 'breach' },
];

const THROWS = Symbol('throws');

/** What a function message gives for each sample set: its result, or THROWS. */
function samples(fn: (...args: unknown[]) => unknown): Record<string, unknown> {
  const results: Record<string, unknown> = {};
  for (const set of SAMPLE_SETS) {
    const args = Array.from({ length: fn.length }, (_, i) => set.arg(i));
    try {
      results[set.label] = fn(...args);
    } catch {
      results[set.label] = THROWS;
    }
  }
  return results;
}

const catalogues = Object.fromEntries(LOCALES.map((locale) => [locale, messages(locale)])) as Record<Locale, unknown>;

describe('catalogues', () => {
  it('are French and English', () => {
    expect(LOCALES).toEqual(['fr', 'en']);
  });

  it('give the same keys at every depth in French and English', () => {
    expect(keyPaths(catalogues.en).sort()).toEqual(keyPaths(catalogues.fr).sort());
    expect(keyPaths(catalogues.fr).length).toBeGreaterThan(500);
  });

  it('give the same kind of message at each key (text or function, with the same number of parameters)', () => {
    const shape = (locale: Locale) =>
      leaves(catalogues[locale])
        .map(({ path, value }) => ({
          path,
          kind: typeof value === 'function' ? `function/${(value as () => unknown).length}` : typeof value,
        }))
        .sort((a, b) => a.path.localeCompare(b.path));
    expect(shape('en')).toEqual(shape('fr'));
    expect(shape('fr').filter(({ kind }) => !/^(string|function\/\d+)$/.test(kind))).toEqual([]);
  });

  for (const locale of LOCALES) {
    it(`have no empty text (${locale})`, () => {
      const empty = leaves(catalogues[locale])
        .filter(({ value }) => typeof value === 'string' && value.trim() === '')
        .map(({ path }) => path);
      expect(empty).toEqual([]);
    });

    it(`return a non-empty text from every function for sample arguments (${locale})`, () => {
      const functions = leaves(catalogues[locale]).filter(({ value }) => typeof value === 'function');
      expect(functions.length).toBeGreaterThan(100);
      for (const { path, value } of functions) {
        // A sample set of the wrong kind may throw or give back its argument (`name ?? …`): only texts count.
        const texts = Object.entries(samples(value as (...args: unknown[]) => unknown)).filter(
          (entry): entry is [string, string] => typeof entry[1] === 'string',
        );
        expect(texts.length, `${path} gives a text for no sample arguments`).toBeGreaterThan(0);
        for (const [label, text] of texts) {
          expect(text.trim(), `${path} (${label})`).not.toBe('');
          expect(text, `${path} (${label})`).not.toMatch(/undefined|\[object /);
        }
      }
    });
  }

  it('take the same sample arguments in French and English', () => {
    const accepted = (locale: Locale) =>
      Object.fromEntries(
        leaves(catalogues[locale])
          .filter(({ value }) => typeof value === 'function')
          .map(({ path, value }) => {
            const results = samples(value as (...args: unknown[]) => unknown);
            return [path, Object.keys(results).filter((label) => results[label] !== THROWS)];
          }),
      );
    expect(accepted('en')).toEqual(accepted('fr'));
  });
});
