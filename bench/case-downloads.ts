// Case download states at scale: the state of a page of cases (not downloaded / partially /
// downloaded) and one case's per-file counts and history, read from the audit log, with the
// audit log grown large by downloads and by every other kind of entry.
//
//   npx tsx bench/case-downloads.ts [--cases=10000] [--files=3] [--noise=500000] [--runs=30]
//
// A fresh PostgreSQL database (TEST_DATABASE_URL's server) is created, filled with generate_series,
// measured, and dropped. Each case has `files` files; about two thirds of the files were
// downloaded by the client (1–3 times each), and a staff download is logged for every file.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import pg from 'pg';
import { caseDownloadStates, caseFileDownloads } from '../db/case-record.js';
import { migrateToLatest, openDatabase } from '../db/connect.js';
import { loadServicesEnv } from '../tests/helpers/services-env.js';

function option(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  const value = Number(arg?.split('=')[1] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

function stats(samples: number[]): { p50: number; p95: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
  return { p50: at(50), p95: at(95), max: sorted[sorted.length - 1]! };
}

const ms = (n: number) => `${n.toFixed(1)} ms`;

async function main(): Promise<void> {
  loadServicesEnv();
  const cases = option('cases', 10_000);
  const filesPerCase = option('files', 3);
  const noise = option('noise', 500_000);
  const runs = option('runs', 30);
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set (bash scripts/provision.sh)');
  const dbName = `guichet_bench_dl_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  const database = await openDatabase({ url: url.toString() });
  try {
    const db = database.db;
    await migrateToLatest(db);
    const fill = performance.now();
    const space = await db
      .insertInto('spaces')
      .values({ slug: 'bench', name: 'Bench' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const client = await db
      .insertInto('accounts')
      .values({ kind: 'client', email: 'bench@example.test', full_name: 'Client Bench' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const staff = await db
      .insertInto('accounts')
      .values({ kind: 'staff', email: 'staff@example.test', full_name: 'Staff Bench', staff_role: 'agent' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const template = await db.selectFrom('document_templates').select('id').executeTakeFirstOrThrow();
    await sql`insert into cases (space_id, template_id, client_account_id, number, title, facts)
      select ${space.id}, ${template.id}, ${client.id}, 'BENCH-' || g, 'Dossier ' || g, '{}'::jsonb from generate_series(1, ${cases}) g`.execute(
      db,
    );
    await sql`insert into case_files (case_id, file_name, content_type, size_bytes, sha256, storage_key)
      select c.id, 'rapport-' || f || '.pdf', 'application/pdf', 100000, md5(c.id::text || f), 'bench/' || c.id || '/' || f
      from cases c cross join generate_series(1, ${filesPerCase}) f`.execute(db);
    // Client downloads: two files in three, 1 to 3 times; one staff download per file.
    await sql`insert into audit_log (actor_account_id, actor_kind, action, subject_type, subject_id, ip, details)
      select ${client.id}, 'client', 'attachment.download', 'case_file', f.id::text, '203.0.113.7', jsonb_build_object('caseId', f.case_id, 'variant', 'original')
      from case_files f cross join generate_series(1, 3) n
      where abs(hashtext(f.id::text)) % 3 <> 0 and n <= 1 + abs(hashtext(f.id::text || 'n')) % 3`.execute(db);
    await sql`insert into audit_log (actor_account_id, actor_kind, action, subject_type, subject_id, ip, details)
      select ${staff.id}, 'staff', 'attachment.download', 'case_file', f.id::text, '198.51.100.2', '{}'::jsonb from case_files f`.execute(
      db,
    );
    // Everything else an audit log holds (deposits, logins, settings…).
    await sql`insert into audit_log (actor_account_id, actor_kind, action, subject_type, subject_id, ip, details)
      select ${client.id}, 'client', (array['document.deposit', 'login', 'attachment.download', 'case.payment'])[1 + g % 4],
        (array['document', 'account', 'attachment', 'case'])[1 + g % 4], md5(g::text), '203.0.113.9', '{}'::jsonb
      from generate_series(1, ${noise}) g`.execute(db);
    await sql`analyze`.execute(db);
    const fillMs = performance.now() - fill;
    const auditRows = (
      await db
        .selectFrom('audit_log')
        .select(sql<number>`count(*)::int`.as('n'))
        .executeTakeFirstOrThrow()
    ).n;

    const ids = (await db.selectFrom('cases').select('id').orderBy('number').execute()).map((r) => r.id);
    const pageOf = (size: number, i: number) =>
      ids.slice((i * size) % (ids.length - size), ((i * size) % (ids.length - size)) + size);
    const measure = async (label: string, call: (i: number) => Promise<unknown>) => {
      await call(0);
      const samples: number[] = [];
      for (let i = 1; i <= runs; i++) {
        const t = performance.now();
        await call(i);
        samples.push(performance.now() - t);
      }
      const s = stats(samples);
      return `| ${label} | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(s.max)} |`;
    };
    const rows = [
      await measure('caseDownloadStates, 25 cases (a default page)', (i) => caseDownloadStates(db, pageOf(25, i))),
      await measure('caseDownloadStates, 350 cases (the largest page)', (i) => caseDownloadStates(db, pageOf(350, i))),
      await measure(`caseFileDownloads, one case (${filesPerCase} files, counts + history)`, async (i) => {
        const files = await db
          .selectFrom('case_files')
          .select('id')
          .where('case_id', '=', ids[(i * 7919) % ids.length]!)
          .execute();
        return caseFileDownloads(
          db,
          files.map((f) => f.id),
        );
      }),
    ];
    const states = await caseDownloadStates(db, ids.slice(0, 1000));
    const tally = new Map<string, number>();
    for (const s of states.values()) tally.set(s, (tally.get(s) ?? 0) + 1);
    process.stdout.write(
      [
        `bench/case-downloads: ${cases} cases × ${filesPerCase} files, ${auditRows} audit rows (filled in ${(fillMs / 1000).toFixed(1)} s), ${runs} runs each`,
        `command: npx tsx bench/case-downloads.ts --cases=${cases} --files=${filesPerCase} --noise=${noise} --runs=${runs}`,
        '',
        '| query | p50 | p95 | max |',
        '|---|---|---|---|',
        ...rows,
        '',
        `states of the first 1,000 cases: ${[...tally].map(([k, v]) => `${k} ${v}`).join(', ')}`,
        '',
      ].join('\n'),
    );
  } finally {
    await database.close();
    await admin.query(`drop database if exists ${dbName}`);
    await admin.end();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
