// E-mail templates against the run's PostgreSQL: defaults from code, edited versions, escaping,
// unknown tags refused at save. Edits only English versions: other test files in the same
// database read French e-mails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { openDatabase, type OpenDatabase } from '../../db/connect.js';
import {
  TemplateValidationError,
  getTemplate,
  renderTemplate,
  resetTemplate,
  saveTemplate,
  unknownTags,
} from '../../db/templates.js';
import { messages } from '../../i18n/index.js';
import { createStaff } from '../helpers/fixtures.js';

let database: OpenDatabase;
let editor: { accountId: string; uiLocale: 'fr' | 'en' };

beforeAll(async () => {
  database = await openDatabase({ url: inject('databaseUrl') });
  const { account } = await createStaff(database.db, { admin: true });
  editor = { accountId: account.id, uiLocale: 'fr' };
});
afterAll(async () => {
  await database?.db
    .deleteFrom('email_templates')
    .where('key', 'in', ['case-available', 'document-reminder'])
    .execute();
  await database?.close();
});

describe('e-mail templates', () => {
  it('renders the defaults exactly as the catalogue wrote the e-mails before templates existed', async () => {
    const t = messages('fr');
    const url = 'https://guichet.test/conversations/1';
    const ack = await renderTemplate(database.db, 'conversation-acknowledgement', 'fr', {
      clientFullName: 'Claire Martin',
      conversationSubject: 'Fuite',
      conversationUrl: url,
      expectedAnswerAt: '',
    });
    expect(ack.subject).toBe(t.mail.ackSubject('Fuite'));
    expect(ack.text).toBe(
      [
        t.mail.greeting('Claire Martin'),
        '',
        t.mail.ackIntro,
        '',
        t.mail.readOnline(url),
        '',
        t.mail.signature,
        '',
        t.mail.noReply,
      ].join('\n'),
    );
    const thread = await renderTemplate(database.db, 'acknowledgement-message', 'en', {
      clientFullName: 'Emma',
      conversationSubject: 'Leak',
      expectedAnswerAt: '',
    });
    expect(thread.text).toBe(messages('en').ack.body);
    const password = await renderTemplate(database.db, 'password', 'en', {
      clientFullName: 'Emma English',
      password: 'abcd-efgh-jkmn',
      loginUrl: 'https://g.test/connexion',
    });
    expect(password.subject).toBe(messages('en').mail.passwordSubject);
    expect(password.text).toContain('    abcd-efgh-jkmn\n');
  });

  it('escapes HTML in tag values (and in the text) for the HTML rendering, never in the plain text', async () => {
    const vars = {
      clientFullName: '<script>alert(1)</script>',
      caseNumber: 'A&B "1"',
      caseUrl: 'https://g.test/?a=1&b=2',
    };
    const out = await renderTemplate(database.db, 'case-available', 'fr', vars);
    expect(out.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(out.html).not.toContain('<script>');
    expect(out.html).toContain('A&amp;B &quot;1&quot;');
    expect(out.html).toContain('<br>');
    expect(out.text).toContain('<script>alert(1)</script>');
    expect(out.subject).toBe('Votre dossier A&B "1" est disponible');
  });

  it('refuses unknown tags at save with a clear message, and stores nothing', async () => {
    expect(unknownTags('case-available', 'Bonjour {{clientFullName}} {{ caseNumber }} {{montant}} {{oups')).toEqual([
      'montant',
      'oups',
    ]);
    const error = await saveTemplate(
      database.db,
      'case-available',
      'fr',
      { subject: 'Dossier {{caseNumber}}', body: 'Montant : {{montant}}' },
      editor,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TemplateValidationError);
    expect((error as TemplateValidationError).problems).toEqual([
      'Balise inconnue : {{montant}}. Balises possibles pour ce modèle : {{clientFullName}}, {{caseNumber}}, {{caseUrl}}. Rien n’a été enregistré.',
    ]);
    const english = await saveTemplate(
      database.db,
      'case-available',
      'en',
      { subject: '', body: '{{amount}}' },
      { ...editor, uiLocale: 'en' },
    ).catch((e: unknown) => e);
    expect((english as TemplateValidationError).problems).toEqual([
      'Please give the e-mail a subject.',
      'Unknown tag: {{amount}}. Tags this template accepts: {{clientFullName}}, {{caseNumber}}, {{caseUrl}}. Nothing was saved.',
    ]);
    expect((await getTemplate(database.db, 'case-available', 'fr')).edited).toBe(false);
    expect((await getTemplate(database.db, 'case-available', 'en')).edited).toBe(false);
  });

  it('uses the edited version of one language only, and the default again after a reset', async () => {
    // English only: the French reminder is what the document-collection tests read, in the same database.
    await saveTemplate(
      database.db,
      'document-reminder',
      'en',
      { subject: 'Chasing {{caseNumber}}', body: 'Still missing:\n{{missingDocuments}}\n{{caseUrl}}' },
      editor,
    );
    const vars = {
      clientFullName: 'Claire',
      caseNumber: 'D-1',
      missingDocuments: '- RIB',
      caseUrl: 'https://g.test/d/1',
    };
    const en = await renderTemplate(database.db, 'document-reminder', 'en', vars);
    expect(en).toMatchObject({ subject: 'Chasing D-1', text: 'Still missing:\n- RIB\nhttps://g.test/d/1' });
    const fr = await renderTemplate(database.db, 'document-reminder', 'fr', vars);
    expect(fr.subject).toBe('Dossier D-1 : des pièces sont attendues');
    await resetTemplate(database.db, 'document-reminder', 'en');
    const back = await renderTemplate(database.db, 'document-reminder', 'en', vars);
    expect(back.subject).toBe('Case D-1: documents are expected');
    expect(back.text).toBe(
      [
        'Hello Claire,',
        '',
        messages('en').documents.reminderIntro,
        '',
        '- RIB',
        '',
        messages('en').documents.depositOnline('https://g.test/d/1'),
        '',
        messages('en').mail.signature,
        '',
        messages('en').mail.noReply,
      ].join('\n'),
    );
  });
});
