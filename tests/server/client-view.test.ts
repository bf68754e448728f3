// The confidential view of a client's space (seed 004): a head of service gives a reason and sees
// the client's pages as the client does, read-only, for a bounded time; every page is audited;
// forms, downloads and the JSON API are refused; agents cannot open it; a view is its opener's.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../db/connect.js';
import type { Account, Case, DocumentTemplate, Space } from '../../db/database.js';
import { createConversation, insertMessage } from '../../db/conversations.js';
import { VIEW_END_ACTION, VIEW_PAGE_ACTION, VIEW_START_ACTION } from '../../db/client-views.js';
import type { RunningSystem } from '../../runtime/system.js';
import { cloneTemplate, makeCase } from '../helpers/documents.js';
import { createClient, createSpace, createStaff } from '../helpers/fixtures.js';
import { Browser, csrfToken } from '../helpers/http.js';
import { startTestSystem } from '../helpers/system.js';

let system: RunningSystem & { url: string };
let db: Db;
let space: Space;
let template: DocumentTemplate;

beforeAll(async () => {
  system = await startTestSystem();
  db = system.database.db;
  space = await createSpace(db, 'Gestion locative');
  template = await cloneTemplate(db, 'credit-bail-vehicule', { digestMinutes: 0 });
});
afterAll(async () => {
  await system?.stop();
});

async function staffSignedIn(role: 'agent' | 'manager', name: string): Promise<{ account: Account; browser: Browser }> {
  const { account, password } = await createStaff(db, { name, spaces: [space] });
  await db.updateTable('accounts').set({ staff_role: role }).where('id', '=', account.id).execute();
  const browser = new Browser(system.app!);
  expect((await browser.login(account.email, password, 'staff')).statusCode).toBe(303);
  return { account, browser };
}

/** A client with a conversation holding an unread staff answer, and a case. */
async function clientWithSpace(): Promise<{ client: Account; conversationId: string; answerId: string; kase: Case }> {
  const { account: client } = await createClient(db, { space, name: 'Claire Martin' });
  const conversationId = randomUUID();
  await createConversation(db, {
    id: conversationId,
    spaceId: space.id,
    clientAccountId: client.id,
    subject: `Fuite ${conversationId.slice(0, 6)}`,
    cc: '',
  });
  await insertMessage(db, {
    id: randomUUID(),
    conversationId,
    authorKind: 'client',
    authorAccountId: client.id,
    authorDisplayName: client.full_name,
    body: 'Une fuite sous l’évier.',
  });
  const answerId = randomUUID();
  await insertMessage(db, {
    id: answerId,
    conversationId,
    authorKind: 'staff',
    authorAccountId: null,
    authorDisplayName: 'Julien',
    body: 'Un plombier passe jeudi.',
  });
  const kase = await makeCase(db, { space, client, template });
  return { client, conversationId, answerId, kase };
}

const record = (client: Account) => `/back-office/clients/${client.id}`;

