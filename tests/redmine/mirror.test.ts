// The conversation mirror against the real Redmine 5.0: Guichet → Redmine, Redmine → Guichet
// within seconds, and private notes never reaching the client in any shape.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sql } from 'kysely';
import { createSlaActivities } from '../../activities/sla.js';
import { openDatabase } from '../../db/connect.js';
import { createRedmineClient, type RedmineClient } from '../../connectors/redmine/index.js';
import { listMessages } from '../../db/conversations.js';
import type { RunningSystem } from '../../runtime/system.js';
import { createClient, createSpace, createStaff, uniqueEmail } from '../helpers/fixtures.js';
import { Browser } from '../helpers/http.js';
import { RedmineAdmin, redmineTestEnv, unique, openConversationWithIssue } from '../helpers/redmine.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { startTestSystem } from '../helpers/system.js';
import type { Db } from '../../db/connect.js';
import type { Space } from '../../db/database.js';

let system: RunningSystem & { url: string };
let smtp: TestSmtp;
let staff: RedmineClient; // staff working in Redmine (the administrator)
let admin: RedmineAdmin;
let space: Space;
let db: Db;
let projectId: number;
const EMAIL_FIELD = 1;

beforeAll(async () => {
  const env = redmineTestEnv();
  smtp = await startSmtp();
  staff = createRedmineClient({ baseUrl: env.url, apiKey: env.adminKey });
  admin = new RedmineAdmin(env);
  projectId = (await staff.listProjects()).find((p) => p.identifier === 'guichet-demo')!.id;
  // The space must exist before the system maps it; any database will do for that.
  const probe = await openDatabase({ url: inject('databaseUrl') });
  space = await createSpace(probe.db, 'Gestion locative');
  await probe.close();
  system = await startTestSystem({
    SMTP_URL: smtp.url,
    REDMINE_URL: env.url,
    // These tests are about the mirror: staff sign in with local test accounts.
    STAFF_LOGIN: 'local',
    REDMINE_API_KEY: env.apiKey,
    REDMINE_PROJECTS: `${space.slug}=guichet-demo`,
    REDMINE_POLL_SECONDS: '0.5',
    REDMINE_RESCAN_MINUTES: '0.05',
  });
  db = system.database.db;
});

afterAll(async () => {
  await system?.stop();
  await smtp?.close();
  await admin?.cleanUp();
});

