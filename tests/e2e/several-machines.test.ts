// Several machines: TWO server processes (http-server.ts) and TWO worker processes (worker.ts),
// real child processes each with a data directory of its own, on one PostgreSQL database, one
// Temporal server, one Redmine and one storage. A client signs in on A and is known on B, a form
// read on one server is posted to the other (CSRF), a file deposited through A comes back
// byte-identical through B, messages go through both, staff answer in Redmine while the worker
// running the Redmine poller is killed with SIGKILL, and in the end every client message is on
// the issue exactly once and every staff answer reaches the client (page, rows, e-mail) exactly
// once. Sign-in failures split over A and B hit the one limit.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRedmineClient, type RedmineClient } from '../../connectors/redmine/index.js';
import { migrateToLatest, openDatabase, type OpenDatabase } from '../../db/connect.js';
import { migrations } from '../../db/migrations/index.js';
import { startSeaweedfs } from '../helpers/seaweedfs.js';
import { freePort } from '../../runtime/ports.js';
import { redmineSyncWorkflowId } from '../../workflows/redmine-sync.js';
import { genuinePdf, PNG_1PX } from '../helpers/documents.js';
import { createClient, createSpace, createStaff } from '../helpers/fixtures.js';
import { multipartBody, type FormPart } from '../helpers/http.js';
import type { Space } from '../../db/database.js';
import { GuichetProcess } from '../helpers/processes.js';
import { RedmineAdmin, redmineTestEnv } from '../helpers/redmine.js';
import { loadServicesEnv, required } from '../helpers/services-env.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';

const START_LIMIT_MS = 90_000;
const MIRROR_LIMIT_MS = 180_000;
const LOGIN_RATE_LIMIT = 4;

/**
 * The storage every process shares: an S3 bucket on a real SeaweedFS server, as on several
 * machines (STORAGE_URL=s3://…, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY in every process).
 */
async function startSharedStorage(): Promise<{ env: Record<string, string>; stop(): Promise<void> }> {
  const s3 = await startSeaweedfs();
  return { env: s3.env, stop: () => s3.stop() };
}

/** A browser over fetch: one cookie jar, whichever server it talks to. */
class Visitor {
  private readonly cookies = new Map<string, string>();