describe('confidential view of a client space', () => {
  it('opens with a reason, shows the client’s pages read-only without reading for them, audits every page, and ends', async () => {
    const { account: manager, browser } = await staffSignedIn('manager', 'Hélène Responsable');
    const { client, conversationId, answerId, kase } = await clientWithSpace();

    const page = await browser.get(record(client));
    expect(page.body).toContain('Vue confidentielle de l’espace client');
    expect(page.body).toContain('Personne n’a encore consulté l’espace de ce client.');
    const short = await browser.post(`${record(client)}/vue`, { reason: 'voir' }, { formUrl: record(client) });
    expect(short.statusCode).toBe(400);
    expect(short.body).toContain('Merci d’indiquer le motif de la consultation');
    expect(
      await db.selectFrom('client_views').select('id').where('client_account_id', '=', client.id).execute(),
    ).toHaveLength(0);

    const reason = 'La cliente appelle : elle ne retrouve pas la réponse du plombier.';
    const opened = await browser.post(`${record(client)}/vue`, { reason }, { formUrl: record(client) });
    expect(opened.statusCode).toBe(303);
    expect(opened.headers.location).toBe('/conversations');
    expect(browser.cookie('guichet_view')).toBeTruthy();

    const list = await browser.get('/conversations');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('Vue confidentielle de l’espace de Claire Martin, en lecture seule');
    expect(list.body).toContain(`Motif : ${reason}`);
    expect(list.body).toContain(`Fuite ${conversationId.slice(0, 6)}`);
    const thread = await browser.get(`/conversations/${conversationId}`);
    expect(thread.statusCode).toBe(200);
    expect(thread.body).toContain('Un plombier passe jeudi.');
    const casePage = await browser.get(`/dossiers/${kase.id}`);
    expect(casePage.statusCode).toBe(200);
    expect(casePage.body).toContain(kase.number);
    // Read by the manager, still unread for the client.
    expect(
      (await db.selectFrom('messages').select('read_at').where('id', '=', answerId).executeTakeFirstOrThrow()).read_at,
    ).toBeNull();

    // Nothing can be done in the client's name: a reply, the new-request form, the JSON API.
    const reply = await browser.post(
      `/conversations/${conversationId}/messages`,
      { body: 'Écrit par la responsable' },
      { csrf: csrfToken(thread.body) },
    );
    expect(reply.statusCode).toBe(403);
    expect(reply.body).toContain('Rien n’a été fait.');
    expect(
      await db.selectFrom('messages').select('id').where('conversation_id', '=', conversationId).execute(),
    ).toHaveLength(2);
    expect((await browser.get('/conversations/nouvelle')).statusCode).toBe(403);
    expect((await browser.get('/api/v1/me')).statusCode).toBe(403);

    // Three pages seen, each audited with its path; the opening with its reason.
    const view = await db
      .selectFrom('client_views')
      .selectAll()
      .where('client_account_id', '=', client.id)
      .executeTakeFirstOrThrow();
    expect(view.pages).toBe(3);
    expect(view.staff_account_id).toBe(manager.id);
    const audits = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('subject_id', '=', client.id)
      .orderBy('at')
      .execute();
    expect(audits.filter((a) => a.action === VIEW_START_ACTION).map((a) => a.details)).toEqual([
      { viewId: view.id, reason },
    ]);
    expect(
      audits.filter((a) => a.action === VIEW_PAGE_ACTION).map((a) => (a.details as { path: string }).path),
    ).toEqual(['/conversations', `/conversations/${conversationId}`, `/dossiers/${kase.id}`]);

    // Ended from the banner: back to the record, the view gone, the log shows it.
    const ended = await browser.post(
      `/back-office/clients/vues/${view.id}/fin`,
      {},
      { csrf: csrfToken(casePage.body) },
    );
    expect(ended.statusCode).toBe(303);
    expect(ended.headers.location).toBe(`${record(client)}?fait=vue-fin`);
    expect(browser.cookie('guichet_view')).toBeUndefined();
    expect((await browser.get('/conversations')).headers.location).toMatch(/^\/connexion/);
    expect(
      (
        await db
          .selectFrom('audit_log')
          .select('id')
          .where('subject_id', '=', client.id)
          .where('action', '=', VIEW_END_ACTION)
          .execute()
      ).length,
    ).toBe(1);
    const after = await browser.get(ended.headers.location as string);
    expect(after.body).toContain('La vue de l’espace client est terminée.');
    expect(after.body).toContain('Hélène Responsable');
    expect(after.body).toMatch(/data-label="Pages vues">3</);
  });

  it('is refused to agents, belongs to the one who opened it, and ends at its time limit', async () => {
    const { client } = await clientWithSpace();
    const { browser: agent } = await staffSignedIn('agent', 'Paul Agent');
    expect((await agent.get(record(client))).body).not.toContain('Vue confidentielle de l’espace client');
    const refused = await agent.post(
      `${record(client)}/vue`,
      { reason: 'Je voudrais juste regarder.' },
      { formUrl: record(client) },
    );
    expect(refused.statusCode).toBe(403);
    expect(
      await db.selectFrom('client_views').select('id').where('client_account_id', '=', client.id).execute(),
    ).toHaveLength(0);

    const { browser: manager } = await staffSignedIn('manager', 'Hélène Responsable');
    await manager.post(
      `${record(client)}/vue`,
      { reason: 'Le client signale une page vide.' },
      { formUrl: record(client) },
    );
    const token = manager.cookie('guichet_view')!;
    // Another head of service with the same cookie sees nothing of the client.
    const { browser: other } = await staffSignedIn('manager', 'Autre Responsable');
    other.setCookie('guichet_view', token);
    const stolen = await other.get('/conversations');
    expect(stolen.statusCode).toBe(303);
    expect(stolen.headers.location).toBe('/back-office/clients?vue=terminee');
    expect(stolen.body).not.toContain('Claire Martin');

    // Past its time limit, the view sends its opener back to the back-office.
    expect((await manager.get('/conversations')).statusCode).toBe(200);
    await db
      .updateTable('client_views')
      .set({ expires_at: new Date(Date.now() - 60_000) })
      .where('client_account_id', '=', client.id)
      .execute();
    const expired = await manager.get('/conversations');
    expect(expired.statusCode).toBe(303);
    expect(expired.headers.location).toBe('/back-office/clients?vue=terminee');
    expect(manager.cookie('guichet_view')).toBeUndefined();
    expect((await manager.get(expired.headers.location as string)).body).toContain(
      'La vue de l’espace client est terminée.',
    );
  });
  it('lets an administrator name a head of service, who may then open the view; others cannot change roles', async () => {
    const { client } = await clientWithSpace();
    const { account: agentAccount, browser: agent } = await staffSignedIn('agent', 'Nina Collaboratrice');
    expect((await agent.get('/back-office/equipe')).statusCode).toBe(403);
    const self = await agent.post(
      `/back-office/equipe/${agentAccount.id}/role`,
      { role: 'manager' },
      { formUrl: record(client) },
    );
    expect(self.statusCode).toBe(403);

    const { account: adminAccount, password } = await createStaff(db, { name: 'Admin Redmine', admin: true });
    const admin = new Browser(system.app!);
    await admin.login(adminAccount.email, password, 'staff');
    const team = await admin.get('/back-office/equipe');
    expect(team.statusCode).toBe(200);
    expect(team.body).toContain('Nina Collaboratrice');
    const bad = await admin.post(
      `/back-office/equipe/${agentAccount.id}/role`,
      { role: 'admin' },
      { formUrl: '/back-office/equipe' },
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Ce rôle n’existe pas.');
    const named = await admin.post(
      `/back-office/equipe/${agentAccount.id}/role`,
      { role: 'manager' },
      { formUrl: '/back-office/equipe' },
    );
    expect(named.headers.location).toBe('/back-office/equipe?fait=1');
    const audits = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('subject_id', '=', agentAccount.id)
      .where('action', '=', 'staff.role')
      .execute();
    expect(audits.map((a) => [a.actor_account_id, a.details])).toEqual([
      [adminAccount.id, { from: 'agent', to: 'manager' }],
    ]);

    // The same person, now head of service, may open the view (roles are read on every request).
    expect((await agent.get(record(client))).body).toContain('Vue confidentielle de l’espace client');
    const opened = await agent.post(
      `${record(client)}/vue`,
      { reason: 'Vérifier ce que voit le client.' },
      { formUrl: record(client) },
    );
    expect(opened.statusCode).toBe(303);
    expect((await agent.get('/conversations')).body).toContain('Vue confidentielle de l’espace de Claire Martin');
  });
  it('shows only the viewer’s own spaces: another space’s conversations and cases of the client do not exist in the view', async () => {
    const { browser } = await staffSignedIn('manager', 'Hélène Un Espace');
    const { client, conversationId, kase } = await clientWithSpace();
    const other = await createSpace(db, `Autre espace ${randomUUID().slice(0, 6)}`);
    const elsewhere = randomUUID();
    await createConversation(db, {
      id: elsewhere,
      spaceId: other.id,
      clientAccountId: client.id,
      subject: `Ailleurs ${elsewhere.slice(0, 6)}`,
      cc: '',
    });
    await insertMessage(db, {
      id: randomUUID(),
      conversationId: elsewhere,
      authorKind: 'client',
      authorAccountId: client.id,
      authorDisplayName: client.full_name,
      body: 'Dans un autre service.',
    });
    const otherCase = await makeCase(db, {
      space: other,
      client,
      template,
      number: `AILLEURS-${elsewhere.slice(0, 6)}`,
    });

    const opened = await browser.post(
      `${record(client)}/vue`,
      { reason: 'La cliente appelle au sujet de son dossier de location.' },
      { formUrl: record(client) },
    );
    expect(opened.statusCode).toBe(303);
    const list = await browser.get('/conversations');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain(`Fuite ${conversationId.slice(0, 6)}`);
    expect(list.body).not.toContain(`Ailleurs ${elsewhere.slice(0, 6)}`);
    expect((await browser.get(`/conversations/${elsewhere}`)).statusCode).toBe(404);
    expect((await browser.get(`/conversations/${conversationId}`)).statusCode).toBe(200);
    const cases = await browser.get('/dossiers');
    expect(cases.body).toContain(kase.number);
    expect(cases.body).not.toContain(otherCase.number);
    expect((await browser.get(`/dossiers/${otherCase.id}`)).statusCode).toBe(404);
    expect((await browser.get(`/dossiers/${kase.id}`)).statusCode).toBe(200);

    // The client, signed in, still sees both spaces.
    const own = new Browser(system.app!);
    expect((await own.login(client.email, 'test-pass-word')).statusCode).toBe(303);
    const mine = await own.get('/conversations');
    expect(mine.body).toContain(`Fuite ${conversationId.slice(0, 6)}`);
    expect(mine.body).toContain(`Ailleurs ${elsewhere.slice(0, 6)}`);
    expect((await own.get(`/dossiers/${otherCase.id}`)).statusCode).toBe(200);
  });
});