async function eventually<T>(
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function clientWrites(subject: string, body: string) {
  const { account, password } = await createClient(db, { space, name: 'Claire Martin' });
  const browser = new Browser(system.app!);
  await browser.login(account.email, password);
  const { conversationId, issueId } = await openConversationWithIssue(
    browser,
    db,
    admin,
    { spaceId: space.id, subject, body },
    15_000,
  );
  return { account, browser, conversationId, issueId };
}

describe('Guichet → Redmine', () => {
  it('makes the conversation an issue: subject, e-mail field, internal description with the acknowledgement, the client note', async () => {
    const subject = unique('Fuite');
    const { account, browser, conversationId, issueId } = await clientWrites(subject, 'Bonjour,\nil y a une fuite.');
    const issue = await eventually(
      () => staff.getIssue(issueId, { journals: true }),
      (i) => (i?.journals?.length ?? 0) >= 1,
      'the client note',
    );
    expect(issue!.subject).toBe(subject);
    expect(issue!.projectId).toBe(projectId);
    expect(issue!.customFields.find((f) => f.id === EMAIL_FIELD)?.value).toBe(account.email);
    expect(issue!.description).toContain(account.email);
    // The acknowledgement is known when the issue is created: in its (internal) description, not
    // a private note after it (issue #18).
    expect(issue!.description).toMatch(
      /Accusé de réception envoyé au client le .+ \(dans son espace et par e-mail\)\./,
    );
    const [clientNote] = issue!.journals!;
    expect(clientNote!.notes).toContain('il y a une fuite.');
    expect(clientNote!.privateNotes).toBe(false);
    // Delivered to Redmine, and nothing of Guichet's own notes comes back as a staff message.
    await eventually(
      () => listMessages(db, conversationId),
      (m) => m[0]?.redmine_delivery === 'delivered',
      'delivery',
    );
    await new Promise((r) => setTimeout(r, 1500));
    const messages = await listMessages(db, conversationId);
    expect(messages.map((m) => m.author_kind)).toEqual(['client', 'system']);
    // The client's note is the issue's one journal: no acknowledgement note came after it.
    expect((await staff.getIssue(issueId, { journals: true }))!.journals!.map((j) => j.privateNotes)).toEqual([false]);
    const page = await browser.get(`/conversations/${conversationId}`);
    expect(page.body).not.toContain('guichet:');
  });
});

describe('Redmine → Guichet', () => {
  it('shows public notes within seconds and e-mails the client; private notes never, in any shape', async () => {
    const { account, browser, conversationId, issueId } = await clientWrites(unique('Chauffage'), 'Plus de chauffage.');
    await staff.addNote(issueId, { notes: 'SECRET-INTERNE : le propriétaire refuse de payer.', privateNotes: true });
    await staff.addNote(issueId, { notes: 'Un chauffagiste passe jeudi.' });
    // How fast is measured by bench/mirror-latency, not here: a loaded machine only makes it later.
    const messages = await eventually(
      () => listMessages(db, conversationId),
      (m) => m.some((x) => x.body === 'Un chauffagiste passe jeudi.'),
      'the public note',
    );
    expect(messages.find((m) => m.body === 'Un chauffagiste passe jeudi.')?.author_display_name).toBe('Redmine Admin');
    const mail = await smtp.waitFor((m) => m.text?.includes('Un chauffagiste passe jeudi.') === true);
    expect(smtp.to(account.email)).toContain(mail);

    // The private note: not in the thread, the API, the list, the database or any e-mail.
    const page = await browser.get(`/conversations/${conversationId}`);
    const api = await browser.get(`/api/v1/conversations/${conversationId}`);
    const list = await browser.get('/conversations');
    for (const body of [page.body, api.body, list.body]) expect(body).not.toContain('SECRET-INTERNE');
    expect(messages.some((m) => m.body.includes('SECRET-INTERNE'))).toBe(false);
    expect(
      smtp.mails.some((m) => (m.text ?? '').includes('SECRET-INTERNE') || (m.subject ?? '').includes('SECRET-INTERNE')),
    ).toBe(false);
    // The description is internal too.
    expect(page.body).not.toContain('Cette description est interne');
  });

  it('offers files of public notes for download to the client only, and never those of private notes', async () => {
    const { browser, conversationId, issueId } = await clientWrites(unique('Quittance'), 'Ma quittance ?');
    const secretFile = await staff.upload('note-interne.pdf', Buffer.from('%PDF-1.4 interne'));
    await staff.addNote(issueId, { notes: 'Pièce interne.', privateNotes: true, uploads: [secretFile] });
    const content = Buffer.from('%PDF-1.4 quittance de novembre');
    const file = await staff.upload('quittance novembre é.pdf', content);
    await staff.addNote(issueId, { notes: 'Voici votre quittance.', uploads: [file] });
    const page = await eventually(
      () => browser.get(`/conversations/${conversationId}`),
      (r) => r.body.includes('Voici votre quittance.'),
      'the note with its file',
    );
    expect(page.body).toContain('✓ Transmis à nos équipes');
    expect(page.body).not.toContain('note-interne.pdf');
    const href = /href="(\/conversations\/[^"]+\/pieces-jointes\/[0-9a-f-]{36})"/.exec(page.body)?.[1];
    expect(href).toBeDefined();
    const download = await browser.get(href!);
    expect(download.statusCode).toBe(200);
    expect(download.rawPayload.equals(content)).toBe(true);
    expect(download.headers['content-disposition']).toContain("filename*=UTF-8''quittance%20novembre%20%C3%A9.pdf");
    expect(download.headers['content-type']).toBe('application/octet-stream');
    const stranger = await createClient(db, { space });
    const other = new Browser(system.app!);
    await other.login(stranger.account.email, stranger.password);
    expect((await other.get(href!)).statusCode).toBe(404);
  });

  it('removes a note made private afterwards and follows an edited one, within the rescan', async () => {
    const { conversationId, issueId } = await clientWrites(unique('Bail'), 'Question sur le bail.');
    await staff.addNote(issueId, { notes: 'Première version.' });
    await staff.addNote(issueId, { notes: 'À garder pour nous finalement.' });
    await eventually(
      () => listMessages(db, conversationId),
      (m) => m.filter((x) => x.author_kind === 'staff').length === 2,
      'two notes',
    );
    const journals = (await staff.getIssue(issueId, { journals: true }))!.journals!;
    const first = journals.find((j) => j.notes === 'Première version.')!;
    const second = journals.find((j) => j.notes === 'À garder pour nous finalement.')!;
    await admin.http.json({
      method: 'PUT',
      path: `/journals/${first.id}.json`,
      json: { journal: { notes: 'Version corrigée.' } },
    });
    await admin.http.json({
      method: 'PUT',
      path: `/journals/${second.id}.json`,
      json: { journal: { private_notes: true } },
    });
    const after = await eventually(
      () => listMessages(db, conversationId),
      (m) => m.some((x) => x.body === 'Version corrigée.') && !m.some((x) => x.body.startsWith('À garder')),
      'the edit and the removal',
      20_000,
    );
    expect(after.filter((m) => m.author_kind === 'staff').map((m) => m.body)).toEqual(['Version corrigée.']);
  });

  it('shows an issue that staff open for a client to that client only, and never mirrors sub-tasks', async () => {
    const { account, password } = await createClient(db, { space, name: 'Paul Durand' });
    const other = await createClient(db, { space });
    const subject = unique('Ouvert par le gestionnaire');
    const created = await staff.createIssue({
      projectId,
      subject,
      description: 'interne',
      customFields: [{ id: EMAIL_FIELD, value: account.email }],
    });
    admin.trackIssue(created.id);
    const sub = await staff.createIssue({
      projectId,
      subject: unique('Sous-tâche'),
      description: 'coordination',
      parentIssueId: created.id,
      customFields: [{ id: EMAIL_FIELD, value: account.email }],
    });
    admin.trackIssue(sub.id);
    await staff.addNote(created.id, { notes: 'Votre dossier est ouvert.' });
    const browser = new Browser(system.app!);
    await browser.login(account.email, password);
    const list = await eventually(
      () => browser.get('/conversations'),
      (r) => r.body.includes(subject),
      'the staff-opened issue',
    );
    expect(list.body).not.toContain('Sous-tâche');
    const otherBrowser = new Browser(system.app!);
    await otherBrowser.login(other.account.email, other.password);
    expect((await otherBrowser.get('/conversations')).body).not.toContain(subject);
    const subConversation = await db
      .selectFrom('conversations')
      .select('id')
      .where('redmine_issue_id', '=', sub.id)
      .executeTakeFirst();
    expect(subConversation).toBeUndefined();
  });

  it('warns staff when the e-mail field is changed and hands the conversation to nobody', async () => {
    const { account, conversationId, issueId } = await clientWrites(unique('Charges'), 'Mes charges ?');
    const stranger = uniqueEmail('autre');
    await staff.updateIssue(issueId, { customFields: [{ id: EMAIL_FIELD, value: stranger }] });
    await staff.addNote(issueId, { notes: 'Réponse destinée à quelqu’un d’autre.' });
    const issue = await eventually(
      () => staff.getIssue(issueId, { journals: true }),
      (i) => (i?.journals ?? []).some((j) => j.privateNotes && j.notes.includes('champ e-mail client a été changé')),
      'the warning',
    );
    expect(issue).toBeDefined();
    await new Promise((r) => setTimeout(r, 1500));
    const messages = await listMessages(db, conversationId);
    expect(messages.some((m) => m.body.includes('quelqu’un d’autre'))).toBe(false);
    const conversation = await db
      .selectFrom('conversations')
      .selectAll()
      .where('id', '=', conversationId)
      .executeTakeFirstOrThrow();
    expect(conversation.client_account_id).toBe(account.id);
    expect(
      await db.selectFrom('accounts').select('id').where('email', '=', stranger).executeTakeFirst(),
    ).toBeUndefined();
  });

  it('posts a back-office answer on the issue once, and follows the status', async () => {
    const { conversationId, issueId } = await clientWrites(unique('Clés'), 'J’ai perdu mes clés.');
    const agent = await createStaff(db, { name: 'Julien Bernard', spaces: [space] });
    const office = new Browser(system.app!);
    await office.login(agent.account.email, agent.password, 'staff');
    await office.post(
      `/back-office/conversations/${conversationId}/reponses`,
      { body: 'Un double est à l’agence.' },
      { formUrl: `/back-office/conversations/${conversationId}` },
    );
    const issue = await eventually(
      () => staff.getIssue(issueId, { journals: true }),
      (i) => (i?.journals ?? []).some((j) => j.notes.includes('Un double est à l’agence.')),
      'the answer on the issue',
    );
    const note = issue!.journals!.find((j) => j.notes.includes('Un double est à l’agence.'))!;
    expect(note.notes).toContain('Julien Bernard');
    expect(note.privateNotes).toBe(false);
    const resolvedId = (await staff.listStatuses()).find((s) => s.name === 'Resolved')!.id;
    await staff.updateIssue(issueId, { statusId: resolvedId });
    await eventually(
      async () =>
        (
          await db
            .selectFrom('conversations')
            .select('status')
            .where('id', '=', conversationId)
            .executeTakeFirstOrThrow()
        ).status,
      (s) => s === 'resolved',
      'the resolved status',
    );
    const answers = (await listMessages(db, conversationId)).filter((m) => m.body === 'Un double est à l’agence.');
    expect(answers).toHaveLength(1);
  });
});

