// The team page with local staff accounts (STAFF_LOGIN=local): an administrator gives each
// person their spaces, which decide what they see at once, and removes people from the team,
// which ends their sessions; the forms are labelled, in French and English; agents are kept out.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../db/connect.js';
import { createConversation } from '../../db/conversations.js';
import type { RunningSystem } from '../../runtime/system.js';
import { createClient, createSpace, createStaff } from '../helpers/fixtures.js';
import { Browser, csrfToken } from '../helpers/http.js';
import { startTestSystem } from '../helpers/system.js';

let system: RunningSystem & { url: string };
let db: Db;
let admin: Browser;
let adminId: string;

beforeAll(async () => {
  system = await startTestSystem();
  db = system.database.db;
  const { account, password } = await createStaff(db, { name: 'Alice Admin', admin: true });
  adminId = account.id;
  admin = new Browser(system.app!);
  expect((await admin.login(account.email, password, 'staff')).statusCode).toBe(303);
});
afterAll(async () => {
  await system?.stop();
});

async function signedIn(email: string, password: string): Promise<Browser> {
  const browser = new Browser(system.app!);
  expect((await browser.login(email, password, 'staff')).statusCode).toBe(303);
  return browser;
}

describe('the team page (local staff)', () => {
  it('gives a staff member their spaces, which decide what they see; refuses an unknown space; audits', async () => {
    const syndic = await createSpace(db, `Syndic ${randomUUID().slice(0, 6)}`);
    const location = await createSpace(db, `Location ${randomUUID().slice(0, 6)}`);
    const { account: client } = await createClient(db, { space: syndic, name: 'Claire Martin' });
    const conversationId = randomUUID();
    const subject = `Ascenseur ${randomUUID().slice(0, 6)}`;
    await createConversation(db, {
      id: conversationId,
      spaceId: syndic.id,
      clientAccountId: client.id,
      subject,
      cc: '',
    });
    const { account: agent, password } = await createStaff(db, { name: `Paul Agent ${randomUUID().slice(0, 4)}` });
    const agentBrowser = await signedIn(agent.email, password);
    expect((await agentBrowser.get(`/back-office/conversations/${conversationId}`)).statusCode).toBe(404);
    expect((await agentBrowser.get('/back-office')).body).not.toContain(subject);

    const page = await admin.get('/back-office/equipe');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`<legend>Espaces de ${agent.full_name}</legend>`);
    expect(page.body).toMatch(
      new RegExp(`<label class="check"><input type="checkbox" name="space" value="${syndic.id}"> `),
    );

    // Two checkboxes: the form sends the field twice.
    const token = csrfToken(page.body);
    const given = await system.app!.inject({
      method: 'POST',
      url: `/back-office/equipe/${agent.id}/espaces`,
      payload: `_csrf=${encodeURIComponent(token)}&space=${syndic.id}&space=${location.id}`,
      headers: {
        cookie: `guichet_staff=${admin.cookie('guichet_staff')}; guichet_csrf=${admin.cookie('guichet_csrf')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
    });
    expect(given.statusCode).toBe(303);
    expect(given.headers.location).toBe('/back-office/equipe?fait=espaces');
    const rows = await db
      .selectFrom('staff_spaces')
      .select(['space_id', 'source'])
      .where('account_id', '=', agent.id)
      .orderBy('space_id')
      .execute();
    expect(rows).toEqual([syndic.id, location.id].sort().map((id) => ({ space_id: id, source: 'local' })));
    expect((await admin.get('/back-office/equipe?fait=espaces')).body).toContain('Les espaces sont enregistrés.');
    // Seen at the agent's next request, same session.
    expect((await agentBrowser.get(`/back-office/conversations/${conversationId}`)).statusCode).toBe(200);
    expect((await agentBrowser.get('/back-office')).body).toContain(subject);

    const unknown = await admin.post(
      `/back-office/equipe/${agent.id}/espaces`,
      { space: randomUUID() },
      { formUrl: '/back-office/equipe' },
    );
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body).toContain('Un des espaces choisis n’existe pas. Rien n’a été enregistré.');
    expect(
      await db.selectFrom('staff_spaces').select('space_id').where('account_id', '=', agent.id).execute(),
    ).toHaveLength(2);

    // Nothing ticked: no space any more.
    expect(
      (await admin.post(`/back-office/equipe/${agent.id}/espaces`, {}, { formUrl: '/back-office/equipe' })).statusCode,
    ).toBe(303);
    expect((await agentBrowser.get(`/back-office/conversations/${conversationId}`)).statusCode).toBe(404);
    const audits = await db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'staff.spaces')
      .where('subject_id', '=', agent.id)
      .execute();
    expect(audits).toHaveLength(2);
  });

  it('removes a staff member after a confirmation, ending their sessions; not oneself; agents cannot', async () => {
    const { account: leaving, password } = await createStaff(db, { name: `Léo Départ ${randomUUID().slice(0, 4)}` });
    const first = await signedIn(leaving.email, password);
    const second = await signedIn(leaving.email, password);
    expect((await first.get('/back-office')).statusCode).toBe(200);

    // Agents never reach the team page or its forms.
    const agentToken = csrfToken((await first.get('/back-office')).body);
    expect(
      (await first.post(`/back-office/equipe/${adminId}/suppression`, { confirm: '1' }, { csrf: agentToken }))
        .statusCode,
    ).toBe(403);

    const unconfirmed = await admin.post(
      `/back-office/equipe/${leaving.id}/suppression`,
      {},
      { formUrl: '/back-office/equipe' },
    );
    expect(unconfirmed.statusCode).toBe(400);
    expect(unconfirmed.body).toContain(
      'Cochez la case de confirmation pour retirer cette personne. Rien n’a été modifié.',
    );
    const self = await admin.post(
      `/back-office/equipe/${adminId}/suppression`,
      { confirm: '1' },
      { formUrl: '/back-office/equipe' },
    );
    expect(self.statusCode).toBe(400);
    expect(self.body).toContain('Vous ne pouvez pas vous retirer vous-même de l’équipe.');

    const removed = await admin.post(
      `/back-office/equipe/${leaving.id}/suppression`,
      { confirm: '1' },
      { formUrl: '/back-office/equipe' },
    );
    expect(removed.statusCode).toBe(303);
    expect(removed.headers.location).toBe('/back-office/equipe?fait=retrait');
    expect((await db.selectFrom('sessions').select('id').where('account_id', '=', leaving.id).execute()).length).toBe(
      0,
    );
    for (const browser of [first, second]) {
      const res = await browser.get('/back-office');
      expect(res.statusCode).toBe(302);
      expect(res.headers.location).toBe('/back-office/connexion?expire=1');
    }
    expect((await new Browser(system.app!).login(leaving.email, password, 'staff')).statusCode).toBe(401);
    const page = await admin.get('/back-office/equipe?fait=retrait');
    expect(page.body).toContain('La personne a été retirée de l’équipe ; ses sessions sont terminées.');
    expect(page.body).not.toContain(leaving.full_name);
    expect(
      await db
        .selectFrom('audit_log')
        .select('id')
        .where('action', '=', 'staff.remove')
        .where('subject_id', '=', leaving.id)
        .execute(),
    ).toHaveLength(1);
    // Removed already: nothing to remove.
    expect(
      (
        await admin.post(
          `/back-office/equipe/${leaving.id}/suppression`,
          { confirm: '1' },
          { formUrl: '/back-office/equipe' },
        )
      ).statusCode,
    ).toBe(404);
  });

  it('speaks English to an English reader', async () => {
    const { account: other } = await createStaff(db, { name: `Nina Other ${randomUUID().slice(0, 4)}` });
    const english = new Browser(system.app!);
    const { account, password } = await createStaff(db, { name: 'Eve Admin', admin: true });
    english.setCookie('guichet_lang', 'en');
    expect((await english.login(account.email, password, 'staff')).statusCode).toBe(303);
    const page = await english.get('/back-office/equipe');
    expect(page.body).toContain(`<legend>Spaces of ${other.full_name}</legend>`);
    expect(page.body).toContain('Save the spaces');
    expect(page.body).toContain(`I confirm removing ${other.full_name}: their sessions end at once.`);
    const refused = await english.post(
      `/back-office/equipe/${other.id}/suppression`,
      {},
      { formUrl: '/back-office/equipe' },
    );
    expect(refused.body).toContain('Tick the confirmation box to remove this person. Nothing was changed.');
  });
});
