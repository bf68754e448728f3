// The production image installs `dependencies` only (`npm ci --omit=dev`): no module that the
// compiled processes load may import a devDependency (tsx, vitest, playwright…). Type-only
// imports are erased by the compiler and do not count; the inspection thread's tsx import is
// the sources' fallback, never taken from dist/ (see app/inspection/worker.mjs).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const RUNTIME = [
  'guichet.ts',
  'http-server.ts',
  'worker.ts',
  'config.ts',
  'runtime',
  'server',
  'app',
  'activities',
  'workflows',
  'temporal',
  'db',
  'domain',
  'connectors',
  'i18n',
];
/** Imports a runtime file makes only when it runs from the sources (never from dist/). */
const SOURCES_ONLY = new Set(['app/inspection/worker.mjs:tsx']);

function files(entry: string): string[] {
  const full = path.join(ROOT, entry);
  if (statSync(full).isFile()) return [entry];
  if (entry === path.join('server', 'static')) return []; // the browser's scripts
  return readdirSync(full).flatMap((name) => files(path.join(entry, name)));
}

/** The packages a module loads at run time (not `import type`), by package name. */
function runtimePackages(source: string): string[] {
  const found: string[] = [];
  const statement = /^\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?'([^']+)'/gms;
  for (const m of source.matchAll(statement)) if (!m[1]) found.push(m[2]!);
  for (const m of source.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) found.push(m[1]!);
  return found
    .filter((s) => !s.startsWith('.') && !s.startsWith('node:') && !builtinModules.includes(s))
    .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!));
}

describe('the runtime code', () => {
  it('imports only production dependencies', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const offending: string[] = [];
    let scanned = 0;
    for (const file of RUNTIME.flatMap(files).filter((f) => /\.(ts|mjs|js)$/.test(f))) {
      scanned++;
      for (const name of runtimePackages(readFileSync(path.join(ROOT, file), 'utf8'))) {
        if (!(name in pkg.dependencies) && !SOURCES_ONLY.has(`${file}:${name}`)) offending.push(`${file}: ${name}`);
      }
    }
    expect(scanned).toBeGreaterThan(100);
    expect(offending).toEqual([]);
  });

  it('reads type-only imports as erased and the others as loaded', () => {
    const source =
      "import type { A } from 'vitest';\nimport {\n  type B,\n  c,\n} from 'pino';\nexport { d } from 'zod';\nconst e = await import('kysely');";
    expect(runtimePackages(source)).toEqual(['pino', 'zod', 'kysely']);
  });
});