  private remember(res: Response) {
    for (const header of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = header.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      if (value === '' || attributes.some((a) => /^\s*max-age=0\s*$/i.test(a))) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async send(base: string, method: 'GET' | 'POST', url: string, body?: { data: Buffer | string; type: string }) {
    const res = await fetch(`${base}${url}`, {
      method,
      redirect: 'manual',
      headers: {
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(body ? { 'content-type': body.type } : {}),
      },
      body: body?.data,
    });
    this.remember(res);
    const bytes = Buffer.from(await res.arrayBuffer());
    return { status: res.status, location: res.headers.get('location') ?? '', bytes, text: bytes.toString('utf8') };
  }

  get(base: string, url: string) {
    return this.send(base, 'GET', url);
  }

  /** The form's CSRF token as a page of `formBase` gives it. */
  async csrf(formBase: string, formUrl: string): Promise<string> {
    const page = await this.get(formBase, formUrl);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
    if (!token) throw new Error(`no CSRF token on ${formBase}${formUrl} (status ${page.status})`);
    return token;
  }

  /** Reads the form on `formBase`, posts it (urlencoded) to `base`. */
  async postForm(base: string, url: string, fields: Record<string, string>, formBase: string, formUrl: string) {
    const _csrf = await this.csrf(formBase, formUrl);
    const data = new URLSearchParams({ ...fields, _csrf }).toString();
    return this.send(base, 'POST', url, { data, type: 'application/x-www-form-urlencoded' });
  }

  /** Reads the form on `formBase`, posts it (multipart, the token first) to `base`. */
  async postMultipart(base: string, url: string, parts: FormPart[], formBase: string, formUrl: string) {
    const _csrf = await this.csrf(formBase, formUrl);
    const { body, contentType } = multipartBody([{ name: '_csrf', value: _csrf }, ...parts]);
    return this.send(base, 'POST', url, { data: body, type: contentType });
  }
}

async function eventually<T>(
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  what: string,
  timeoutMs: number,
  explain: () => Promise<string> = () => Promise.resolve(''),
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out (${timeoutMs} ms) waiting for ${what}\n${await explain()}\n${outputs()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

const processes: GuichetProcess[] = [];
/** Each process's own DATA_DIR, removed at the end. */
const dataDirs: string[] = [];
async function ownDataDir(name: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `guichet-${name}-`));
  dataDirs.push(dir);
  return dir;
}
function outputs(): string {
  return processes.map((p) => p.describe()).join('\n');
}

let adminUrl: string;
let dbName: string;
let database: OpenDatabase;
let storage: Awaited<ReturnType<typeof startSharedStorage>>;
let smtp: TestSmtp;
let admin: RedmineAdmin;
let staff: RedmineClient;
let temporal: Client;
let taskQueue: string;
let serverA: string;
let serverB: string;
let workers: GuichetProcess[];
let space: Space;
/** The environment every process of the deployment is given alike. */
let deployment: Record<string, string>;
let lone: GuichetProcess;

beforeAll(async () => {
  loadServicesEnv();
  const env = redmineTestEnv();
  // A database of this file's own: four processes migrate it at once on start-up.
  adminUrl = required('TEST_DATABASE_URL', 'a PostgreSQL server for tests');
  dbName = `guichet_machines_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const pgAdmin = new pg.Client({ connectionString: adminUrl });
  await pgAdmin.connect();
  await pgAdmin.query(`create database ${dbName}`);
  await pgAdmin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  const databaseUrl = url.toString();
  // Four processes starting at once on a new database each run the migrations: one applies
  // them (Kysely's lock), the others find nothing left to do, none fails.
  const racers = await Promise.all([1, 2, 3, 4].map(() => openDatabase({ url: databaseUrl, poolSize: 2 })));
  const applied = await Promise.all(racers.map(async (r) => (await migrateToLatest(r.db)).results?.length ?? 0));
  await Promise.all(racers.map((r) => r.close()));
  expect(applied.reduce((a, b) => a + b, 0)).toBe(Object.keys(migrations).length);
  database = await openDatabase({ url: databaseUrl });
  // The space must exist before the processes map it to the Redmine project.

  admin = new RedmineAdmin(env);
  staff = createRedmineClient({ baseUrl: env.url, apiKey: env.adminKey });
  const project = await admin.createProject();
  const apiUser = await createRedmineClient({ baseUrl: env.url, apiKey: env.apiKey }).currentUser();
  await admin.addMembership(project.id, apiUser.id, ['Guichet API']);
  space = await createSpace(database.db, 'Gestion locative');

  storage = await startSharedStorage();
  smtp = await startSmtp();
  temporal = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }) });
  taskQueue = `machines-${randomBytes(4).toString('hex')}`;
  const [portA = 0, portB = 0] = [await freePort(), await freePort()];
  serverA = `http://127.0.0.1:${portA}`;
  serverB = `http://127.0.0.1:${portB}`;

  // What every process of the deployment is given alike; each keeps its own DATA_DIR, so
  // nothing can pass between them through a local file.
  deployment = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? os.homedir(),
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: '4',
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: taskQueue,
    SESSION_SECRET: randomBytes(32).toString('hex'),
    PUBLIC_URL: serverA,
    HOST: '127.0.0.1',
    SMTP_URL: smtp.url,
    REDMINE_URL: env.url,
    REDMINE_API_KEY: env.apiKey,
    REDMINE_PROJECTS: `${space.slug}=${project.identifier}`,
    REDMINE_POLL_SECONDS: '0.5',
    STAFF_LOGIN: 'local',
    DEMO_DATA: 'false',
    LOGIN_RATE_LIMIT: String(LOGIN_RATE_LIMIT),
    LOG_LEVEL: 'info',
    ...storage.env,
  };
  const own = async (name: string) => ({ DATA_DIR: await ownDataDir(name) });
  const a = new GuichetProcess('server A', 'http-server.ts', {
    ...deployment,
    ...(await own('a')),
    PORT: String(portA),
  });
  const b = new GuichetProcess('server B', 'http-server.ts', {
    ...deployment,
    ...(await own('b')),
    PORT: String(portB),
  });
  const w1 = new GuichetProcess('worker 1', 'worker.ts', { ...deployment, ...(await own('w1')) });
  const w2 = new GuichetProcess('worker 2', 'worker.ts', { ...deployment, ...(await own('w2')) });
  // A fifth server, started alongside, without the shared secret: it must refuse to start.
  lone = new GuichetProcess('server without secret', 'http-server.ts', {
    ...deployment,
    SESSION_SECRET: '',
    ...(await own('lone')),
    PORT: '0',
  });
  processes.push(a, b, w1, w2, lone);
  workers = [w1, w2];
  const healthy = (base: string) => async () => (await fetch(`${base}/health`).catch(() => undefined))?.status === 200;
  const running = (p: GuichetProcess) => () => p.output.includes('"msg":"worker running"');
  await Promise.all([
    a.waitUntil(healthy(serverA), START_LIMIT_MS),
    b.waitUntil(healthy(serverB), START_LIMIT_MS),
    w1.waitUntil(running(w1), START_LIMIT_MS),
    w2.waitUntil(running(w2), START_LIMIT_MS),
  ]);
}, 240_000);

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop()));
  await temporal?.connection.close();
  await smtp?.close();
  await storage?.stop();
  for (const dir of dataDirs) await rm(dir, { recursive: true, force: true });
  await admin?.cleanUp();
  await database?.close();
  if (dbName) {
    const pgAdmin = new pg.Client({ connectionString: adminUrl });
    await pgAdmin.connect();
    await pgAdmin.query(`drop database if exists ${dbName} with (force)`);
    await pgAdmin.end();
  }
}, 60_000);

