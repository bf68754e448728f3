// Document collection against the real Redmine 5.0 and a real SMTP server: each deposit, review
// and client comment becomes a private note on the case's issue (checked private by reading it
// back), the agency is e-mailed, and none of those notes reaches the client.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRedmineClient, type RedmineClient } from '../../connectors/redmine/index.js';
import { openDatabase, type Db } from '../../db/connect.js';
import { caseDocuments } from '../../db/documents.js';
import type { Space } from '../../db/database.js';
import type { RunningSystem } from '../../runtime/system.js';
import { categoryId, cloneTemplate, makeCase, makePdf } from '../helpers/documents.js';
import { createClient, createStaff } from '../helpers/fixtures.js';
import { Browser } from '../helpers/http.js';
import { RedmineAdmin, redmineTestEnv, unique } from '../helpers/redmine.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { startTestSystem } from '../helpers/system.js';

let system: RunningSystem & { url: string };
let smtp: TestSmtp;
let staffRedmine: RedmineClient;
let admin: RedmineAdmin;
let space: Space;
let db: Db;
let projectId: number;
const EMAIL_FIELD = 1;
const AGENCY = 'agence.documents@example.test';

beforeAll(async () => {
  const env = redmineTestEnv();
  smtp = await startSmtp();
  staffRedmine = createRedmineClient({ baseUrl: env.url, apiKey: env.adminKey });
  admin = new RedmineAdmin(env);
  projectId = (await staffRedmine.listProjects()).find((p) => p.identifier === 'guichet-demo')!.id;
  const probe = await openDatabase({ url: inject('databaseUrl') });
  space = await probe.db
    .insertInto('spaces')
    .values({ slug: unique('credit'), name: 'Crédit auto', team_email: AGENCY })
    .returningAll()
    .executeTakeFirstOrThrow();
  await probe.close();
  system = await startTestSystem({
    SMTP_URL: smtp.url,
    REDMINE_URL: env.url,
    REDMINE_API_KEY: env.apiKey,
    REDMINE_PROJECTS: `${space.slug}=guichet-demo`,
    REDMINE_POLL_SECONDS: '0.5',
    // Staff here are local accounts (Redmine sign-in has its own tests).
    STAFF_LOGIN: 'local',
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
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('document collection and Redmine', () => {
  it('writes deposits, reviews and comments as private notes on the case’s issue, and e-mails the agency', async () => {
    const template = await cloneTemplate(db, 'credit-bail-vehicule', { digestMinutes: 0 });
    const { account, password } = await createClient(db, { space, name: 'Claire Martin' });
    const issue = await staffRedmine.createIssue({
      projectId,
      subject: unique('Dossier TELEFI'),
      description: 'Dossier de financement',
      customFields: [{ id: EMAIL_FIELD, value: account.email }],
    });
    admin.trackIssue(issue.id);
    const kase = await makeCase(db, { space, client: account, template, number: unique('TELEFI') });
    await db.updateTable('cases').set({ redmine_issue_id: issue.id }).where('id', '=', kase.id).execute();

    const client = new Browser(system.app!);
    await client.login(account.email, password);
    const page = `/dossiers/${kase.id}`;
    const rib = await categoryId(db, template.id, 'rib');
    const identity = await categoryId(db, template.id, 'identite');
    expect(
      (
        await client.postMultipart(
          `${page}/documents`,
          { category: rib },
          [{ filename: 'rib banque.pdf', content: await makePdf(1) }],
          { formUrl: page },
        )
      ).statusCode,
    ).toBe(303);
    expect(
      (
        await client.postMultipart(
          `${page}/documents`,
          { category: identity },
          [{ filename: 'cni.pdf', content: await makePdf(1) }],
          { formUrl: page },
        )
      ).statusCode,
    ).toBe(303);
    expect(
      (await client.post(`${page}/commentaires`, { comment: 'Le RIB est celui du compte joint.' }, { formUrl: page }))
        .statusCode,
    ).toBe(303);

    const { account: agentAccount, password: agentPassword } = await createStaff(db, {
      name: 'Julien Bernard',
      spaces: [space],
    });
    const agent = new Browser(system.app!);
    await agent.login(agentAccount.email, agentPassword, 'staff');
    const staffPage = `/back-office/dossiers/${kase.id}`;
    const docs = await caseDocuments(db, kase.id);
    const ribDoc = docs.find((d) => d.category_id === rib)!;
    const idDoc = docs.find((d) => d.category_id === identity)!;
    await agent.post(
      `${staffPage}/documents/${ribDoc.id}/examen`,
      { decision: 'validate', piece: 'rib' },
      { formUrl: staffPage },
    );
    await agent.post(
      `${staffPage}/documents/${idDoc.id}/examen`,
      { decision: 'reject', reason: 'perime', comment: 'CNI expirée en 2024' },
      { formUrl: staffPage },
    );

    const expected = [
      'Dépôt : Claire Martin a déposé « rib banque.pdf » dans « RIB ».',
      'Dépôt : Claire Martin a déposé « cni.pdf » dans « Identité ».',
      'Commentaire de Claire Martin : Le RIB est celui du compte joint.',
      'Validation : Julien Bernard a validé « rib banque.pdf » (RIB).',
      'Refus : Julien Bernard a refusé « cni.pdf » (Identité) : Document périmé (CNI expirée en 2024).',
    ];
    const read = await eventually(
      () => staffRedmine.getIssue(issue.id, { journals: true }),
      (i) => expected.every((text) => (i?.journals ?? []).some((j) => j.notes.includes(text))),
      'the five private notes',
    );
    for (const text of expected) {
      const journal = read!.journals!.find((j) => j.notes.includes(text))!;
      expect(journal.privateNotes, text).toBe(true);
    }

    // The agency: deposits, then the comment.
    await smtp.waitFor(
      (m) => (m.subject ?? '').startsWith(`Dossier ${kase.number} :`) && (m.text ?? '').includes('rib banque.pdf'),
    );
    const comment = await smtp.waitFor((m) => m.subject === `Dossier ${kase.number} : commentaire du client`);
    expect(comment.text).toContain('Le RIB est celui du compte joint.');
    // The client is told of the refusal, with its reason.
    const refusal = await smtp.waitFor((m) => m.subject === `Dossier ${kase.number} : un document est refusé`);
    expect(refusal.text).toContain('Document périmé (CNI expirée en 2024)');
    // Its HTML part says the same, with the case's link clickable.
    expect(String(refusal.html)).toContain('Document périmé (CNI expirée en 2024)');
    expect(String(refusal.html)).toMatch(new RegExp(`<a href="[^"]*/dossiers/${kase.id}"`));

    // None of the private notes reaches the client: not on the case page, not in the mirrored
    // conversation of the issue, not in any e-mail to them.
    const conversation = await eventually(
      () => db.selectFrom('conversations').select('id').where('redmine_issue_id', '=', issue.id).executeTakeFirst(),
      (c) => c !== undefined,
      'the issue mirrored as a conversation',
    );
    const pages = [
      await client.get(page),
      await client.get(`/conversations/${conversation!.id}`),
      await client.get('/conversations'),
    ];
    for (const res of pages)
      for (const text of ['Dépôt :', 'Validation :', 'Refus :', 'guichet:']) expect(res.body).not.toContain(text);
    for (const mail of smtp.to(account.email))
      for (const text of ['Dépôt :', 'Validation :', 'Refus :']) expect(mail.text ?? '').not.toContain(text);
  });
});
