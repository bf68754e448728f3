// The back-office case list's queries on 10,000 cases (PostgreSQL): one page with its count, for
// the list as it opens, a page deep in it, several search terms, filters, and 350 rows. Each query
// runs 5 times to warm up, then 30 times; median and 95th percentile in ms, and the plan's nodes.
//
//   npx tsx bench/case-list.ts [--cases=10000] [--runs=30]
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { listCases, searchTerms, UNASSIGNED, type CaseListFilter } from '../db/case-list.js';
import { seedCases } from './case-seed.js';
import { EVERY_SPACE } from '../db/staff-access.js';

function option(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg ? Number(arg.split('=')[1]) : fallback;
}

const cases = option('cases', 10_000);
const runs = option('runs', 30);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const seeded = await seedCases(cases);
try {
  const db = seeded.database.db;
  const [space] = seeded.spaceIds;
  const scenarios: Array<{ name: string; filter: CaseListFilter; limit: number; offset: number }> = [
    { name: 'list as it opens (25 rows, page 1)', filter: { scope: EVERY_SPACE, terms: [] }, limit: 25, offset: 0 },
    { name: 'page 300 of 400 (25 rows)', filter: { scope: EVERY_SPACE, terms: [] }, limit: 25, offset: 7475 },
    { name: '350 rows, page 1', filter: { scope: EVERY_SPACE, terms: [] }, limit: 350, offset: 0 },
    {
      name: 'search "elodie lyon" (2 terms, accents)',
      filter: { scope: EVERY_SPACE, terms: searchTerms('elodie lyon') },
      limit: 25,
      offset: 0,
    },
    {
      name: 'search "telefi-2026-004217" (number)',
      filter: { scope: EVERY_SPACE, terms: searchTerms('telefi-2026-004217') },
      limit: 25,
      offset: 0,
    },
    {
      name: 'search "garant relancer petit" (3 terms)',
      filter: { scope: EVERY_SPACE, terms: searchTerms('garant relancer petit') },
      limit: 25,
      offset: 0,
    },
    {
      name: 'space + unpaid + complete',
      filter: { scope: EVERY_SPACE, terms: [], spaceId: space, payment: 'unpaid', status: 'complete' },
      limit: 25,
      offset: 0,
    },
    { name: 'unassigned', filter: { scope: EVERY_SPACE, terms: [], assignee: UNASSIGNED }, limit: 25, offset: 0 },
  ];
  console.log(
    `case list, ${cases} cases, PostgreSQL ${(await sql<{ v: string }>`select current_setting('server_version') as v`.execute(db)).rows[0]?.v}, ${runs} runs each`,
  );
  console.log('| query | matches | median ms | p95 ms |');
  console.log('|---|---|---|---|');
  for (const s of scenarios) {
    let total = 0;
    for (let i = 0; i < 5; i++) total = (await listCases(db, s.filter, { limit: s.limit, offset: s.offset })).total;
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await listCases(db, s.filter, { limit: s.limit, offset: s.offset });
      times.push(performance.now() - t0);
    }
    console.log(`| ${s.name} | ${total} | ${percentile(times, 50).toFixed(1)} | ${percentile(times, 95).toFixed(1)} |`);
  }
  const plan = await sql<{
    'QUERY PLAN': string;
  }>`explain select cases.id from cases order by created_at desc, id desc limit 25`.execute(db);
  console.log(`\nplan of the first page: ${plan.rows.map((r) => r['QUERY PLAN'].trim()).join(' / ')}`);
} finally {
  await seeded.drop();
}
