// The integration API through real HTTP: tokens (scope, spaces, revocation), the case upsert and
// its idempotency, pieces and their review, the case's files streamed in and out, the public
// thread, the change feed and its cursor, and the problem+json shape of every refusal.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSystem } from '../../runtime/system.js';
import type { Account, DocumentTemplate, Space } from '../../db/database.js';
import { insertDocuments } from '../../db/documents.js';
import { createClient, createSpace, createStaff, uniqueEmail } from '../helpers/fixtures.js';
import { categoryId, cloneTemplate, genuinePdf, makeCase } from '../helpers/documents.js';
import { storeRaw } from '../helpers/stored.js';
import { startTestSystem } from '../helpers/system.js';
import { Browser } from '../helpers/http.js';
import { apiClient, makeToken, type ApiAnswer, type Body } from './api-client.js';

let system: RunningSystem & { url: string };
let spaceA: Space;
let spaceB: Space;
let admin: Account;
let template: DocumentTemplate;
let writeA: ReturnType<typeof apiClient>;
let readA: ReturnType<typeof apiClient>;
let writeB: ReturnType<typeof apiClient>;

beforeAll(async () => {
  system = await startTestSystem();
  const db = system.database.db;
  spaceA = await createSpace(db, 'Crédit-bail A');
  spaceB = await createSpace(db, 'Crédit-bail B');
  admin = (await createStaff(db, { admin: true, name: 'Ada Admin' })).account;
  template = await cloneTemplate(db, 'credit-bail-vehicule', { digestMinutes: 0 });
  writeA = apiClient(system.url, (await makeToken(db, admin, { scope: 'write', spaces: [spaceA] })).token);
  readA = apiClient(system.url, (await makeToken(db, admin, { scope: 'read', spaces: [spaceA] })).token);
  writeB = apiClient(system.url, (await makeToken(db, admin, { scope: 'write', spaces: [spaceB] })).token);
});
afterAll(() => system?.stop());

function expectProblem(res: ApiAnswer, status: number, kind: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const body = res.json<{ type: string; title: string; status: number; detail: string }>();
  expect(body.type).toBe(`https://guichet.example/problems/${kind}`);
  expect(body.status).toBe(status);
  expect(body.title.length).toBeGreaterThan(0);
  expect(body.detail.length).toBeGreaterThan(0);
  return body;
}

function caseBody(overrides: Record<string, unknown> = {}) {
  return {
    title: 'Location avec option d’achat',
    procedure: template.slug,
    client: { email: uniqueEmail('api-client'), fullName: 'Paul Preneur' },
    facts: {},
    summary: 'Dossier transmis par EKIP',
    conclusions: ['Accord de principe'],
    payment: { state: 'unpaid', amountCents: 125_000 },
    ...overrides,
  };
}

const number = () => `EKIP-${randomBytes(4).toString('hex').toUpperCase()}`;

