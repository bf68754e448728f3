// The Redmine connector against the real Redmine 5.0 of scripts/provision-redmine.sh, plus tiny
// local HTTP servers for what a healthy Redmine never does (503, Retry-After, silence).
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { Readable } from 'node:stream';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError } from '../../connectors/errors.js';
import { createHttpClient, parseRetryAfter } from '../../connectors/http.js';
import {
  createRedmineClient,
  findNoteByMarker,
  isAttachmentTooLarge,
  isSwitchUserError,
  neutralizeMarkers,
  noteMarker,
  noteMarkerRefs,
  stripNoteMarkers,
  withNoteMarker,
  type RedmineClient,
  type RedmineIssue,
} from '../../connectors/redmine/index.js';
import { RedmineAdmin, redmineTestEnv, unique, type RedmineTestEnv, type TestUser } from '../helpers/redmine.js';

const EMAIL_FIELD_ID = 1;

let env: RedmineTestEnv;
let api: RedmineClient;
let admin: RedmineClient;
let chores: RedmineAdmin;
let projectId: number;
let closedStatusId: number;

beforeAll(async () => {
  env = redmineTestEnv();
  api = createRedmineClient({ baseUrl: env.url, apiKey: env.apiKey });
  admin = createRedmineClient({ baseUrl: env.url, apiKey: env.adminKey });
  chores = new RedmineAdmin(env);
  const project = (await api.listProjects()).find((p) => p.identifier === 'guichet-demo');
  if (!project) throw new Error('project guichet-demo is missing: run bash scripts/provision.sh --with-redmine');
  projectId = project.id;
  const closed = (await api.listStatuses()).find((s) => s.isClosed);
  if (!closed) throw new Error('no closed status in the test Redmine');
  closedStatusId = closed.id;
});

afterAll(async () => {
  await chores?.cleanUp();
});

async function newIssue(
  client: RedmineClient = api,
  extra: { email?: string; switchUser?: string } = {},
): Promise<{ id: number; subject: string; email: string }> {
  const subject = unique('redmine-test');
  const email = extra.email ?? `${subject}@example.test`;
  const { id } = await client.createIssue(
    { projectId, subject, description: `Issue of ${subject}`, customFields: [{ id: EMAIL_FIELD_ID, value: email }] },
    extra.switchUser ? { switchUser: extra.switchUser } : {},
  );
  chores.trackIssue(id);
  return { id, subject, email };
}

async function journalsOf(client: RedmineClient, id: number): Promise<NonNullable<RedmineIssue['journals']>> {
  const issue = await client.getIssue(id, { journals: true });
  if (!issue?.journals) throw new Error(`issue ${id} not readable`);
  return issue.journals;
}

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (err: unknown) => err,
  );
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks);
}

