// Shared by bench/case-list.ts and bench/export.ts: a fresh database on the test PostgreSQL server
// (dropped by the returned function), migrated, with N cases over 5 spaces, 1,000 clients (each
// with two contacts) and 8 collaborators; accented names, a third of the cases unpaid, a quarter
// unassigned, creation dates spread over a year.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { migrateToLatest, openDatabase, type OpenDatabase } from '../db/connect.js';
import type { CaseStatus, PaymentState } from '../db/database.js';
import { loadServicesEnv } from '../tests/helpers/services-env.js';

const statusOf = (i: number): CaseStatus => (i % 7 === 0 ? 'closed' : i % 5 === 0 ? 'complete' : 'open');
const paymentOf = (i: number): PaymentState => (i % 3 === 0 ? 'unpaid' : 'paid');

export interface SeededDatabase {
  database: OpenDatabase;
  url: string;
  spaceIds: string[];
  staffIds: string[];
  drop(): Promise<void>;
}

const FIRST = [
  'Élodie',
  'Marc',
  'Léa',
  'Hugo',
  'Zoé',
  'Noël',
  'Inès',
  'Thomas',
  'Chloé',
  'Jérôme',
  'Anaïs',
  'François',
];
const LAST = [
  'Martin',
  'Rousseau-Durand',
  'Pétit',
  'Lefèvre',
  'Moreau',
  'Girard',
  'Faure',
  'Bernard',
  'Dubois',
  'Lambert',
  'Mercier',
  'Caron',
];
const TITLES = [
  'Location avec option d’achat — Peugeot e-208',
  'Crédit-bail Renault Kangoo',
  'Prêt personnel travaux',
  'LLD Tesla Model 3',
  'Bail d’habitation — Lyon 3e',
];

export async function seedCases(cases: number): Promise<SeededDatabase> {
  loadServicesEnv();
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl)
    throw new Error('TEST_DATABASE_URL is not set: run `bash scripts/provision.sh` (it writes .cache/services.env).');
  const name = `guichet_bench_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString(), poolSize: 4 });
  const drop = async () => {
    await database.close();
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    await c.query(`drop database if exists ${name} with (force)`);
    await c.end();
  };
  try {
    const db = database.db;
    await migrateToLatest(db);
    const template = await db.selectFrom('document_templates').select('id').orderBy('slug').executeTakeFirstOrThrow();
    const spaces = await db
      .insertInto('spaces')
      .values(
        ['Crédit auto', 'Gestion locative Lyon', 'Gestion locative Paris', 'Diagnostics', 'Recouvrement'].map(
          (n, i) => ({ slug: `bench-${i}`, name: n }),
        ),
      )
      .returning('id')
      .execute();
    const staff = await db
      .insertInto('accounts')
      .values(
        Array.from({ length: 8 }, (_, i) => ({
          kind: 'staff' as const,
          email: `agent${i}@bench.test`,
          full_name: `${FIRST[i]!} ${LAST[(i + 3) % LAST.length]!}`,
          staff_role: 'agent' as const,
        })),
      )
      .returning('id')
      .execute();
    const clients = await db
      .insertInto('accounts')
      .values(
        Array.from({ length: 1000 }, (_, i) => ({
          kind: 'client' as const,
          email: `client${i}@bench.test`,
          full_name: `${FIRST[i % FIRST.length]!} ${LAST[Math.floor(i / FIRST.length) % LAST.length]!} ${i}`,
          staff_role: null,
        })),
      )
      .returning('id')
      .execute();
    await db
      .insertInto('client_contacts')
      .values(
        clients.flatMap((c, i) => [
          {
            client_account_id: c.id,
            kind: 'phone' as const,
            value: `06 ${String(i).padStart(8, '0')}`,
            state: 'default' as const,
          },
          {
            client_account_id: c.id,
            kind: 'postal' as const,
            value: `${i} rue de la République, 69002 Lyon`,
            state: 'pending' as const,
          },
        ]),
      )
      .execute();
    const year = 365 * 86_400_000;
    for (let start = 0; start < cases; start += 1000) {
      const rows = Array.from({ length: Math.min(1000, cases - start) }, (_, k) => {
        const i = start + k;
        return {
          space_id: spaces[i % spaces.length]!.id,
          template_id: template.id,
          client_account_id: clients[i % clients.length]!.id,
          number: `TELEFI-2026-${String(i).padStart(6, '0')}`,
          title: TITLES[i % TITLES.length]!,
          facts: '{}',
          summary: i % 10 === 0 ? 'Garant à relancer, apport versé' : '',
          status: statusOf(i),
          payment_state: paymentOf(i),
          payment_amount_cents: i % 3 === 0 ? 100_000 + i : null,
          assignee_account_id: i % 4 === 0 ? null : staff[i % staff.length]!.id,
          collection_started_at: new Date(),
          created_at: new Date(Date.now() - Math.floor((((i * 7919) % cases) / cases) * year)),
        };
      });
      await db.insertInto('cases').values(rows).execute();
    }
    await sql`analyze`.execute(db);
    return { database, url: url.toString(), spaceIds: spaces.map((s) => s.id), staffIds: staff.map((s) => s.id), drop };
  } catch (err) {
    await drop();
    throw err;
  }
}