describe('tokens', () => {
  it('refuses a request without a token, or with an unknown one, with 401, WWW-Authenticate and a problem', async () => {
    for (const call of [
      apiClient(system.url, null),
      apiClient(system.url, `gch_${randomBytes(32).toString('base64url')}`),
    ]) {
      const res = await call('GET', '/api/v1/cases');
      expectProblem(res, 401, 'unauthorized');
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
  });

  it('answers in English when asked', async () => {
    const res = await apiClient(system.url, null)('GET', '/api/v1/changes', { headers: { 'accept-language': 'en' } });
    expect(expectProblem(res, 401, 'unauthorized').title).toBe('API token missing, unknown or revoked.');
  });

  it('lets a read token read but not write (403)', async () => {
    const n = number();
    expect((await writeA('PUT', `/api/v1/spaces/${spaceA.slug}/cases/${n}`, { json: caseBody() })).status).toBe(201);
    expect((await readA('GET', `/api/v1/spaces/${spaceA.slug}/cases/${n}`)).status).toBe(200);
    expectProblem(
      await readA('PUT', `/api/v1/spaces/${spaceA.slug}/cases/${n}`, { json: caseBody() }),
      403,
      'forbidden',
    );
    const count = await system.database.db
      .selectFrom('cases')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('number', '=', n)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
  });

  it('refuses a revoked token at once, audits every use and records its last use', async () => {
    const db = system.database.db;
    const made = await makeToken(db, admin, { scope: 'read', spaces: [spaceA] });
    const call = apiClient(system.url, made.token);
    expect((await call('GET', '/api/v1/cases')).status).toBe(200);
    // Revoked through the back-office page, as an administrator does it.
    const browser = new Browser(system.app!);
    const { account, password } = await createStaff(db, { admin: true });
    await browser.login(account.email, password, 'staff');
    const page = await browser.get('/back-office/jetons-api');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(made.token.slice(0, 8));
    expect(page.body).not.toContain(made.token);
    const revoke = await browser.post(
      `/back-office/jetons-api/${made.id}/revocation`,
      {},
      { formUrl: '/back-office/jetons-api' },
    );
    expect(revoke.statusCode).toBe(303);
    expectProblem(await call('GET', '/api/v1/cases'), 401, 'unauthorized');
    const audited = await db
      .selectFrom('audit_log')
      .select(['details'])
      .where('action', '=', 'api.request')
      .where('subject_id', '=', made.id)
      .execute();
    expect(audited).toHaveLength(1);
    expect(audited[0]!.details).toEqual({ method: 'GET', route: '/api/v1/cases', status: 200 });
    const row = await db.selectFrom('api_tokens').selectAll().where('id', '=', made.id).executeTakeFirstOrThrow();
    expect(row.last_used_at).not.toBeNull();
    expect(row.revoked_at).not.toBeNull();
    expect(row.token_hash).not.toContain(made.token);
  });

  it('creates a token in the back-office, shows it once, and the token works', async () => {
    const db = system.database.db;
    const { account, password } = await createStaff(db, { admin: true });
    const browser = new Browser(system.app!);
    await browser.login(account.email, password, 'staff');
    const refused = await browser.post(
      '/back-office/jetons-api',
      { name: '', scope: 'write' },
      { formUrl: '/back-office/jetons-api' },
    );
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('Donnez un nom au jeton');
    const created = await browser.post(
      '/back-office/jetons-api',
      { name: 'EKIP production', scope: 'read', spaces: spaceA.id },
      { formUrl: '/back-office/jetons-api' },
    );
    expect(created.statusCode).toBe(201);
    expect(created.headers['cache-control']).toBe('no-store');
    const token = /value="(gch_[A-Za-z0-9_-]{43})"/.exec(created.body)?.[1];
    expect(token).toBeDefined();
    expect((await apiClient(system.url, token!)('GET', '/api/v1/cases')).status).toBe(200);
    expect((await browser.get('/back-office/jetons-api')).body).not.toContain(token!);
    // Staff without the administrator flag do not reach the page.
    const agent = await createStaff(db, { spaces: [spaceA] });
    const other = new Browser(system.app!);
    await other.login(agent.account.email, agent.password, 'staff');
    expect((await other.get('/back-office/jetons-api')).statusCode).toBe(403);
  });
});

describe('cases', () => {
  it('creates a case once for the same PUT sent twice, with its client invited', async () => {
    const n = number();
    const body = caseBody();
    const first = await writeA('PUT', `/api/v1/spaces/${spaceA.slug}/cases/${n}`, { json: body });
    expect(first.status).toBe(201);
    const second = await writeA('PUT', `/api/v1/spaces/${spaceA.slug}/cases/${n}`, { json: body });
    expect(second.status).toBe(200);
    const a = first.json<{ id: string; steps: unknown }>();
    const b = second.json<{ id: string; steps: unknown }>();
    expect(b).toEqual(a);
    expect(a).toMatchObject({
      number: n,
      space: spaceA.slug,
      procedure: template.slug,
      status: 'open',
      client: { email: body.client.email, fullName: 'Paul Preneur' },
      summary: 'Dossier transmis par EKIP',
      conclusions: ['Accord de principe'],
      payment: { state: 'unpaid', amountCents: 125_000 },
    });
    const db = system.database.db;
    expect(await db.selectFrom('cases').select('id').where('number', '=', n).execute()).toHaveLength(1);
    const client = await db.selectFrom('accounts').selectAll().where('email', '=', body.client.email).execute();
    expect(client).toHaveLength(1);
    const mails = await db
      .selectFrom('notifications')
      .select('id')
      .where('recipient', '=', body.client.email)
      .execute();
    expect(mails).toHaveLength(1);
    const opened = await db
      .selectFrom('audit_log')
      .select('id')
      .where('action', '=', 'case.open')
      .where('subject_id', '=', a.id)
      .execute();
    expect(opened).toHaveLength(1);
  });

  it('updates the parts that changed through the back-office use cases', async () => {
    const n = number();
    const body = caseBody();
    await writeA('PUT', `/api/v1/spaces/${spaceA.slug}/cases/${n}`, { json: body });
    const assignee = await createStaff(system.database.db, { spaces: [spaceA], name: 'Alice Agent' });
    const res = await writeA('PUT', `/api/v1/spaces/${spaceA.slug}/cases/${n}`, {
      json: {
        ...body,
        summary: 'Nouveau résumé',
        payment: { state: 'paid', amountCents: 99_00 },
        assignee: assignee.account.email,
      },
    });
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({
      summary: 'Nouveau résumé',
      payment: { state: 'paid', amountCents: 9900 },
      assignee: assignee.account.email,
    });
    const steps = res.json<{ steps: Array<{ kind: string }> }>().steps.map((s) => s.kind);
    expect(steps).toContain('paid');
    // Another client for the same number is a conflict; an unknown procedure is unprocessable.
    expectProblem(
      await writeA('PUT', `/api/v1/spaces/${spaceA.slug}/cases/${n}`, {
        json: { ...body, client: { email: uniqueEmail('x'), fullName: 'X' } },
      }),
      409,
      'conflict',
    );
    expectProblem(
      await writeA('PUT', `/api/v1/spaces/${spaceA.slug}/cases/${number()}`, { json: { ...body, procedure: 'nope' } }),
      422,
      'unprocessable',
    );
  });

  it('takes numbers with a slash, sent as %2F', async () => {
    const n = `LICIEL/${randomBytes(3).toString('hex')}`;
    const res = await writeA('PUT', `/api/v1/spaces/${spaceA.slug}/cases/${encodeURIComponent(n)}`, {
      json: caseBody(),
    });
    expect(res.status).toBe(201);
    expect(res.json()).toMatchObject({ number: n });
    expect((await readA('GET', `/api/v1/spaces/${spaceA.slug}/cases/${encodeURIComponent(n)}`)).status).toBe(200);
  });

  it('validates every input by the schema: 400 problems with the fields at fault', async () => {
    const bad = await writeA('PUT', `/api/v1/spaces/${spaceA.slug}/cases/${number()}`, {
      json: { title: '', procedure: template.slug, client: { email: 'not-an-email', fullName: 'X' }, extra: 1 },
    });
    const problem = expectProblem(bad, 400, 'validation') as { errors?: Array<{ pointer: string; in: string }> };
    expect(problem.errors!.length).toBeGreaterThan(0);
    expect(problem.errors!.every((e) => e.in === 'body')).toBe(true);
    expectProblem(await readA('GET', '/api/v1/cases?limit=100000'), 400, 'validation');
    expectProblem(await readA('GET', '/api/v1/cases?limit=74394160550312427520'), 400, 'validation');
    expectProblem(await readA('GET', '/api/v1/cases?cursor=zzzz'), 400, 'validation');
    // U+0000 anywhere (PostgreSQL cannot store it; schemathesis once got a 500 from it).
    const nulNumber = number();
    const nul = await writeA('PUT', `/api/v1/spaces/${spaceA.slug}/cases/${nulNumber}`, {
      json: caseBody({ procedure: '\u0000x' }),
    });
    const nulProblem = expectProblem(nul, 400, 'validation') as { errors?: Array<{ pointer: string; in: string }> };
    expect(nulProblem.errors).toEqual([expect.objectContaining({ pointer: '/procedure', in: 'body' })]);
    expect((await readA('GET', `/api/v1/spaces/${spaceA.slug}/cases/${nulNumber}`)).status).toBe(404);
    const notJson = await writeA('PUT', `/api/v1/spaces/${spaceA.slug}/cases/${number()}`, {
      body: '<xml/>',
      headers: { 'content-type': 'application/xml' },
    });
    expectProblem(notJson, 415, 'unsupported-media-type');
  });

  it('pages through the cases with a cursor, and a token of space B sees none of space A (404)', async () => {
    const numbers = [number(), number(), number()];
    for (const n of numbers) await writeA('PUT', `/api/v1/spaces/${spaceA.slug}/cases/${n}`, { json: caseBody() });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: ApiAnswer = await readA('GET', `/api/v1/cases?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      const page = res.json<{ items: Array<{ number: string }>; next_cursor: string | null }>();
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((i) => i.number));
      cursor = page.next_cursor;
      pages++;
    } while (cursor && pages < 100);
    expect(new Set(seen).size).toBe(seen.length);
    for (const n of numbers) expect(seen).toContain(n);
    const n = numbers[0]!;
    const listB = (await writeB('GET', '/api/v1/cases')).json<{ items: Array<{ number: string }> }>();
    expect(listB.items.map((i) => i.number)).not.toContain(n);
    expectProblem(await writeB('GET', `/api/v1/spaces/${spaceA.slug}/cases/${n}`), 404, 'not-found');
    expectProblem(
      await writeB('PUT', `/api/v1/spaces/${spaceA.slug}/cases/${n}`, { json: caseBody() }),
      404,
      'not-found',
    );
    expectProblem(await writeB('GET', `/api/v1/spaces/${spaceA.slug}/cases/${n}/pieces`), 404, 'not-found');
    expectProblem(await writeB('GET', `/api/v1/spaces/${spaceA.slug}/cases/${n}/files`), 404, 'not-found');
    expectProblem(await writeB('GET', `/api/v1/cases?space=${spaceA.slug}`), 404, 'not-found');
    // Numbers are unique across spaces: space B cannot take it, and learns nothing of the case.
    const taken = await writeB('PUT', `/api/v1/spaces/${spaceB.slug}/cases/${n}`, { json: caseBody() });
    expectProblem(taken, 409, 'conflict');
    expect(taken.body).not.toContain(spaceA.slug);
  });
});

describe('Idempotency-Key', () => {
  it('replays the answer for the same key and body, refuses another body (422), runs concurrent duplicates once', async () => {
    const n = number();
    const body = caseBody();
    const key = `key-${randomBytes(6).toString('hex')}`;
    const first = await writeA('PUT', `/api/v1/spaces/${spaceA.slug}/cases/${n}`, {
      json: body,
      headers: { 'idempotency-key': key },
    });
    expect(first.status).toBe(201);
    const replay = await writeA('PUT', `/api/v1/spaces/${spaceA.slug}/cases/${n}`, {
      json: body,
      headers: { 'idempotency-key': key },
    });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toBe(first.body);
    expectProblem(
      await writeA('PUT', `/api/v1/spaces/${spaceA.slug}/cases/${n}`, {
        json: { ...body, summary: 'autre' },
        headers: { 'idempotency-key': key },
      }),
      422,
      'idempotency-mismatch',
    );
    // Two at once with a new key: one runs; the other replays it or is told to wait (409).
    const m = number();
    const key2 = `key-${randomBytes(6).toString('hex')}`;
    const both = await Promise.all(
      [0, 1].map(() =>
        writeA('PUT', `/api/v1/spaces/${spaceA.slug}/cases/${m}`, { json: body, headers: { 'idempotency-key': key2 } }),
      ),
    );
    const statuses = both.map((r) => r.status).sort();
    expect(statuses[0]).toBe(201);
    expect([201, 409]).toContain(statuses[1]);
    const rows = await system.database.db.selectFrom('cases').select('id').where('number', '=', m).execute();
    expect(rows).toHaveLength(1);
    const opens = await system.database.db
      .selectFrom('audit_log')
      .select('id')
      .where('action', '=', 'case.open')
      .where('subject_id', '=', rows[0]!.id)
      .execute();
    expect(opens).toHaveLength(1);
  });
});

describe('pieces', () => {
  it('lists, downloads, validates and refuses pieces exactly as staff do', async () => {
    const db = system.database.db;
    const { account: client } = await createClient(db, { space: spaceA });
    const kase = await makeCase(db, { space: spaceA, client, template });
    const category = await categoryId(db, template.id, 'identite');
    const stores = await Promise.all([1, 2, 3].map(() => storeRaw(system.config.storageDir, genuinePdf(5_000))));
    const docs = await insertDocuments(
      db,
      stores.map((stored, i) => ({
        caseId: kase.id,
        categoryId: category,
        fileName: `piece-${i}.pdf`,
        contentType: 'application/pdf',
        sizeBytes: stored.sizeBytes,
        sha256: stored.sha256,
        storageKey: stored.key,
        pageCount: 1,
        source: 'upload' as const,
        depositedBy: client.id,
      })),
    );
    const base = `/api/v1/spaces/${spaceA.slug}/cases/${kase.number}/pieces`;
    const list = await readA('GET', `${base}?limit=2`);
    expect(list.status).toBe(200);
    const page = list.json<{ items: Array<{ id: string; status: string; category: string }>; next_cursor: string }>();
    expect(page.items).toHaveLength(2);
    expect(page.items[0]).toMatchObject({ status: 'pending', category: 'identite' });
    const rest = (await readA('GET', `${base}?limit=2&cursor=${page.next_cursor}`)).json<{
      items: unknown[];
      next_cursor: null;
    }>();
    expect(rest.items).toHaveLength(1);
    expect(rest.next_cursor).toBeNull();

    const content = await readA('GET', `${base}/${docs[0]!.id}/content`);
    expect(content.status).toBe(200);
    expect(content.headers.get('content-type')).toBe('application/octet-stream');
    expect(Buffer.from(content.body, 'latin1').length).toBeGreaterThan(0);

    const validated = await writeA('POST', `${base}/${docs[0]!.id}/validation`, { json: { comment: 'ok' } });
    expect(validated.status).toBe(200);
    expect(validated.json()).toMatchObject({ status: 'validated', comment: 'ok' });
    expectProblem(await writeA('POST', `${base}/${docs[0]!.id}/validation`, { json: {} }), 409, 'conflict');
    expectProblem(
      await writeA('POST', `${base}/${docs[1]!.id}/refusal`, { json: { reason: 'nope' } }),
      422,
      'unprocessable',
    );
    const refused = await writeA('POST', `${base}/${docs[1]!.id}/refusal`, { json: { reason: 'illisible' } });
    expect(refused.json()).toMatchObject({ status: 'rejected', refusalReason: 'illisible' });
    expectProblem(
      await readA('POST', `${base}/${docs[2]!.id}/refusal`, { json: { reason: 'illisible' } }),
      403,
      'forbidden',
    );
    expectProblem(
      await writeB('POST', `${base}/${docs[2]!.id}/refusal`, { json: { reason: 'illisible' } }),
      404,
      'not-found',
    );
    expectProblem(await writeB('GET', `${base}/${docs[2]!.id}/content`), 404, 'not-found');
    // The same audit entries as a review in the back-office.
    const audits = await db
      .selectFrom('audit_log')
      .select('action')
      .where('subject_id', 'in', [docs[0]!.id, docs[1]!.id])
      .execute();
    expect(audits.map((a) => a.action).sort()).toEqual([
      'attachment.download',
      'document.rejected',
      'document.validated',
    ]);
  });
});

describe('case files', () => {
  it('streams a 10 MB file in and out with server RSS growth under 50 MB, then replaces and removes it', async () => {
    const db = system.database.db;
    const { account: client } = await createClient(db, { space: spaceA });
    const kase = await makeCase(db, { space: spaceA, client, template });
    const base = `/api/v1/spaces/${spaceA.slug}/cases/${kase.number}/files`;
    // Warm-up: the inspection's threads (two) start on the first files; two at once start both,
    // so that a thread's own start-up is not counted as the streaming's growth.
    const small = await Promise.all(
      ['petit-1.pdf', 'petit-2.pdf'].map((name) =>
        writeA('POST', base, {
          body: genuinePdf(2_000),
          headers: { 'content-type': 'application/octet-stream', 'x-file-name': name },
        }),
      ),
    );
    expect(small.map((r) => r.status)).toEqual([201, 201]);

    const size = 10 * 1024 * 1024;
    const pdf = genuinePdf(size);
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 5);
    const chunks = function* () {
      for (let at = 0; at < pdf.length; at += 64 * 1024) yield pdf.subarray(at, at + 64 * 1024);
    };
    const added = await writeA('POST', base, {
      body: Readable.toWeb(Readable.from(chunks())) as unknown as Body,
      duplex: true,
      headers: { 'content-type': 'application/octet-stream', 'x-file-name': encodeURIComponent('rapport été.pdf') },
    });
    expect(added.status).toBe(201);
    const file = added.json<{ id: string; sizeBytes: number; fileName: string; sha256: string }>();
    expect(file).toMatchObject({ sizeBytes: size, fileName: 'rapport été.pdf' });
    const res = await fetch(`${system.url}${base}/${file.id}/content`, {
      headers: { authorization: await tokenHeader() },
    });
    expect(res.status).toBe(200);
    let received = 0;
    const hash = (await import('node:crypto')).createHash('sha256');
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      received += chunk.length;
      hash.update(chunk);
    }
    clearInterval(sampler);
    expect(received).toBe(size);
    expect(hash.digest('hex')).toBe(file.sha256);
    const growthMb = (peak - before) / 1024 / 1024;
    console.log(`RSS growth while streaming 10 MB in and out: ${growthMb.toFixed(1)} MB`);
    expect(growthMb).toBeLessThan(50);

    const listed = (await readA('GET', base)).json<{ items: Array<{ id: string; downloads: { total: number } }> }>();
    expect(listed.items.find((f) => f.id === file.id)?.downloads.total).toBe(1);

    const replaced = await writeA('PUT', `${base}/${file.id}`, {
      body: genuinePdf(3_000),
      headers: { 'content-type': 'application/octet-stream', 'x-file-name': 'v2.pdf' },
    });
    expect(replaced.status).toBe(200);
    const v2 = replaced.json<{ id: string; fileName: string }>();
    expect(v2.fileName).toBe('v2.pdf');
    expectProblem(await readA('GET', `${base}/${file.id}/content`), 404, 'not-found');
    expect((await writeA('DELETE', `${base}/${v2.id}`)).status).toBe(204);
    expectProblem(await writeA('DELETE', `${base}/${v2.id}`), 404, 'not-found');

    // Refused files: not a file type accepted, too large, no name.
    expectProblem(
      await writeA('POST', base, {
        body: 'MZ\x90\x00',
        headers: { 'content-type': 'application/octet-stream', 'x-file-name': 'a.exe' },
      }),
      422,
      'file-refused',
    );
    expectProblem(
      await writeA('POST', base, {
        body: Buffer.alloc(size + 10),
        headers: { 'content-type': 'application/octet-stream', 'x-file-name': 'big.pdf' },
      }),
      413,
      'too-large',
    );
    expectProblem(
      await writeA('POST', base, { body: 'x', headers: { 'content-type': 'application/octet-stream' } }),
      400,
      'validation',
    );
  });
});

let writeAToken: string | undefined;
async function tokenHeader(): Promise<string> {
  writeAToken ??= (await makeToken(system.database.db, admin, { scope: 'read', spaces: [spaceA] })).token;
  return `Bearer ${writeAToken}`;
}

describe('conversations', () => {
  it("reads a conversation's public thread, and nothing of another space", async () => {
    const db = system.database.db;
    const { account, password } = await createClient(db, { space: spaceA, name: 'Claire Cliente' });
    const browser = new Browser(system.app!);
    await browser.login(account.email, password);
    const posted = await browser.post(
      '/conversations',
      { spaceId: spaceA.id, subject: 'Échéancier', body: 'Bonjour, où en est mon dossier ?' },
      { formUrl: '/conversations/nouvelle' },
    );
    expect(posted.statusCode).toBe(303);
    const conversation = await db
      .selectFrom('conversations')
      .select('id')
      .where('client_account_id', '=', account.id)
      .executeTakeFirstOrThrow();
    const res = await readA('GET', `/api/v1/spaces/${spaceA.slug}/conversations/${conversation.id}/messages`);
    expect(res.status).toBe(200);
    const thread = res.json<{ items: Array<{ body: string; author: { kind: string; name: string } }> }>();
    expect(thread.items[0]).toMatchObject({
      body: 'Bonjour, où en est mon dossier ?',
      author: { kind: 'client', name: 'Claire Cliente' },
    });
    // Exactly the mirrored (public) messages: the table holds no private note to leak.
    const rows = await db.selectFrom('messages').select('id').where('conversation_id', '=', conversation.id).execute();
    expect(thread.items).toHaveLength(rows.length);
    expectProblem(
      await writeB('GET', `/api/v1/spaces/${spaceA.slug}/conversations/${conversation.id}/messages`),
      404,
      'not-found',
    );
    expectProblem(
      await readA('GET', `/api/v1/spaces/${spaceB.slug}/conversations/${conversation.id}/messages`),
      404,
      'not-found',
    );
  });
});

describe('changes', () => {
  it('never misses a change made between two pages, nor one committed late by a slow transaction', async () => {
    const db = system.database.db;
    const space = await createSpace(db, 'Flux');
    const feed = apiClient(system.url, (await makeToken(db, admin, { scope: 'write', spaces: [space] })).token);
    const clients = new Map<string, { email: string; fullName: string }>();
    const put = (n: string, summary = 'v1') => {
      if (!clients.has(n)) clients.set(n, { email: uniqueEmail('feed'), fullName: 'Flux' });
      return feed('PUT', `/api/v1/spaces/${space.slug}/cases/${n}`, {
        json: caseBody({ summary, notifyClient: false, client: clients.get(n) }),
      });
    };
    const n1 = number();
    const n2 = number();
    await put(n1);
    const ids = new Map<string, string>();
    const seen: Array<{ kind: string; id: string }> = [];
    const readAll = async (cursor: string | null) => {
      for (let i = 0; i < 100; i++) {
        const res = await feed('GET', `/api/v1/changes?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        const page = res.json<{ items: Array<{ kind: string; id: string }>; next_cursor: string | null }>();
        seen.push(...page.items);
        if (page.items.length === 0) return cursor;
        cursor = page.next_cursor;
      }
      return cursor;
    };
    // A first page, then a change, then the rest.
    const first = await feed('GET', '/api/v1/changes?limit=1');
    const firstPage = first.json<{ items: Array<{ kind: string; id: string }>; next_cursor: string }>();
    seen.push(...firstPage.items);
    ids.set(n2, (await put(n2)).json<{ id: string }>().id);
    let cursor = await readAll(firstPage.next_cursor);
    expect(seen.some((c) => c.kind === 'case' && c.id === ids.get(n2))).toBe(true);

    // A slow transaction changes case 1 and stays open while case 2 changes and commits.
    const case1 = (await feed('GET', `/api/v1/spaces/${space.slug}/cases/${n1}`)).json<{ id: string }>().id;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let began!: () => void;
    const started = new Promise<void>((resolve) => (began = resolve));
    const slow = db.transaction().execute(async (tx) => {
      await tx.updateTable('cases').set({ summary: 'slow' }).where('id', '=', case1).execute();
      began();
      await held;
    });
    await started;
    await put(n2, 'v2');
    const before = seen.length;
    cursor = await readAll(cursor);
    // Neither is handed out while the slow one is open: the later one would otherwise be passed.
    expect(seen.length).toBe(before);
    release();
    await slow;
    cursor = await readAll(cursor);
    const late = seen.slice(before);
    expect(late.map((c) => c.id)).toEqual([case1, ids.get(n2)]);
    expect(cursor).not.toBeNull();
  });
});
