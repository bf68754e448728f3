// A conversation's issue is created once even when Redmine carries out the creation after Guichet
// gave up waiting for it (activities/redmine/issue.ts). Between Guichet and the real Redmine, a
// small HTTP proxy holds the issue creation for a few seconds before passing it on: Guichet's
// POST times out, and the next attempt's search runs before Redmine has the issue. Before the
// creation mark, that attempt created a second issue (the orphan of the 200-request Vilogi run).
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { createIssueSteps } from '../../activities/redmine/issue.js';
import { ConnectorError } from '../../connectors/errors.js';
import { createRedmineClient, hasNoteMarker, type RedmineClient } from '../../connectors/redmine/index.js';
import { resolveMirrorContext, type RedmineMirrorContext } from '../../connectors/redmine/mirror-context.js';
import { openDatabase, type OpenDatabase } from '../../db/connect.js';
import { createConversation } from '../../db/conversations.js';
import type { Account, Space } from '../../db/database.js';
import { createClient, createSpace } from '../helpers/fixtures.js';
import { RedmineAdmin, redmineTestEnv, unique } from '../helpers/redmine.js';

const HOLD_MS = 4_000;
const SETTLE_MS = 8_000;

interface HoldingProxy {
  url: string;
  /** Whether issue creations are held (true at the start). */
  holding: boolean;
  /** Issue creations passed on to Redmine, and when Redmine answered each. */
  creations: { sentAt: number; answeredAt?: number; status?: number }[];
  close(): Promise<void>;
}

/** Passes every request on to Redmine; an issue creation only after `HOLD_MS` while holding. */
async function startHoldingProxy(target: string): Promise<HoldingProxy> {
  const creations: HoldingProxy['creations'] = [];
  const state = { holding: true };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const creation = req.method === 'POST' && (req.url ?? '').startsWith('/issues.json');
        if (creation && state.holding) await new Promise((r) => setTimeout(r, HOLD_MS));
        const record = creation ? { sentAt: Date.now() } : undefined;
        if (record) creations.push(record);
        const headers = Object.fromEntries(
          Object.entries(req.headers).filter(
            (e): e is [string, string] => typeof e[1] === 'string' && !['host', 'connection'].includes(e[0]),
          ),
        );
        const upstream = await fetch(new URL(req.url ?? '/', target), {
          method: req.method ?? 'GET',
          headers,
          ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
        });
        const body = Buffer.from(await upstream.arrayBuffer());
        if (record) Object.assign(record, { answeredAt: Date.now(), status: upstream.status });
        if (res.destroyed) return; // the client gave up: Redmine carried the request out anyway
        res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'text/plain' });
        res.end(body);
      })().catch(() => res.destroy());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    get holding() {
      return state.holding;
    },
    set holding(value: boolean) {
      state.holding = value;
    },
    creations,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

let database: OpenDatabase;
let admin: RedmineAdmin;
let staff: RedmineClient;
let proxy: HoldingProxy;
let ctx: RedmineMirrorContext;
let space: Space;
let projectId: number;
let steps: ReturnType<typeof createIssueSteps>;

beforeAll(async () => {
  const env = redmineTestEnv();
  admin = new RedmineAdmin(env);
  staff = createRedmineClient({ baseUrl: env.url, apiKey: env.adminKey });
  proxy = await startHoldingProxy(env.url);
  database = await openDatabase({ url: inject('databaseUrl') });
  space = await createSpace(database.db, 'Création');
  ctx = await resolveMirrorContext(
    {
      url: proxy.url,
      apiKey: env.apiKey,
      projects: new Map([[space.slug, 'guichet-demo']]),
      emailField: 'E-mail client',
      feedbackStatus: 'Feedback',
      resolvedStatus: 'Resolved',
      staffNames: 'full',
      teamName: 'Équipe',
    },
    // Guichet gives up on a write after 1 s here (60 s in production).
    createRedmineClient({ baseUrl: proxy.url, apiKey: env.apiKey, writeTimeoutMs: 1_000 }),
  );
  projectId = ctx.projectIdBySlug.get(space.slug)!;
  steps = createIssueSteps({ db: database.db, publicUrl: 'http://guichet.test', creationSettleMs: SETTLE_MS });
});