/** A local server answering each request with the next scripted reply (the last one repeats). */
async function scriptedServer(
  replies: { status: number; headers?: Record<string, string>; body?: string; silent?: boolean }[],
) {
  const seen: { method: string; url: string; at: number; headers: http.IncomingHttpHeaders }[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', at: Date.now(), headers: req.headers });
    req.resume();
    const reply = replies[Math.min(seen.length - 1, replies.length - 1)];
    if (!reply || reply.silent) return;
    res.writeHead(reply.status, { 'Content-Type': 'application/json', ...reply.headers });
    res.end(reply.body ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const USER_BODY = JSON.stringify({
  user: { id: 7, login: 'someone', admin: false, firstname: 'Some', lastname: 'One' },
});

describe('redmine connector: reference data', () => {
  it('tells who the API user is', async () => {
    const me = await api.currentUser();
    expect(me).toMatchObject({ login: 'guichet-api', firstName: 'Guichet', lastName: 'API', admin: false });
    expect(me.id).toBeGreaterThan(0);
    // Redmine hides a non-administrator's own mail when the user's "hide my e-mail" is on
    // (the default for new accounts): `mail` is optional.
    const root = await admin.currentUser();
    expect(root).toMatchObject({ login: 'admin', admin: true });
    expect(root.mail).toMatch(/@/);
  });

  it('lists statuses, trackers, projects; custom fields for administrators only', async () => {
    const statuses = await api.listStatuses();
    expect(statuses.some((s) => s.isClosed)).toBe(true);
    expect(statuses.some((s) => !s.isClosed)).toBe(true);
    const trackers = await api.listTrackers();
    expect(trackers.length).toBeGreaterThan(0);
    expect(trackers[0]?.defaultStatusId).toBeTypeOf('number');
    const projects = await api.listProjects();
    expect(projects.find((p) => p.identifier === 'guichet-demo')).toMatchObject({
      id: projectId,
      isPublic: false,
      status: 1,
    });
    await expect(api.listCustomFields()).resolves.toBeUndefined();
    const fields = await admin.listCustomFields();
    expect(fields?.find((f) => f.id === EMAIL_FIELD_ID)).toMatchObject({
      name: 'E-mail client',
      customizedType: 'issue',
      fieldFormat: 'string',
      isFilter: true,
    });
  });

  it('reports the permissions of the API user in a project', async () => {
    const roles = await api.rolesOfCurrentUser('guichet-demo');
    expect(roles.map((r) => r.name)).toContain('Guichet API');
    const perms = await api.permissionsInProject(projectId);
    expect(perms.admin).toBe(false);
    expect([...perms.permissions].sort()).toEqual([
      'add_issue_notes',
      'add_issues',
      'edit_issues',
      'manage_subtasks',
      'set_notes_private',
      'view_issues',
      'view_private_notes',
    ]);
    await expect(api.checkNotePermissions(projectId)).resolves.toEqual({
      canSetPrivate: true,
      canViewPrivate: true,
      canEditIssues: true,
      canAddNotes: true,
    });
    const root = await admin.permissionsInProject(projectId);
    expect(root.admin).toBe(true);
    await expect(admin.checkNotePermissions(projectId)).resolves.toMatchObject({ canSetPrivate: true });
  });
});

describe('redmine connector: issues and notes', () => {
  it('creates an issue with the e-mail field and reads it back', async () => {
    const before = Date.now();
    const { id, subject, email } = await newIssue();
    const issue = await api.getIssue(id, { journals: true, attachments: true, children: true });
    expect(issue).toMatchObject({
      id,
      projectId,
      projectName: 'Guichet demo',
      subject,
      description: `Issue of ${subject}`,
      statusIsClosed: false,
      authorName: 'Guichet API',
      isPrivate: false,
      journals: [],
      attachments: [],
    });
    expect(issue?.customFields).toContainEqual({ id: EMAIL_FIELD_ID, name: 'E-mail client', value: email });
    expect(issue?.createdOn).toBeInstanceOf(Date);
    expect(issue?.createdOn.getTime()).toBeGreaterThan(before - 5_000);
    expect(issue?.closedOn).toBeUndefined();

    // A custom field that does not exist (or that the user may not edit) is dropped without a word.
    const orphan = await api.createIssue({
      projectId,
      subject: `${subject} orphan`,
      description: 'child?',
      customFields: [{ id: 999_999, value: 'x' }],
    });
    chores.trackIssue(orphan.id);
    expect(orphan.ignoredFields).toEqual(['cf_999999']);
    // With "manage subtasks" (provisioned for role Guichet API), the parent is kept.
    const subtask = await api.createIssue({
      projectId,
      subject: `${subject} subtask`,
      description: 'child',
      parentIssueId: id,
    });
    expect(subtask.ignoredFields).toEqual([]);
    expect((await api.getIssue(subtask.id))?.parentId).toBe(id);
    const child = await admin.createIssue({
      projectId,
      subject: `${subject} child`,
      description: 'child',
      parentIssueId: id,
    });
    chores.trackIssue(child.id);
    expect(child.ignoredFields).toEqual([]);
    expect((await api.getIssue(child.id))?.parentId).toBe(id);
    expect((await api.getIssue(id, { children: true }))?.children).toEqual([
      { id: subtask.id, trackerId: issue?.trackerId, subject: `${subject} subtask` },
      { id: child.id, trackerId: issue?.trackerId, subject: `${subject} child` },
    ]);
  });

  it("reports a refused issue as invalid_request with Redmine's messages", async () => {
    const err = await errorOf(api.createIssue({ projectId, subject: '', description: 'no subject' }));
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err).toMatchObject({ code: 'invalid_request', status: 422 });
    expect((err as Error).message).toMatch(/Subject cannot be blank/);
  });

  it('answers undefined for an issue or attachment that does not exist', async () => {
    await expect(api.getIssue(987_654_321)).resolves.toBeUndefined();
    await expect(api.getAttachment(987_654_321)).resolves.toBeUndefined();
  });

  it('writes public and private notes; the API user and the administrator see the private one', async () => {
    const { id } = await newIssue();
    await api.addNote(id, { notes: 'Public answer' });
    await api.addNote(id, { notes: 'Internal remark', privateNotes: true });
    const mine = await journalsOf(api, id);
    expect(mine.map((j) => [j.notes, j.privateNotes, j.userName])).toEqual([
      ['Public answer', false, 'Guichet API'],
      ['Internal remark', true, 'Guichet API'],
    ]);
    expect(mine[0]?.createdOn).toBeInstanceOf(Date);
    const theirs = await journalsOf(admin, id);
    expect(theirs.map((j) => [j.id, j.privateNotes])).toEqual(mine.map((j) => [j.id, j.privateNotes]));
  });

  it('addNoteOnce posts once per reference and reads the journal back', async () => {
    const { id } = await newIssue();
    const ref = `msg:${randomBytes(8).toString('hex')}`;
    const first = await api.addNoteOnce(id, ref, { notes: 'Réponse au client', privateNotes: true });
    expect(first).toMatchObject({ created: true, privateNotes: true, privacyDropped: false });
    const second = await api.addNoteOnce(id, ref, { notes: 'Réponse au client', privateNotes: true });
    expect(second).toEqual({ ...first, created: false });
    const journals = await journalsOf(api, id);
    expect(journals).toHaveLength(1);
    expect(journals[0]?.id).toBe(first.journalId);
    expect(journals[0]?.notes).toBe(`Réponse au client\n\n${noteMarker(ref)}`);
    expect(findNoteByMarker(journals, ref)?.id).toBe(first.journalId);
    // Another reference is another note.
    const other = await api.addNoteOnce(id, `${ref}-2`, { notes: 'Autre' });
    expect(other.journalId).toBeGreaterThan(first.journalId);
    expect(await journalsOf(api, id)).toHaveLength(2);
  });

  it('addNoteOnce reports a private note that Redmine made public (no "set notes private")', async () => {
    const reporter = await chores.createUser({ projectId, roles: ['Reporter'] });
    const { id } = await newIssue();
    const result = await admin.addNoteOnce(
      id,
      unique('ref'),
      { notes: 'Meant to stay internal', privateNotes: true },
      { switchUser: reporter.login },
    );
    expect(result).toMatchObject({ created: true, privateNotes: false, privacyDropped: true });
    const asReporter = createRedmineClient({ baseUrl: env.url, apiKey: reporter.apiKey });
    await expect(asReporter.checkNotePermissions(projectId)).resolves.toEqual({
      canSetPrivate: false,
      canViewPrivate: false,
      canEditIssues: false,
      canAddNotes: true,
    });
    // And a private note of someone else stays out of the reporter's sight.
    await api.addNote(id, { notes: 'Staff only', privateNotes: true });
    const seen = await journalsOf(asReporter, id);
    expect(seen.map((j) => j.notes)).not.toContain('Staff only');
  });

  it('sorts journals by id even for a user who reads comments in reverse order', async () => {
    const reader = await chores.createUser({ projectId, roles: ['Guichet API'], commentsSorting: 'desc' });
    const { id } = await newIssue();
    for (const n of [1, 2, 3]) await api.addNote(id, { notes: `note ${n}` });
    // Redmine itself gives them newest first to this user…
    const raw = await chores.http.json<{ issue: { journals: { id: number }[] } }>({
      method: 'GET',
      path: `/issues/${id}.json`,
      query: { include: 'journals' },
      headers: { 'X-Redmine-Switch-User': reader.login },
    });
    const rawIds = raw.data?.issue.journals.map((j) => j.id) ?? [];
    expect(rawIds).toEqual([...rawIds].sort((a, b) => b - a));
    // …the client oldest first.
    const journals = await journalsOf(createRedmineClient({ baseUrl: env.url, apiKey: reader.apiKey }), id);
    expect(journals.map((j) => j.notes)).toEqual(['note 1', 'note 2', 'note 3']);
  });

  it('changes statuses through the role workflow, reports ignored fields, and lists closed issues by updated_on', async () => {
    const since = new Date(Date.now() - 2_000);
    const open = await newIssue();
    const closed = await newIssue();
    // Provisioning gives role "Guichet API" workflow transitions: without them Redmine answers 204
    // and silently keeps the status.
    await expect(api.updateIssue(closed.id, { statusId: closedStatusId, notes: 'Closing' })).resolves.toEqual({
      ignoredFields: [],
    });
    // A field Redmine drops is reported.
    await expect(api.updateIssue(open.id, { customFields: [{ id: 999_999, value: 'x' }] })).resolves.toEqual({
      ignoredFields: ['cf_999999'],
    });

    const all = await api.listIssuesUpdatedSince(since, [projectId]);
    const ids = all.map((i) => i.id);
    expect(ids).toContain(open.id);
    expect(ids).toContain(closed.id);
    expect(all.find((i) => i.id === closed.id)).toMatchObject({ statusId: closedStatusId, statusIsClosed: true });
    expect(all.find((i) => i.id === closed.id)?.closedOn).toBeInstanceOf(Date);
    for (let i = 1; i < all.length; i++)
      expect(all[i]!.updatedOn.getTime()).toBeGreaterThanOrEqual(all[i - 1]!.updatedOn.getTime());

    const openOnly = await api.listIssues({
      projectIds: [projectId],
      updatedSince: since,
      statusId: 'open',
      limit: 100,
    });
    expect(openOnly.issues.map((i) => i.id)).toContain(open.id);
    expect(openOnly.issues.map((i) => i.id)).not.toContain(closed.id);
    const closedOnly = await api.listIssues({
      projectIds: [projectId],
      updatedSince: since,
      statusId: closedStatusId,
      limit: 100,
    });
    expect(closedOnly.issues.map((i) => i.id)).toContain(closed.id);
  });

  it('pages updated issues by key, so that an issue updated while paging is not skipped', async () => {
    // A stand-in for /issues.json that behaves like Redmine: `>=` is `> t - 1 s`, sort
    // updated_on then id, limit and offset. 250 issues over a few seconds; after the first page,
    // issue 3 is updated (it moves to the end), which shifts offset-based pages by one.
    const base = Date.parse('2026-11-23T10:00:00Z');
    const issues = Array.from({ length: 250 }, (_, i) => ({ id: i + 1, updated: base + Math.floor(i / 40) * 1000 }));
    let requests = 0;
    const server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      requests++;
      if (requests === 2) issues[2]!.updated = base + 3_600_000;
      const since = Date.parse(url.searchParams.get('v[updated_on][]') ?? '1970-01-01T00:00:00Z') - 1000;
      const offset = Number(url.searchParams.get('offset') ?? 0);
      const limit = Number(url.searchParams.get('limit') ?? 25);
      const matching = issues.filter((i) => i.updated > since).sort((a, b) => a.updated - b.updated || a.id - b.id);
      const at = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const page = matching.slice(offset, offset + limit).map((i) => ({
        id: i.id,
        project: { id: 1, name: 'P' },
        tracker: { id: 1, name: 'Bug' },
        status: { id: 1, name: 'New', is_closed: false },
        author: { id: 1, name: 'A' },
        subject: `issue ${i.id}`,
        created_on: at(base),
        updated_on: at(i.updated),
      }));
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ issues: page, total_count: matching.length, offset, limit }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const client = createRedmineClient({
        baseUrl: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
        apiKey: 'k',
      });
      const all = await client.listIssuesUpdatedSince(new Date(base));
      expect(all.map((i) => i.id).sort((a, b) => a - b)).toEqual(issues.map((i) => i.id));
      expect(all.at(-1)).toMatchObject({ id: 3 });
      expect(all.at(-1)?.updatedOn.getTime()).toBe(base + 3_600_000);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('pages through listIssues', async () => {
    await newIssue();
    await newIssue();
    const first = await api.listIssues({ projectIds: [projectId], sort: 'id', limit: 1, offset: 0 });
    const second = await api.listIssues({ projectIds: [projectId], sort: 'id', limit: 1, offset: 1 });
    expect(first.totalCount).toBeGreaterThanOrEqual(2);
    expect(first.issues).toHaveLength(1);
    expect(second.issues[0]!.id).toBeGreaterThan(first.issues[0]!.id);
  });

  it('filters on the e-mail field; a filter Redmine would ignore is an error, not every issue', async () => {
    const mine = await newIssue();
    // A value that Redmine's short filter syntax (cf_1=~…) would read as "contains".
    const tricky = await newIssue(api, { email: `~${randomBytes(4).toString('hex')}@example.test` });
    const found = await api.listIssues({ customField: { id: EMAIL_FIELD_ID, value: mine.email } });
    expect(found.issues.map((i) => i.id)).toEqual([mine.id]);
    const exact = await api.listIssues({ customField: { id: EMAIL_FIELD_ID, value: tricky.email } });
    expect(exact.issues.map((i) => i.id)).toEqual([tricky.id]);

    // The trap, as Redmine has it: a filter on a field that is not "used as a filter" (here, one
    // that does not exist) is dropped without a word and every issue comes back.
    const raw = await chores.http.json<{ total_count: number }>({
      method: 'GET',
      path: '/issues.json',
      query: { status_id: '*', cf_999999: mine.email, limit: 1 },
    });
    expect(raw.data?.total_count).toBeGreaterThanOrEqual(2);
    // The client refuses to pass that off as a result.
    const err = await errorOf(api.listIssues({ customField: { id: 999_999, value: mine.email } }));
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err).toMatchObject({ code: 'invalid_request' });
    expect((err as Error).message).toMatch(/ignored the filter on custom field 999999/);
  });
});

describe('redmine connector: attachments', () => {
  it('uploads, attaches and downloads files, bytes identical', async () => {
    const { id } = await newIssue();
    const bytes = randomBytes(50_000);
    const chunks = () => Readable.from([bytes.subarray(0, 20_000), bytes.subarray(20_000)]);
    // Redmine turns ' (and / ? % * : | " < >) into _: the token says so.
    const streamed = await api.upload("relevé d'été.pdf", chunks(), bytes.length);
    expect(streamed).toEqual({ token: expect.any(String) as string, filename: 'relevé d_été.pdf' });
    // A stream of unknown size is read first: never sent chunked (see upload).
    const buffered = await api.upload('buffered.bin', chunks());
    const text = await api.upload('notes.txt', Buffer.from('bonjour\n'), undefined, 'text/plain');
    await api.addNote(id, { notes: 'Pièces jointes', uploads: [streamed, buffered, text] });

    const issue = await api.getIssue(id, { attachments: true, journals: true });
    const byName = (name: string) => {
      const found = issue?.attachments?.find((a) => a.filename === name);
      if (!found) throw new Error(`no attachment ${name} in ${JSON.stringify(issue?.attachments)}`);
      return found;
    };
    const pdf = byName('relevé d_été.pdf');
    expect(pdf).toMatchObject({ filesize: bytes.length, contentType: 'application/pdf', authorName: 'Guichet API' });
    expect(byName('buffered.bin').filesize).toBe(bytes.length);
    expect(issue?.journals?.[0]?.details.filter((d) => d.property === 'attachment').map((d) => d.newValue)).toEqual([
      'relevé d_été.pdf',
      'buffered.bin',
      'notes.txt',
    ]);
    await expect(api.getAttachment(pdf.id)).resolves.toEqual(pdf);

    const download = await api.downloadAttachment(pdf.id);
    expect(download).toMatchObject({
      contentType: 'application/pdf',
      size: bytes.length,
      filename: 'relevé d_été.pdf',
    });
    expect((await readAll(download.stream)).equals(bytes)).toBe(true);
    expect((await readAll((await api.downloadAttachment(byName('buffered.bin').id)).stream)).equals(bytes)).toBe(true);
    const small = await api.downloadAttachment(byName('notes.txt').id);
    expect(small.contentType).toBe('text/plain');
    expect((await readAll(small.stream)).toString()).toBe('bonjour\n');

    // A token is good once.
    const reused = await errorOf(api.addNote(id, { notes: 'again', uploads: [streamed] }));
    expect(reused).toMatchObject({ code: 'invalid_request', status: 422 });
    await expect(api.downloadAttachment(987_654_321)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('refuses a stream that does not give the size announced', async () => {
    const err = await errorOf(api.upload('short.bin', Readable.from([Buffer.alloc(10)]), 20));
    expect(err).toMatchObject({ code: 'invalid_request' });
    expect((err as Error).message).toMatch(/10 bytes instead of the 20 announced/);
  });

  it('refuses a file above attachment_max_size with a typed error', async () => {
    const big = Buffer.alloc(Math.round(5.1 * 1024 * 1024), 7);
    const started = Date.now();
    const err = await errorOf(api.upload('big.bin', big));
    expect(isAttachmentTooLarge(err)).toBe(true);
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err).toMatchObject({
      code: 'invalid_request',
      status: 422,
      tooLarge: true,
      maxSize: 5120 * 1024,
      size: big.length,
    });
    expect((err as Error).message).toMatch(/too large/);
    // The same through a stream, of known size or not.
    const parts = () => Readable.from([big.subarray(0, 3_000_000), big.subarray(3_000_000)]);
    expect(isAttachmentTooLarge(await errorOf(api.upload('big.bin', parts(), big.length)))).toBe(true);
    expect(isAttachmentTooLarge(await errorOf(api.upload('big.bin', parts())))).toBe(true);
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});

describe('redmine connector: acting as another user', () => {
  let staff: TestUser;
  beforeAll(async () => {
    staff = await chores.createUser({ projectId, roles: ['Guichet API'] });
  });

  it("writes as the switched user with an administrator's key", async () => {
    const { id } = await newIssue(admin, { switchUser: staff.login });
    const issue = await admin.getIssue(id);
    expect(issue?.authorId).toBe(staff.id);
    await admin.addNote(id, { notes: 'Signed by staff' }, { switchUser: staff.login });
    const journals = await journalsOf(admin, id);
    expect(journals.map((j) => [j.userId, j.notes])).toEqual([[staff.id, 'Signed by staff']]);
    await expect(admin.findUserByLogin(staff.login)).resolves.toMatchObject({
      id: staff.id,
      login: staff.login,
      admin: false,
    });
    await expect(admin.findUserByLogin(unique('nobody'))).resolves.toBeUndefined();
    // By id (an issue's assignee): the administrator sees the mail; an unknown id is no user.
    await expect(admin.getUser(staff.id)).resolves.toMatchObject({
      id: staff.id,
      login: staff.login,
      mail: `${staff.login}@example.test`,
    });
    await expect(admin.getUser(999_999_999)).resolves.toBeUndefined();
  });

  it('turns a 412 for an unknown login into a typed error', async () => {
    const { id } = await newIssue();
    const login = unique('ghost');
    const err = await errorOf(admin.addNote(id, { notes: 'nobody' }, { switchUser: login }));
    expect(isSwitchUserError(err)).toBe(true);
    expect(err).toMatchObject({ code: 'invalid_request', status: 412, reason: 'unknown_user', login });
    expect(await journalsOf(api, id)).toEqual([]);
  });

  it("refuses to switch with a non-administrator's key, which Redmine would silently ignore", async () => {
    const { id } = await newIssue();
    // What Redmine does: the header is ignored, the call runs as the key's own user.
    const rawAsApiUser = createHttpClient({
      system: 'redmine',
      baseUrl: env.url,
      headers: { 'X-Redmine-API-Key': env.apiKey },
    });
    const ignored = await rawAsApiUser.json<{ user: { login: string } }>({
      method: 'GET',
      path: '/users/current.json',
      headers: { 'X-Redmine-Switch-User': staff.login },
    });
    expect(ignored.data?.user.login).toBe('guichet-api');
    // What the client does: no call at all.
    const err = await errorOf(api.addNote(id, { notes: 'as staff?' }, { switchUser: staff.login }));
    expect(err).toMatchObject({ code: 'forbidden', reason: 'not_admin' });
    expect(await journalsOf(api, id)).toEqual([]);
  });
});

describe('redmine connector: failures', () => {
  it('maps a bad key to unauthorized without ever showing it', async () => {
    const key = randomBytes(20).toString('hex');
    const err = await errorOf(createRedmineClient({ baseUrl: env.url, apiKey: key }).currentUser());
    expect(err).toMatchObject({ code: 'unauthorized', status: 401, system: 'redmine' });
    expect(inspect(err, { depth: 10 })).not.toContain(key);
  });

  it('gives up on a port where nothing listens quickly, as unavailable, after brief retries', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const key = randomBytes(20).toString('hex');
    const client = createRedmineClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: key });
    const started = Date.now();
    const err = await errorOf(client.getIssue(1));
    const elapsed = Date.now() - started;
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err).toMatchObject({ code: 'unavailable', transient: true });
    expect((err as Error).message).toMatch(/ECONNREFUSED/);
    // Two retries with jittered backoff (100–200 ms, then 200–400 ms).
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(3_000);
    expect(inspect(err, { depth: 10 })).not.toContain(key);
  });

  it('honours Retry-After on a 503 for a read', async () => {
    const server = await scriptedServer([
      { status: 503, headers: { 'Retry-After': '1' }, body: 'busy' },
      { status: 200, body: USER_BODY },
    ]);
    try {
      const client = createRedmineClient({ baseUrl: server.url, apiKey: 'k' });
      const started = Date.now();
      await expect(client.currentUser()).resolves.toMatchObject({ login: 'someone' });
      expect(server.seen).toHaveLength(2);
      const wait = server.seen[1]!.at - server.seen[0]!.at;
      expect(wait).toBeGreaterThanOrEqual(950);
      expect(wait).toBeLessThan(2_000);
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(server.seen[0]!.headers['x-redmine-api-key']).toBe('k');
    } finally {
      await server.close();
    }
  });

  it('honours Retry-After as an HTTP date on a 429, and never repeats a write', async () => {
    const server = await scriptedServer([
      { status: 429, headers: { 'Retry-After': new Date(Date.now() + 2_000).toUTCString() } },
      { status: 200, body: USER_BODY },
    ]);
    try {
      const client = createRedmineClient({ baseUrl: server.url, apiKey: 'k' });
      await expect(client.currentUser()).resolves.toMatchObject({ login: 'someone' });
      expect(server.seen).toHaveLength(2);
      expect(server.seen[1]!.at - server.seen[0]!.at).toBeGreaterThanOrEqual(500);
    } finally {
      await server.close();
    }
    const busy = await scriptedServer([{ status: 503, headers: { 'Retry-After': '1' } }]);
    try {
      const client = createRedmineClient({ baseUrl: busy.url, apiKey: 'k' });
      const err = await errorOf(client.addNote(1, { notes: 'x' }));
      expect(err).toMatchObject({ code: 'unavailable', status: 503, retryAfterMs: 1_000 });
      expect(busy.seen).toHaveLength(1);
    } finally {
      await busy.close();
    }
  });

  it('does not wait for a Retry-After above the cap: the caller gets it', async () => {
    const server = await scriptedServer([{ status: 503, headers: { 'Retry-After': '120' } }]);
    try {
      const client = createRedmineClient({ baseUrl: server.url, apiKey: 'k' });
      const started = Date.now();
      const err = await errorOf(client.currentUser());
      expect(err).toMatchObject({ code: 'unavailable', retryAfterMs: 120_000 });
      expect(server.seen).toHaveLength(1);
      // Not the two minutes Redmine asked for (a wide margin for a loaded machine).
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      await server.close();
    }
  });

  it('times out on a server that does not answer', async () => {
    const server = await scriptedServer([{ status: 200, silent: true }]);
    try {
      const client = createRedmineClient({ baseUrl: server.url, apiKey: 'k', timeoutMs: 300 });
      const started = Date.now();
      const err = await errorOf(client.currentUser());
      expect(err).toMatchObject({ code: 'timeout', transient: true });
      // Not repeated: the caller (Temporal) decides.
      expect(server.seen).toHaveLength(1);
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await server.close();
    }
  });

  it('fails a download that stalls, with a timeout on the stream', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, {
        'Content-Type': 'application/pdf',
        'Content-Length': '1000',
        'Content-Disposition': 'attachment; filename="a.pdf"',
      });
      res.write(Buffer.alloc(100));
      // …and nothing more.
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const client = createRedmineClient({
        baseUrl: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
        apiKey: 'k',
        timeoutMs: 300,
      });
      const download = await client.downloadAttachment(1);
      expect(download).toMatchObject({ contentType: 'application/pdf', size: 1000, filename: 'a.pdf' });
      const started = Date.now();
      const err = await errorOf(readAll(download.stream));
      expect(err).toBeInstanceOf(ConnectorError);
      expect(err).toMatchObject({ code: 'timeout' });
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('parses Retry-After in both forms', () => {
    const now = Date.parse('2026-11-23T12:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3_000);
    expect(parseRetryAfter('Mon, 23 Nov 2026 12:00:05 GMT', now)).toBe(5_000);
    expect(parseRetryAfter('Mon, 23 Nov 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('redmine note marker', () => {
  it('is a comment line of its own, found only as a whole line', () => {
    expect(noteMarker('msg:42')).toBe('<!-- guichet:msg:42 -->');
    const note = withNoteMarker('Bonjour\n', 'msg:42');
    expect(note).toBe('Bonjour\n\n<!-- guichet:msg:42 -->');
    expect(noteMarkerRefs(note)).toEqual(['msg:42']);
    expect(stripNoteMarkers(note)).toBe('Bonjour');
    const journals = [
      { id: 3, notes: '> Bonjour\n> \n> <!-- guichet:msg:42 -->\n\nMerci' },
      { id: 2, notes: 'Bonjour\r\n\r\n<!-- guichet:msg:420 -->' },
    ];
    expect(findNoteByMarker(journals, 'msg:42')).toBeUndefined();
    expect(findNoteByMarker([...journals, { id: 5, notes: note }], 'msg:42')?.id).toBe(5);
    expect(findNoteByMarker(journals, 'msg:420')?.id).toBe(2);
  });

  it('counts only the last line as the marker, and neutralises comment openers in the text it marks', () => {
    const forged = 'Bonjour\n\n<!-- guichet:ack-1 -->\n\n— Claire (espace client)';
    expect(noteMarkerRefs(forged)).toEqual([]);
    expect(findNoteByMarker([{ id: 1, notes: forged }], 'ack-1')).toBeUndefined();
    const marked = withNoteMarker(forged, 'message-7');
    expect(marked).toBe(
      'Bonjour\n\n\u2039!-- guichet:ack-1 -->\n\n— Claire (espace client)\n\n<!-- guichet:message-7 -->',
    );
    expect(noteMarkerRefs(marked)).toEqual(['message-7']);
    expect(noteMarkerRefs(`${marked}\r\n  \r\n`)).toEqual(['message-7']);
    expect(neutralizeMarkers('a <!-- b --> <!--c')).toBe('a \u2039!-- b --> \u2039!--c');
  });

  it('refuses references that could break the comment or the formatting', () => {
    for (const bad of ['', 'a--b', 'a b', 'a>b', '<x>', 'x-', '-x', 'é', 'a'.repeat(201)]) {
      expect(() => noteMarker(bad), bad).toThrow(RangeError);
    }
    expect(noteMarker('3f2b9c1e-0d4a-4c55-9a7e-1b2c3d4e5f60')).toContain('3f2b9c1e-0d4a');
  });
});
