// Opening a conversation with a client through the integration API (issue #17), over real HTTP
// against the real Redmine and an SMTP server: the staff-authored first message in the client's
// space and their e-mail, the issue created once by the workflow with the message (typed Textile
// included) shown as typed in its description, the Idempotency-Key, the token's reach and scope,
// the refusals. And the `conversation.resolved` webhook when staff resolve in Redmine (mirrored by
// the poll), delivered once and signed, checked by the independent `standardwebhooks` package.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRedmineClient, type RedmineClient } from '../../connectors/redmine/index.js';
import { openDatabase, type Db } from '../../db/connect.js';
import type { Account, Space } from '../../db/database.js';
import { createEndpoint } from '../../app/webhooks/endpoints.js';
import type { RunningSystem } from '../../runtime/system.js';
import { createClient, createSpace, createStaff } from '../helpers/fixtures.js';
import { cloneTemplate, makeCase } from '../helpers/documents.js';
import { Browser } from '../helpers/http.js';
import { RedmineAdmin, redmineTestEnv, unique, type RedmineTestEnv } from '../helpers/redmine.js';
import { recipients, startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { startTestSystem } from '../helpers/system.js';
import { Receiver } from '../webhooks/receiver.js';
import { apiClient, makeToken, type ApiAnswer } from './api-client.js';

let system: RunningSystem & { url: string };
let env: RedmineTestEnv;
let smtp: TestSmtp;
let staff: RedmineClient; // staff working in Redmine (the administrator)
let admin: RedmineAdmin;
let spaceA: Space;
let spaceB: Space;
let db: Db;
let owner: Account;
let writeA: ReturnType<typeof apiClient>;
let readA: ReturnType<typeof apiClient>;
let writeB: ReturnType<typeof apiClient>;
const receiver = new Receiver();

beforeAll(async () => {
  env = redmineTestEnv();
  smtp = await startSmtp();
  staff = createRedmineClient({ baseUrl: env.url, apiKey: env.adminKey });
  admin = new RedmineAdmin(env);
  // The space must exist before the system maps it to the Redmine project.
  const probe = await openDatabase({ url: inject('databaseUrl') });
  spaceA = await createSpace(probe.db, 'Crédit-bail');
  spaceB = await createSpace(probe.db, 'Syndic');
  await probe.close();
  system = await startTestSystem({
    SMTP_URL: smtp.url,
    REDMINE_URL: env.url,
    STAFF_LOGIN: 'local',
    REDMINE_API_KEY: env.apiKey,
    REDMINE_PROJECTS: `${spaceA.slug}=guichet-demo`,
    REDMINE_POLL_SECONDS: '0.5',
    REDMINE_RESCAN_MINUTES: '0.05',
    WEBHOOK_ALLOW_LOOPBACK: 'true',
  });
  db = system.database.db;
  owner = (await createStaff(db, { admin: true, name: 'Ada Admin' })).account;
  writeA = apiClient(system.url, (await makeToken(db, owner, { scope: 'write', spaces: [spaceA] })).token);
  readA = apiClient(system.url, (await makeToken(db, owner, { scope: 'read', spaces: [spaceA] })).token);
  writeB = apiClient(system.url, (await makeToken(db, owner, { scope: 'write', spaces: [spaceB] })).token);
});

afterAll(async () => {
  await system?.stop();
  await receiver.stop();
  await smtp?.close();
  await admin?.cleanUp();
});

async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function expectProblem(res: ApiAnswer, status: number, kind: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const body = res.json<{ type: string; title: string; status: number; detail: string }>();
  expect(body.type).toBe(`https://guichet.example/problems/${kind}`);
  expect(body.status).toBe(status);
  expect(body.detail.length).toBeGreaterThan(0);
  return body;
}

interface ConversationAnswer {
  id: string;
  space: string;
  subject: string;
  status: string;
  client: { email: string; fullName: string };
  case: string | null;
  messages: Array<{ author: { kind: string; name: string }; body: string }>;
}

/** The issue of a conversation, once the workflow created it (tracked for clean-up). */
async function issueOf(conversationId: string): Promise<number> {
  const { redmine_issue_id } = await eventually(
    () =>
      db
        .selectFrom('conversations')
        .select('redmine_issue_id')
        .where('id', '=', conversationId)
        .executeTakeFirstOrThrow(),
    (c) => c.redmine_issue_id !== null,
    'the issue',
  );
  admin.trackIssue(redmine_issue_id!);
  return redmine_issue_id!;
}

/** The text a browser shows of Redmine's HTML (line breaks as typed). */
function shownText(html: string): string {
  return html
    .replace(/<br\s*\/?>\s*/g, '\n')
    .replace(/<\/p>\s*<p>/g, '\n\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&#(\d+);/g, (_m, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .trim();
}

const TYPED = [
  'Bonjour, votre *contrat* est _prêt_ : "signez ici":http://x.example @agent #12',
  'h1. pas un titre',
  '',
  '<b>pas du HTML</b> {{hello_world}} [[Wiki]]',
].join('\n');

describe('opening a conversation with a client', () => {
  it('shows the client a staff-authored first message, e-mails them, and makes one Redmine issue with the text as typed', async () => {
    const { account: client, password } = await createClient(db, { space: spaceA, name: 'Paul Preneur' });
    const { account: agent } = await createStaff(db, { name: 'Julien Bernard', spaces: [spaceA] });
    const template = await cloneTemplate(db, 'credit-bail-vehicule', { digestMinutes: 0 });
    const kase = await makeCase(db, { space: spaceA, client, template });
    const subject = unique('Votre contrat');
    const res = await writeA('POST', `/api/v1/spaces/${spaceA.slug}/conversations`, {
      json: { client: { email: client.email }, subject, message: TYPED, author: agent.email, case: kase.number },
    });
    expect(res.status).toBe(201);
    const body = res.json<ConversationAnswer>();
    expect(res.headers.get('location')).toBe(`/api/v1/spaces/${spaceA.slug}/conversations/${body.id}/messages`);
    expect(body).toMatchObject({
      space: spaceA.slug,
      subject,
      status: 'answered',
      client: { email: client.email, fullName: 'Paul Preneur' },
      case: kase.number,
    });
    expect(body.messages).toHaveLength(1);
    expect(body.messages[0]).toMatchObject({ author: { kind: 'staff', name: 'Julien Bernard' }, body: TYPED });

    // In the client's space, from staff.
    const browser = new Browser(system.app!);
    await browser.login(client.email, password);
    const list = await browser.get('/conversations');
    expect(list.body).toContain(subject);
    const thread = await browser.get(`/conversations/${body.id}`);
    expect(thread.statusCode).toBe(200);
    expect(thread.body).toContain('Julien Bernard');
    // Plain text, shown as typed: no Textile made of it in Guichet either.
    expect(thread.body).toContain('Bonjour, votre *contrat* est _prêt_ : &quot;signez ici&quot;:http://x.example');
    expect(thread.body).toContain('h1. pas un titre');
    expect(thread.body).toContain('&lt;b&gt;pas du HTML&lt;/b&gt;');

    // Told by e-mail, through the notifier (its grace window is 0 in tests).
    const mail = await smtp.waitFor(
      (m) => recipients(m).includes(client.email) && (m.text ?? '').includes('pas un titre'),
    );
    expect(mail.subject).toContain(subject);
    expect(mail.text).toContain(TYPED);
    expect(mail.html).not.toMatch(/<(strong|em|h\d)>/);

    // One issue, created by the workflow, the message in its description as typed.
    const issueId = await issueOf(body.id);
    const issues = await staff.listIssues({
      projectIds: [(await staff.listProjects()).find((p) => p.identifier === 'guichet-demo')!.id],
      customField: { id: 1, value: client.email },
      limit: 100,
    });
    expect(issues.issues.filter((i) => i.subject === subject).map((i) => i.id)).toEqual([issueId]);
    const page = await fetch(`${env.url}/issues/${issueId}`, { headers: { 'X-Redmine-API-Key': env.adminKey } });
    const html = await page.text();
    const start = html.indexOf('<div class="description">');
    expect(start).toBeGreaterThan(0);
    const description = html.slice(start, html.indexOf('</div>', html.indexOf('class="wiki"', start)));
    expect(description).not.toMatch(/<(strong|em|h1|b|a)\b[^>]*>(contrat|prêt|pas un titre|pas du HTML|signez ici)/);
    expect(description).not.toContain('Hello world');
    const shown = shownText(description.replace(/^<div[^>]*>/, ''));
    expect(shown).toContain(TYPED);
    expect(shown).toContain('Julien Bernard');
    // Delivered as the description: no note posts it again.
    await eventually(
      () => db.selectFrom('messages').select('redmine_delivery').where('conversation_id', '=', body.id).execute(),
      (rows) => rows[0]?.redmine_delivery === 'delivered',
      'the message delivered',
    );
    const issue = await staff.getIssue(issueId, { journals: true });
    expect((issue?.journals ?? []).filter((j) => j.notes.includes('pas un titre'))).toHaveLength(0);

    // The public thread through the API is the same message.
    const messages = await readA('GET', `/api/v1/spaces/${spaceA.slug}/conversations/${body.id}/messages`);
    expect(messages.json<{ items: Array<{ body: string }> }>().items.map((m) => m.body)).toEqual([TYPED]);
    const audited = await db
      .selectFrom('audit_log')
      .select(['actor_account_id', 'details'])
      .where('action', '=', 'conversation.open')
      .where('subject_id', '=', body.id)
      .execute();
    expect(audited).toHaveLength(1);
    expect(audited[0]!.actor_account_id).toBe(agent.id);
    expect(audited[0]!.details).toMatchObject({ tokenOwner: owner.id, caseId: kase.id });
  });

  it('writes in the name of the token’s creator when no author is given, the client named by id', async () => {
    const { account: client } = await createClient(db, { space: spaceA });
    const res = await writeA('POST', `/api/v1/spaces/${spaceA.slug}/conversations`, {
      json: { client: { id: client.id }, subject: unique('Relance'), message: 'Il manque votre RIB.' },
    });
    expect(res.status).toBe(201);
    const body = res.json<ConversationAnswer>();
    expect(body.case).toBeNull();
    expect(body.messages[0]!.author).toEqual({ kind: 'staff', name: 'Ada Admin' });
    await issueOf(body.id);
  });

  it('makes one conversation of the same request sent twice with the same Idempotency-Key', async () => {
    const { account: client } = await createClient(db, { space: spaceA });
    const subject = unique('Deux fois');
    const key = `open-${randomUUID()}`;
    const send = () =>
      writeA('POST', `/api/v1/spaces/${spaceA.slug}/conversations`, {
        json: { client: { email: client.email }, subject, message: 'Une seule fois.' },
        headers: { 'idempotency-key': key },
      });
    const first = await send();
    const second = await send();
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.headers.get('location')).toBe(first.headers.get('location'));
    expect(first.headers.get('location')).toMatch(/\/conversations\/[0-9a-f-]{36}\/messages$/);
    expect(second.json<ConversationAnswer>().id).toBe(first.json<ConversationAnswer>().id);
    const rows = await db.selectFrom('conversations').select('id').where('subject', '=', subject).execute();
    expect(rows).toHaveLength(1);
    await issueOf(rows[0]!.id);
  });

  it('refuses another space’s token (404), a read token (403), and writes nothing', async () => {
    const { account: client } = await createClient(db, { space: spaceA });
    const subject = unique('Refusé');
    const json = { client: { email: client.email }, subject, message: 'Bonjour.' };
    expectProblem(await writeB('POST', `/api/v1/spaces/${spaceA.slug}/conversations`, { json }), 404, 'not-found');
    expectProblem(await readA('POST', `/api/v1/spaces/${spaceA.slug}/conversations`, { json }), 403, 'forbidden');
    // The client of space A is unknown in space B, even to B's own token.
    expectProblem(await writeB('POST', `/api/v1/spaces/${spaceB.slug}/conversations`, { json }), 422, 'unprocessable');
    const rows = await db.selectFrom('conversations').select('id').where('subject', '=', subject).execute();
    expect(rows).toHaveLength(0);
  });

  it('answers 422 with a clear message, in French or English, for an unknown client, author or case', async () => {
    const { account: client } = await createClient(db, { space: spaceA });
    const { account: otherClient } = await createClient(db, { space: spaceA });
    const { account: outsider } = await createStaff(db, { spaces: [spaceB] });
    const template = await cloneTemplate(db, 'credit-bail-vehicule', { digestMinutes: 0 });
    const othersCase = await makeCase(db, { space: spaceA, client: otherClient, template });
    const subject = unique('Inconnu');
    const open = (json: Record<string, unknown>, language = 'fr') =>
      writeA('POST', `/api/v1/spaces/${spaceA.slug}/conversations`, {
        json: { subject, message: 'Bonjour.', ...json },
        headers: { 'accept-language': language },
      });
    const unknownClient = expectProblem(
      await open({ client: { email: 'personne@example.test' } }),
      422,
      'unprocessable',
    );
    expect(unknownClient.detail).toContain('Aucun client de cet espace');
    expect(
      expectProblem(await open({ client: { email: 'personne@example.test' } }, 'en'), 422, 'unprocessable').detail,
    ).toContain('No client of this space');
    expect(
      expectProblem(await open({ client: { email: client.email }, author: outsider.email }), 422, 'unprocessable')
        .detail,
    ).toContain('Aucun collaborateur de cet espace');
    expect(
      expectProblem(await open({ client: { email: client.email }, case: othersCase.number }), 422, 'unprocessable')
        .detail,
    ).toContain('pas de dossier de ce numéro');
    // A body the schema refuses: a validation problem naming the field.
    const invalid = expectProblem(await open({ client: { email: client.email }, message: '   ' }), 400, 'validation');
    expect(JSON.stringify(invalid)).toContain('/message');
    const rows = await db.selectFrom('conversations').select('id').where('subject', '=', subject).execute();
    expect(rows).toHaveLength(0);
  });
});

describe('the conversation.resolved webhook', () => {
  it('is delivered once, signed, when staff resolve the conversation in Redmine', async () => {
    await receiver.start();
    const endpoint = await createEndpoint(
      db,
      system.app!.deps.workflows,
      { id: owner.id, ip: null },
      { url: receiver.url, description: 'ERP', events: ['conversation.resolved'], spaceIds: [spaceA.id] },
    );
    receiver.secret = endpoint.secret;
    const { account: client } = await createClient(db, { space: spaceA });
    const res = await writeA('POST', `/api/v1/spaces/${spaceA.slug}/conversations`, {
      json: { client: { email: client.email }, subject: unique('À résoudre'), message: 'Votre dossier est complet.' },
    });
    const conversationId = res.json<ConversationAnswer>().id;
    const issueId = await issueOf(conversationId);
    const resolved = (await staff.listStatuses()).find((s) => s.name === 'Resolved')!.id;
    await staff.updateIssue(issueId, { statusId: resolved });
    const mine = () => receiver.received.filter((r) => r.body.data.conversationId === conversationId);
    await eventually(
      async () => mine(),
      (r) => r.length > 0,
      'the webhook',
    );
    // Later polls and rescans see the same status: nothing more is sent.
    await new Promise((r) => setTimeout(r, 5000));
    expect(mine()).toHaveLength(1);
    const [event] = mine();
    expect(event!.verified).toBe(true);
    expect(event!.body.type).toBe('conversation.resolved');
    expect(event!.body.data).toEqual({ conversationId, spaceId: spaceA.id, state: 'resolved', by: 'staff' });
    // One event written, whatever path saw the status (poll, rescan).
    const stored = await db
      .selectFrom('webhook_events')
      .select('id')
      .where('type', '=', 'conversation.resolved')
      .where(sql<string>`payload->>'conversationId'`, '=', conversationId)
      .execute();
    expect(stored).toHaveLength(1);
    const status = await db
      .selectFrom('conversations')
      .select('status')
      .where('id', '=', conversationId)
      .executeTakeFirstOrThrow();
    expect(status.status).toBe('resolved');
  });
});