afterAll(async () => {
  await proxy?.close();
  await database?.close();
  await admin?.cleanUp();
});

async function newConversation(subject = unique('Création retenue')): Promise<{ id: string; client: Account }> {
  const { account } = await createClient(database.db, { space });
  const conversation = await createConversation(database.db, {
    id: randomUUID(),
    spaceId: space.id,
    clientAccountId: account.id,
    subject,
    cc: '',
  });
  return { id: conversation.id, client: account };
}

/** The client's issues in Redmine that carry this conversation's marker. */
async function issuesOf(conversationId: string, client: Account): Promise<number[]> {
  const list = await staff.listIssues({
    projectIds: [projectId],
    customField: { id: ctx.emailFieldId, value: client.email },
    limit: 100,
  });
  return list.issues.filter((i) => hasNoteMarker(i.description, `conversation-${conversationId}`)).map((i) => i.id);
}

async function conversationRow(id: string) {
  return database.db
    .selectFrom('conversations')
    .select(['redmine_issue_id', 'redmine_issue_requested_at'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

describe('creating a conversation’s issue', () => {
  it('waits for a creation Redmine carries out after Guichet gave up, and never makes a second issue', async () => {
    proxy.holding = true;
    const { id, client } = await newConversation();
    const before = proxy.creations.length;

    // The first attempt: its POST is held by the proxy, Guichet gives up after 1 s.
    const first = await steps.ensureIssue(ctx, id, false).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(first).toBeInstanceOf(ConnectorError);
    expect((first as ConnectorError).code).toBe('timeout');
    expect((await conversationRow(id)).redmine_issue_requested_at).toBeInstanceOf(Date);

    // The next attempt, at once, as the first step of a workflow would (no look asked): the mark
    // makes it look, Redmine has no issue yet, and it refuses to create one before the settle time.
    expect(await issuesOf(id, client)).toEqual([]);
    const second = await steps.ensureIssue(ctx, id, false).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(second).toBeInstanceOf(ApplicationFailure);
    expect((second as ApplicationFailure).type).toBe('IssueCreationUnsettled');
    expect((second as ApplicationFailure).nextRetryDelay).toBeDefined();
    expect(proxy.creations.length - before).toBeLessThanOrEqual(1);

    // Redmine carries the held creation out: one issue, which Guichet does not know yet.
    const deadline = Date.now() + 30_000;
    while (proxy.creations.slice(before).some((c) => c.answeredAt === undefined) || proxy.creations.length === before) {
      if (Date.now() > deadline) throw new Error('the held creation never reached Redmine');
      await new Promise((r) => setTimeout(r, 200));
    }
    const created = await issuesOf(id, client);
    for (const issue of created) admin.trackIssue(issue);
    expect(created).toHaveLength(1);
    expect((await conversationRow(id)).redmine_issue_id).toBeNull();

    // After the settle time, the next attempt finds it and links it: still one issue, one POST.
    const left = SETTLE_MS - (Date.now() - ((await conversationRow(id)).redmine_issue_requested_at as Date).getTime());
    if (left > 0) await new Promise((r) => setTimeout(r, left + 200));
    expect((await steps.ensureIssue(ctx, id, true))?.id).toBe(created[0]);
    expect((await conversationRow(id)).redmine_issue_id).toBe(created[0]);
    expect(await issuesOf(id, client)).toEqual(created);
    expect(proxy.creations.length - before).toBe(1);
  });

  it('creates at once again when Redmine refused the creation with an answer', async () => {
    // A subject longer than Redmine's 255 characters: a 422, nothing created.
    proxy.holding = false;
    const { id, client } = await newConversation(`${unique('Trop long')} ${'x'.repeat(300)}`);
    const before = proxy.creations.length;
    const refused = await steps.ensureIssue(ctx, id, false).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(ConnectorError);
    expect((refused as ConnectorError).status).toBe(422);
    // The mark is gone: nothing can still be created, the next attempt need not wait.
    expect((await conversationRow(id)).redmine_issue_requested_at).toBeNull();
    const again = await steps.ensureIssue(ctx, id, true).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect((again as ConnectorError).status).toBe(422);
    expect(proxy.creations.length - before).toBe(2);
    expect(await issuesOf(id, client)).toEqual([]);
  });
});
