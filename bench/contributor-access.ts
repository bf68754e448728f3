// Cost of the one access check every client-space case route now makes (db/contributors.ts):
// caseAccessFor, then what the route reads through it (the page's visible categories and
// documents, or one file for a download), for the main client and for a contributor, against the
// ownership check it replaced (findCase + caseProgress). One case of the rental template with
// --members active guarantors and --documents deposited files, on a fresh PostgreSQL database.
//
//   npx tsx bench/contributor-access.ts [--members=20] [--documents=400] [--iterations=1000]
//
// Sequential calls on one connection pool (the latency a request pays, not a throughput test).
// The database is dropped at the end. See bench/README.md for the numbers last measured.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { findOrCreateClient } from '../db/accounts.js';
import { migrateToLatest, openDatabase, type Db } from '../db/connect.js';
import { addCaseMember, caseAccessFor, visibleDocument, visibleProgress, type CaseAccess } from '../db/contributors.js';
import {
  caseProgress,
  createCase,
  findCase,
  findTemplateBySlug,
  insertDocuments,
  templateCategories,
} from '../db/documents.js';
import { loadServicesEnv, required } from '../tests/helpers/services-env.js';

function option(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  const value = arg ? Number(arg.split('=')[1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

async function time(label: string, iterations: number, run: () => Promise<unknown>): Promise<string> {
  for (let i = 0; i < Math.min(50, iterations); i++) await run();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!.toFixed(2);
  const mean = (samples.reduce((s, x) => s + x, 0) / samples.length).toFixed(2);
  return `| ${label} | ${mean} | ${at(0.5)} | ${at(0.95)} | ${at(0.99)} |`;
}

async function seed(db: Db, members: number, documents: number) {
  const space = await db
    .insertInto('spaces')
    .values({ slug: `bench-${randomBytes(3).toString('hex')}`, name: 'Bench' })
    .returningAll()
    .executeTakeFirstOrThrow();
  const template = (await findTemplateBySlug(db, 'demande-location'))!;
  const owner = await findOrCreateClient(db, 'owner@bench.test', 'Owner');
  const kase = await createCase(db, {
    spaceId: space.id,
    templateId: template.id,
    clientAccountId: owner.id,
    number: 'BENCH-1',
    title: 'Bench',
  });
  const people = [owner];
  for (let i = 0; i < members; i++) {
    const account = await findOrCreateClient(db, `garant${i}@bench.test`, `Garant ${i}`);
    const m = await addCaseMember(db, {
      caseId: kase.id,
      accountId: account.id,
      kind: 'contributor',
      role: 'garant',
      invitedBy: owner.id,
    });
    await db.updateTable('case_members').set({ status: 'active' }).where('id', '=', m.id).execute();
    people.push(account);
  }
  const categories = await templateCategories(db, template.id);
  const rows = Array.from({ length: documents }, (_, i) => ({
    caseId: kase.id,
    categoryId: categories[i % categories.length]!.id,
    fileName: `doc-${i}.pdf`,
    contentType: 'application/pdf',
    sizeBytes: 1000,
    sha256: 'x'.repeat(64),
    storageKey: `bench/${i}`,
    pageCount: 1,
    source: 'upload' as const,
    depositedBy: people[i % people.length]!.id,
  }));
  const docs = await insertDocuments(db, rows);
  const contributor = people[1]!;
  const theirs = docs.find((d) => d.deposited_by === contributor.id)!;
  return { kase, owner, contributor, theirs };
}

async function main(): Promise<void> {
  loadServicesEnv();
  const members = option('members', 20);
  const documents = option('documents', 400);
  const iterations = option('iterations', 1000);
  const adminUrl = required('TEST_DATABASE_URL', 'a PostgreSQL server (postgres://user:pass@host:port/postgres)');
  const name = `guichet_bench_access_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const version = (await admin.query<{ server_version: string }>('show server_version')).rows[0]?.server_version ?? '?';
  await admin.query(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString() });
  try {
    await migrateToLatest(database.db);
    const db = database.db;
    const { kase, owner, contributor, theirs } = await seed(db, members, documents);
    const access = async (accountId: string): Promise<CaseAccess> => (await caseAccessFor(db, accountId, kase.id))!;
    const lines = [
      `PostgreSQL ${version} on 127.0.0.1; one case, ${members} active guarantors, ${documents} documents; ${iterations} sequential calls each (ms)`,
      '',
      '| check | mean | p50 | p95 | p99 |',
      '|---|---|---|---|---|',
      await time('before: findCase + caseProgress (owner page)', iterations, async () =>
        caseProgress(db, (await findCase(db, kase.id))!),
      ),
      await time('caseAccessFor, owner', iterations, () => caseAccessFor(db, owner.id, kase.id)),
      await time('caseAccessFor, contributor', iterations, () => caseAccessFor(db, contributor.id, kase.id)),
      await time('page: access + visibleProgress, owner', iterations, async () =>
        visibleProgress(db, await access(owner.id)),
      ),
      await time('page: access + visibleProgress, contributor', iterations, async () =>
        visibleProgress(db, await access(contributor.id)),
      ),
      await time('download check: access + visibleDocument, contributor', iterations, async () =>
        visibleDocument(db, await access(contributor.id), theirs.id),
      ),
      await time('refused: unrelated account', iterations, () =>
        caseAccessFor(db, '00000000-0000-4000-8000-000000000000', kase.id),
      ),
    ];
    process.stdout.write(
      `${lines.join('\n')}\n\ncommand: npx tsx bench/contributor-access.ts --members=${members} --documents=${documents} --iterations=${iterations}\n`,
    );
  } finally {
    await database.close();
    // Let the pool's sockets close before the database goes (a forced drop would kill them).
    await new Promise((r) => setTimeout(r, 500));
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 2;
});