describe('the Redmine assignee', () => {
  it('is who the reminder goes to, named in the at-risk list; unassigned, the team again', async () => {
    const { conversationId, issueId } = await clientWrites(unique('Interphone'), 'L’interphone ne sonne plus.');
    await db.updateTable('spaces').set({ team_email: 'equipe@agence.test' }).where('id', '=', space.id).execute();
    const user = await admin.createUser({ projectId, roles: ['Developer'] });
    const agent = await createStaff(db, { name: 'Camille Roux', spaces: [space] });
    await db.updateTable('accounts').set({ redmine_login: user.login }).where('id', '=', agent.account.id).execute();
    await staff.updateIssue(issueId, { assignedToId: user.id });
    const assigned = await eventually(
      () =>
        db
          .selectFrom('conversations')
          .select(['assignee_redmine_id', 'assignee_name', 'assignee_email'])
          .where('id', '=', conversationId)
          .executeTakeFirstOrThrow(),
      (c) => c.assignee_email !== null,
      'the assignee',
    );
    expect(assigned).toEqual({
      assignee_redmine_id: user.id,
      assignee_name: `Test ${user.login}`,
      assignee_email: agent.account.email,
    });

    const sla = createSlaActivities({ db, redmine: undefined, publicUrl: 'http://guichet.test' });
    const conversation = await db
      .selectFrom('conversations')
      .selectAll()
      .where('id', '=', conversationId)
      .executeTakeFirstOrThrow();
    const { notified } = await sla.slaAlert({
      conversationId,
      kind: 'reminder',
      clockId: 'test',
      targetAt: conversation.sla_target_at!.toISOString(),
      maxAt: conversation.sla_max_at!.toISOString(),
    });
    const reminder = await db.selectFrom('notifications').select('recipient').where('id', 'in', notified).execute();
    expect(reminder.map((n) => n.recipient)).toEqual([agent.account.email]);

    const office = new Browser(system.app!);
    await office.login(agent.account.email, agent.password, 'staff');
    await db
      .updateTable('conversations')
      .set({ sla_max_at: sql<Date>`now() - interval '1 hour'` })
      .where('id', '=', conversationId)
      .execute();
    const risk = await office.get(`/back-office/delais?assignee=${user.id}`);
    expect(risk.body).toContain(`Test ${user.login}`);
    expect(risk.body).toContain(conversation.subject);

    await staff.updateIssue(issueId, { assignedToId: null });
    await eventually(
      () =>
        db
          .selectFrom('conversations')
          .select(['assignee_redmine_id', 'assignee_email'])
          .where('id', '=', conversationId)
          .executeTakeFirstOrThrow(),
      (c) => c.assignee_redmine_id === null && c.assignee_email === null,
      'the assignee cleared',
    );
    const { notified: again } = await sla.slaAlert({
      conversationId,
      kind: 'reminder',
      clockId: 'test-2',
      targetAt: conversation.sla_target_at!.toISOString(),
      maxAt: conversation.sla_max_at!.toISOString(),
    });
    const teamReminder = await db.selectFrom('notifications').select('recipient').where('id', 'in', again).execute();
    expect(teamReminder.map((n) => n.recipient)).toEqual(['equipe@agence.test']);
  });
});