/** What a workflow is waiting for (for a failure's message). */
async function workflowState(workflowId: string): Promise<string> {
  const described = await temporal.workflow
    .getHandle(workflowId)
    .describe()
    .catch((err: unknown) => ({ raw: { error: String(err) } }));
  const raw = described.raw as Record<string, unknown>;
  return `${workflowId}: ${JSON.stringify({ pendingActivities: raw.pendingActivities, pendingWorkflowTask: raw.pendingWorkflowTask, error: raw.error })}`;
}

/** The worker process running the Redmine poller's activity right now (Temporal says which). */
async function pollerWorker(): Promise<GuichetProcess> {
  const handle = temporal.workflow.getHandle(redmineSyncWorkflowId(taskQueue));
  const identity = await eventually(
    async () => {
      const described = await handle.describe().catch(() => undefined);
      return described?.raw.pendingActivities?.[0]?.lastWorkerIdentity ?? '';
    },
    (id) => /^\d+@/.test(id),
    'the Redmine poller to run on a worker',
    30_000,
  );
  const pid = Number(identity.split('@')[0]);
  for (const worker of workers) if (await worker.owns(pid)) return worker;
  throw new Error(`the poller runs on ${identity}, which is neither worker`);
}

describe('two servers and two workers on one database, one Temporal, one Redmine, one storage', () => {
  it('share sessions, forms, files and the mirror, and lose or double nothing when a worker is killed', async () => {
    const { account, password } = await createClient(database.db, { space, name: 'Claire Martin' });
    const visitor = new Visitor();
    const tag = randomBytes(3).toString('hex');

    // Signed in on A, known on B with the same cookie.
    const login = await visitor.postForm(
      serverA,
      '/connexion',
      { email: account.email, password },
      serverA,
      '/connexion',
    );
    expect(login.status, login.text).toBe(303);
    const onB = await visitor.get(serverB, '/conversations');
    expect(onB.status).toBe(200);
    expect(onB.text).toContain('<h1>Mes messages</h1>');
    expect(onB.text).toContain('action="/deconnexion"');

    // A file deposited through A (the form read on B: its CSRF token holds on A) …
    const pdf = genuinePdf(48_000);
    const spaceId = /name="spaceId" value="([^"]+)"/.exec(
      (await visitor.get(serverB, '/conversations/nouvelle')).text,
    )?.[1];
    expect(spaceId).toBeDefined();
    const clientMarkers = [`c0-${tag}`];
    const created = await visitor.postMultipart(
      serverA,
      '/conversations',
      [
        { name: 'spaceId', value: spaceId! },
        { name: 'subject', value: `Deux machines ${tag}` },
        { name: 'body', value: `Premier message ${clientMarkers[0]}` },
        { name: 'files', file: { filename: 'quittance.pdf', content: pdf, contentType: 'application/pdf' } },
      ],
      serverB,
      '/conversations/nouvelle',
    );
    expect(created.status, created.text).toBe(303);
    const conversationId = /^\/conversations\/([0-9a-f-]{36})$/.exec(created.location)?.[1];
    expect(conversationId).toBeDefined();
    const threadUrl = `/conversations/${conversationId}`;

    // … comes back byte-identical through B.
    const thread = await visitor.get(serverB, threadUrl);
    const fileUrl = new RegExp(`href="(${threadUrl}/pieces-jointes/[0-9a-f-]{36})"`).exec(thread.text)?.[1];
    expect(fileUrl, thread.text).toBeDefined();
    const download = await visitor.get(serverB, fileUrl!);
    expect(download.status).toBe(200);
    expect(download.bytes.equals(pdf)).toBe(true);

    // Messages through both servers, each form read on the other one.
    const write = async (i: number) => {
      const marker = `c${i}-${tag}`;
      clientMarkers.push(marker);
      const [to, from] = i % 2 === 0 ? [serverA, serverB] : [serverB, serverA];
      const res = await visitor.postMultipart(
        to,
        `${threadUrl}/messages`,
        [{ name: 'body', value: `Message ${marker}` }],
        from,
        threadUrl,
      );
      expect(res.status, res.text).toBe(303);
    };
    for (const i of [1, 2]) await write(i);

    const issueId = await eventually(
      async () =>
        (
          await database.db
            .selectFrom('conversations')
            .select('redmine_issue_id')
            .where('id', '=', conversationId!)
            .executeTakeFirstOrThrow()
        ).redmine_issue_id,
      (id) => id !== null,
      'the Redmine issue',
      MIRROR_LIMIT_MS,
    );
    admin.trackIssue(issueId!);

    // Staff answer in Redmine; half-way, the worker running the poller is killed outright.
    const staffMarkers: string[] = [];
    const answer = async (i: number) => {
      const marker = `s${i}-${tag}`;
      staffMarkers.push(marker);
      await staff.addNote(issueId!, { notes: `Réponse ${marker}` });
    };
    for (const i of [1, 2]) await answer(i);
    const victim = await pollerWorker();
    victim.signal('SIGKILL');
    expect((await victim.exited).signal).toBe('SIGKILL');
    for (const i of [3, 4]) {
      await write(i);
      await answer(i);
    }

    // Every client message on the issue exactly once, each as its own note.
    const issue = await eventually(
      () => staff.getIssue(issueId!, { journals: true }),
      (found) => clientMarkers.every((m) => (found?.journals ?? []).some((j) => j.notes.includes(m))),
      'every client message on the issue',
      MIRROR_LIMIT_MS,
      () => workflowState(`conversation-${conversationId}`),
    );
    for (const marker of clientMarkers)
      expect(
        issue!.journals!.filter((j) => j.notes.includes(marker)),
        marker,
      ).toHaveLength(1);
    // One issue for the conversation.
    const issues = await staff.listIssues({ projectIds: [issue!.projectId], limit: 100 });
    expect(issues.issues.filter((i) => i.subject === `Deux machines ${tag}`)).toHaveLength(1);

    // Every staff answer on the client's page (through either server) and in the rows, once.
    const page = await eventually(
      async () => (await visitor.get(serverB, threadUrl)).text,
      (text) => staffMarkers.every((m) => text.includes(m)),
      'every staff answer on the page',
      MIRROR_LIMIT_MS,
    );
    for (const marker of staffMarkers) expect(count(page, marker), marker).toBe(1);
    const pageOnA = (await visitor.get(serverA, threadUrl)).text;
    for (const marker of [...staffMarkers, ...clientMarkers]) expect(count(pageOnA, marker), marker).toBe(1);
    // A note on the issue is recorded as delivered once its activity has read it back: after the
    // note shows in Redmine, not at the same instant.
    const rows = await eventually(
      () =>
        database.db
          .selectFrom('messages')
          .select(['body', 'author_kind', 'redmine_delivery'])
          .where('conversation_id', '=', conversationId!)
          .execute(),
      (found) =>
        clientMarkers.every((m) => found.some((r) => r.body.includes(m) && r.redmine_delivery === 'delivered')),
      'every client message recorded as delivered',
      MIRROR_LIMIT_MS,
      () => workflowState(`conversation-${conversationId}`),
    );
    for (const marker of staffMarkers)
      expect(
        rows.filter((r) => r.body.includes(marker)),
        marker,
      ).toHaveLength(1);
    for (const marker of clientMarkers) {
      const mine = rows.filter((r) => r.body.includes(marker));
      expect(mine, marker).toHaveLength(1);
      expect(mine[0]!.redmine_delivery, marker).toBe('delivered');
    }

    // Every staff answer e-mailed to the client once.
    const mailText = () =>
      smtp
        .to(account.email)
        .map((m) => m.text ?? '')
        .join('\n');
    await eventually(
      () => Promise.resolve(mailText()),
      (text) => staffMarkers.every((m) => text.includes(m)),
      'every staff answer by e-mail',
      MIRROR_LIMIT_MS,
    );
    for (const marker of staffMarkers) expect(count(mailText(), marker), marker).toBe(1);

    // The surviving worker carried on alone; both servers are still up.
    expect(workers.filter((w) => w.running)).toHaveLength(1);
    expect((await fetch(`${serverA}/health`)).status).toBe(200);
    expect((await fetch(`${serverB}/health`)).status).toBe(200);
  }, 360_000);

  it('serve the settings and logo an administrator saved on A from B within the settings cache', async () => {
    const { account, password } = await createStaff(database.db, { admin: true, name: 'Alice Admin' });
    const office = new Visitor();
    const signedIn = await office.postForm(
      serverB,
      '/back-office/connexion',
      { email: account.email, password },
      serverB,
      '/back-office/connexion',
    );
    expect(signedIn.status, signedIn.text).toBe(303);
    const colour = `#${randomBytes(3).toString('hex')}`;
    const saved = await office.postMultipart(
      serverA,
      '/back-office/reglages',
      [
        { name: 'primaryColor', value: colour },
        { name: 'rowsPerPage', value: '25' },
        { name: 'locale_fr', value: 'on' },
        { name: 'locale_en', value: 'on' },
        { name: 'files', file: { filename: 'logo.png', content: PNG_1PX, contentType: 'image/png' } },
      ],
      serverB,
      '/back-office/reglages',
    );
    expect(saved.status, saved.text).toBe(303);
    // A forgets its cache at once; B within its few seconds (server/plugins/settings.ts).
    expect((await office.get(serverA, '/theme.css')).text).toContain(colour);
    await eventually(
      async () => (await office.get(serverB, '/theme.css')).text,
      (css) => css.includes(colour),
      'the new colour on B',
      10_000,
    );
    const logo = await office.get(serverB, '/logo');
    expect(logo.status).toBe(200);
    expect(logo.bytes.equals(PNG_1PX)).toBe(true);
  });

  it('refuse to start a server on the shared database without the shared SESSION_SECRET', async () => {
    const { code } = await lone.exited;
    expect(code, lone.describe()).toBe(1);
    expect(lone.output).toContain('SESSION_SECRET: required with DATABASE_URL');
  });

  it('count sign-in failures split over both servers against one limit', async () => {
    const stranger = new Visitor();
    const email = `personne.${randomBytes(4).toString('hex')}@example.test`;
    const statuses: number[] = [];
    for (let i = 0; i <= LOGIN_RATE_LIMIT; i++) {
      const base = i % 2 === 0 ? serverA : serverB;
      const res = await stranger.postForm(base, '/connexion', { email, password: `faux-${i}` }, base, '/connexion');
      statuses.push(res.status);
    }
    // Four failures (two on each server), then the fifth is refused whichever server gets it.
    expect(statuses).toEqual([...Array<number>(LOGIN_RATE_LIMIT).fill(401), 429]);
    const other = LOGIN_RATE_LIMIT % 2 === 0 ? serverB : serverA;
    const again = await stranger.postForm(other, '/connexion', { email, password: 'encore' }, other, '/connexion');
    expect(again.status).toBe(429);
  });
});
