// Back-office templates: staff read, administrators edit with a preview, unknown tags refused,
// and the acknowledgement e-mail follows the edited template. The invitation template is edited in
// English only: the contributor tests of the run send French invitations at the same time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSystem } from '../../runtime/system.js';
import { getTemplate } from '../../db/templates.js';
import { createClient, createSpace, createStaff } from '../helpers/fixtures.js';
import { Browser } from '../helpers/http.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { startTestSystem } from '../helpers/system.js';

let system: RunningSystem & { url: string };
let smtp: TestSmtp;

beforeAll(async () => {
  smtp = await startSmtp();
  system = await startTestSystem({ SMTP_URL: smtp.url });
});
afterAll(async () => {
  await system?.database.db.deleteFrom('email_templates').where('key', '=', 'contributor-invitation').execute();
  await system?.stop();
  await smtp?.close();
});

async function staffBrowser(admin: boolean): Promise<Browser> {
  const { account, password } = await createStaff(system.database.db, { admin });
  const browser = new Browser(system.app!);
  expect((await browser.login(account.email, password, 'staff')).statusCode).toBe(303);
  return browser;
}

describe('template pages', () => {
  it('lets every staff member read templates but only administrators change them', async () => {
    const agent = await staffBrowser(false);
    const list = await agent.get('/back-office/modeles');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('Accusé de réception (e-mail)');
    expect(list.body).toContain('Relance de pièces manquantes');
    const page = await agent.get('/back-office/modeles/contributor-invitation/en');
    expect(page.body).toContain('Lecture seule');
    expect(page.body).not.toContain('name="action"');
    const refused = await agent.post('/back-office/modeles/contributor-invitation/en', {
      action: 'save',
      subject: 'X {{caseNumber}}',
      body: 'Y',
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('Seuls les administrateurs peuvent faire cette modification.');
    expect((await getTemplate(system.database.db, 'contributor-invitation', 'en')).edited).toBe(false);
    expect((await new Browser(system.app!).get('/back-office/modeles')).headers.location).toBe(
      '/back-office/connexion',
    );
    expect((await agent.get('/back-office/modeles/nope/fr')).statusCode).toBe(404);
  });

  it('previews what was typed with escaped sample values, refuses unknown tags, then saves and resets', async () => {
    const admin = await staffBrowser(true);
    const url = '/back-office/modeles/contributor-invitation/en';
    const preview = await admin.post(url, {
      action: 'preview',
      subject: 'Dossier {{caseNumber}}',
      body: '<b>Bonjour</b> {{contributorFullName}}',
    });
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain('<strong>Objet :</strong> Dossier D-2026-0042');
    expect(preview.body).toContain('&lt;b&gt;Bonjour&lt;/b&gt; Marc Martin');
    expect((await getTemplate(system.database.db, 'contributor-invitation', 'en')).edited).toBe(false);

    const bad = await admin.post(url, { action: 'save', subject: 'Dossier {{numero}}', body: 'Bonjour' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Balise inconnue : {{numero}}. Balises possibles pour ce modèle');
    expect(bad.body).toContain('Dossier {{numero}}'); // what was typed is kept
    expect((await getTemplate(system.database.db, 'contributor-invitation', 'en')).edited).toBe(false);

    const saved = await admin.post(url, {
      action: 'save',
      subject: 'Dossier {{caseNumber}}',
      body: 'Bonjour {{contributorFullName}}',
    });
    expect(saved.statusCode).toBe(303);
    const after = await admin.get(saved.headers.location as string);
    expect(after.body).toContain('Le modèle est enregistré');
    expect(await getTemplate(system.database.db, 'contributor-invitation', 'en')).toMatchObject({
      edited: true,
      subject: 'Dossier {{caseNumber}}',
    });
    expect((await admin.get('/back-office/modeles')).body).toContain('Modifié');

    const reset = await admin.post(url, { action: 'reset' });
    expect(reset.statusCode).toBe(303);
    expect((await getTemplate(system.database.db, 'contributor-invitation', 'en')).edited).toBe(false);
  });

  it('sends the acknowledgement from the edited template', async () => {
    const db = system.database.db;
    const admin = await staffBrowser(true);
    // English, and keeping what the other English tests of the run look for ("Hello <name>,").
    const body =
      'Hello {{clientFullName}},\n\nEdited acknowledgement for « {{conversationSubject}} ».\n\n{{conversationUrl}}';
    const saved = await admin.post('/back-office/modeles/conversation-acknowledgement/en', {
      action: 'save',
      subject: 'Your request has been received: {{conversationSubject}}',
      body,
    });
    expect(saved.statusCode).toBe(303);
    try {
      const space = await createSpace(db);
      const { account: client, password } = await createClient(db, { space, name: 'Emma <Edited>', locale: 'en' });
      const browser = new Browser(system.app!);
      await browser.login(client.email, password);
      const created = await browser.post(
        '/conversations',
        { spaceId: space.id, subject: 'Broken window', body: 'The window is broken.' },
        { formUrl: '/conversations/nouvelle' },
      );
      expect(created.statusCode).toBe(303);
      const mail = await smtp.waitFor(
        (m) => smtp.to(client.email).includes(m) && m.subject === 'Your request has been received: Broken window',
        30_000,
      );
      expect(mail.text).toContain('Hello Emma <Edited>,');
      expect(mail.text).toContain('Edited acknowledgement for « Broken window ».');
    } finally {
      await admin.post('/back-office/modeles/conversation-acknowledgement/en', { action: 'reset' });
    }
  });
});