describe('satisfaction through Redmine', () => {
  it('asks the client when staff set Feedback, and resolves the issue when the client says yes', async () => {
    const { browser, conversationId, issueId } = await clientWrites(unique('Badge'), 'Mon badge ne marche plus.');
    await staff.addNote(issueId, { notes: 'Badge reprogrammé.' });
    const statuses = await staff.listStatuses();
    const feedback = statuses.find((s) => s.name === 'Feedback')!.id;
    const resolved = statuses.find((s) => s.name === 'Resolved')!.id;
    await staff.updateIssue(issueId, { statusId: feedback });
    const page = await eventually(
      () => browser.get(`/conversations/${conversationId}`),
      (r) => r.body.includes('Notre réponse a-t-elle réglé votre demande ?'),
      'the question',
    );
    expect(page.body).toContain('Oui, ma demande est résolue');
    await browser.post(
      `/conversations/${conversationId}/satisfaction`,
      { answer: 'yes' },
      { formUrl: `/conversations/${conversationId}` },
    );
    const issue = await eventually(
      () => staff.getIssue(issueId, { journals: true }),
      (i) => i?.statusId === resolved,
      'the Resolved status in Redmine',
    );
    expect(
      issue!.journals!.some((j) => j.privateNotes && j.notes.includes('Question de satisfaction posée au client')),
    ).toBe(true);
    expect(
      issue!.journals!.some(
        (j) => j.privateNotes && j.notes.includes('Le client a confirmé que sa demande est résolue.'),
      ),
    ).toBe(true);
  });
});

describe('start-up checks', () => {
  it('refuses to run on an API user that may not set notes private', async () => {
    const env = redmineTestEnv();
    const reporter = await admin.createUser({ projectId, roles: ['Reporter'] });
    await expect(
      startTestSystem({
        REDMINE_URL: env.url,
        REDMINE_API_KEY: reporter.apiKey,
        REDMINE_PROJECTS: `${space.slug}=guichet-demo`,
        REDMINE_EMAIL_FIELD: String(EMAIL_FIELD),
      }),
    ).rejects.toThrow(/may not set notes private/);
  });
});
