// Who may do what in a shared case, through HTTP against the real server, PostgreSQL and
// Temporal: for each person (main client, guarantor, occasional access, unrelated client,
// revoked contributor, anonymous) × each route and file of a case (page, list, deposit, split,
// withdraw, comment, download, invitation form), allowed or refused; other people's files are
// "not found" (404, never 403), and a contributor's pages name no other contributor.
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Db } from '../../db/connect.js';
import { addCaseMember, beginInvitation, caseAccessFor, issueInvitationToken } from '../../db/contributors.js';
import type { Account, Case, DocumentTemplate, Space } from '../../db/database.js';
import { addTemplateCategory, insertDocuments } from '../../db/documents.js';
import { startSystem, type RunningSystem } from '../../runtime/system.js';
import { categoryId, cloneTemplate, makeCase, makePdf } from '../helpers/documents.js';
import { createClient, createSpace, createStaff } from '../helpers/fixtures.js';
import { Browser } from '../helpers/http.js';
import { startTestSystem, testConfig } from '../helpers/system.js';

let system: RunningSystem & { url: string };
let db: Db;
let space: Space;
let rental: DocumentTemplate;

beforeAll(async () => {
  system = await startTestSystem();
  db = system.database.db;
  space = await createSpace(db, 'Gestion locative');
  rental = await cloneTemplate(db, 'demande-location', { digestMinutes: 0 });
  // A category asking nothing of the guarantor: theirs to neither see nor fill.
  await addTemplateCategory(db, rental.id, {
    code: 'quittances',
    label: 'Quittances de loyer',
    label_en: 'Rent receipts',
    accepts: [{ fr: 'Trois dernières quittances', en: 'Last three receipts' }],
    refusalReasons: [{ code: 'illisible', fr: 'Illisible', en: 'Illegible' }],
    pieces: [
      {
        code: 'quittances-locataire',
        label: { fr: 'Trois dernières quittances', en: 'Last three receipts' },
        role: 'locataire',
        rule: { kind: 'required' },
      },
    ],
  });
});
afterAll(async () => {
  await system?.stop();
});

async function signedIn(
  name: string,
  options: { space?: Space } = {},
): Promise<{ account: Account; browser: Browser }> {
  const { account, password } = await createClient(db, { name, ...options });
  const browser = new Browser(system.app!);
  expect((await browser.login(account.email, password)).statusCode).toBe(303);
  return { account, browser };
}

async function staffBrowser(): Promise<Browser> {
  const { account, password } = await createStaff(db, { name: 'Julien Bernard', spaces: [space] });
  const browser = new Browser(system.app!);
  expect((await browser.login(account.email, password, 'staff')).statusCode).toBe(303);
  return browser;
}

async function member(
  kase: Case,
  account: Account,
  kind: 'contributor' | 'occasional',
  status: 'active' | 'revoked',
  inviter: Account,
) {
  const row = await addCaseMember(db, {
    caseId: kase.id,
    accountId: account.id,
    kind,
    role: kind === 'contributor' ? 'garant' : null,
    invitedBy: inviter.id,
  });
  await db.updateTable('case_members').set({ status, accepted_at: new Date() }).where('id', '=', row.id).execute();
  return row;
}

async function fileOf(kase: Case, account: Account, code: string, fileName: string) {
  const [row] = await insertDocuments(db, [
    {
      caseId: kase.id,
      categoryId: await categoryId(db, kase.template_id, code),
      fileName,
      contentType: 'application/pdf',
      sizeBytes: 10,
      sha256: 'x'.repeat(64),
      storageKey: `missing/${fileName}-${kase.id}`,
      pageCount: 1,
      source: 'upload',
      depositedBy: account.id,
    },
  ]);
  return row!;
}

async function notificationTo(email: string, subjectPart: string): Promise<{ body_text: string }> {
  for (let i = 0; i < 100; i++) {
    const row = await db
      .selectFrom('notifications')
      .select(['body_text', 'subject'])
      .where('recipient', '=', email)
      .execute();
    const found = row.find((r) => r.subject.includes(subjectPart));
    if (found) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no e-mail to ${email}`);
}

describe('authorization matrix of a shared case', () => {
  it('gives each person exactly their part, and 404 for what is not theirs', async () => {
    const owner = await signedIn('Claire Martin', { space });
    const guarantor = await signedIn('Marc Garant');
    const occasional = await signedIn('Nadia Notaire');
    const stranger = await signedIn('Sam Inconnu');
    const revoked = await signedIn('Rémi Révoqué');
    const anonymous = new Browser(system.app!);
    const kase = await makeCase(db, {
      space,
      client: owner.account,
      template: rental,
      number: `LOC-${Date.now().toString(36).toUpperCase()}`,
    });
    await member(kase, guarantor.account, 'contributor', 'active', owner.account);
    await member(kase, occasional.account, 'occasional', 'active', owner.account);
    await member(kase, revoked.account, 'contributor', 'revoked', owner.account);
    const page = `/dossiers/${kase.id}`;
    const identity = await categoryId(db, rental.id, 'identite');
    const guarantee = await categoryId(db, rental.id, 'garantie');
    const receipts = await categoryId(db, rental.id, 'quittances');

    // ---- the access function itself ----
    expect((await caseAccessFor(db, owner.account.id, kase.id))?.kind).toBe('owner');
    expect(await caseAccessFor(db, guarantor.account.id, kase.id)).toMatchObject({
      kind: 'contributor',
      role: 'garant',
      permissions: { view: true, deposit: true, message: false, seeAll: false },
    });
    expect(await caseAccessFor(db, occasional.account.id, kase.id)).toMatchObject({
      kind: 'occasional',
      permissions: { deposit: false, seeAll: true },
    });
    expect(await caseAccessFor(db, stranger.account.id, kase.id)).toBeUndefined();
    expect(await caseAccessFor(db, revoked.account.id, kase.id)).toBeUndefined();

    // ---- deposits: the owner and the guarantor (in a category of their role only) ----
    const ownerDeposit = await owner.browser.postMultipart(
      `${page}/documents`,
      { category: identity },
      [{ filename: 'cni-claire.pdf', content: await makePdf(1) }],
      { formUrl: page },
    );
    expect(ownerDeposit.statusCode).toBe(303);
    const guarantorDeposit = await guarantor.browser.postMultipart(
      `${page}/documents`,
      { category: guarantee },
      [{ filename: 'acte-caution.pdf', content: await makePdf(1) }],
      { formUrl: page },
    );
    expect(guarantorDeposit.statusCode).toBe(303);
    const wrongCategory = await guarantor.browser.postMultipart(
      `${page}/documents`,
      { category: receipts },
      [{ filename: 'quittance.pdf', content: await makePdf(1) }],
      { formUrl: page },
    );
    expect(wrongCategory.statusCode).toBe(400);
    expect(wrongCategory.body).toContain('Merci de choisir une catégorie de ce dossier.');
    for (const [who, status] of [
      [occasional, 403],
      [stranger, 404],
      [revoked, 404],
    ] as const) {
      const res = await who.browser.postMultipart(
        `${page}/documents`,
        { category: guarantee },
        [{ filename: 'x.pdf', content: await makePdf(1) }],
        { formUrl: '/dossiers' },
      );
      expect(res.statusCode).toBe(status);
    }
    expect(
      (
        await anonymous.postMultipart(
          `${page}/documents`,
          { category: guarantee },
          [{ filename: 'x.pdf', content: await makePdf(1) }],
          { csrf: null },
        )
      ).statusCode,
    ).toBeGreaterThanOrEqual(300);
    const docs = await db
      .selectFrom('documents')
      .select(['id', 'file_name', 'deposited_by'])
      .where('case_id', '=', kase.id)
      .execute();
    expect(docs.map((d) => d.file_name).sort()).toEqual(['acte-caution.pdf', 'cni-claire.pdf']);
    const ownerDoc = docs.find((d) => d.file_name === 'cni-claire.pdf')!;
    const guarantorDoc = docs.find((d) => d.file_name === 'acte-caution.pdf')!;
    expect(guarantorDoc.deposited_by).toBe(guarantor.account.id);

    // ---- the case page ----
    const ownerPage = await owner.browser.get(page);
    expect(ownerPage.statusCode).toBe(200);
    expect(ownerPage.body).toContain('cni-claire.pdf');
    expect(ownerPage.body).toContain('acte-caution.pdf');
    expect(ownerPage.body).toContain('Personnes ayant accès');
    expect(ownerPage.body).toContain('Marc Garant');
    expect(ownerPage.body).not.toContain(guarantor.account.email);
    expect(ownerPage.body).toContain('Quittances de loyer');
    // The case record (payment, files staff publish) is the whole case's.
    expect(ownerPage.body).toContain('id="case-files"');

    const guarantorPage = await guarantor.browser.get(page);
    expect(guarantorPage.statusCode).toBe(200);
    expect(guarantorPage.body).toContain('acte-caution.pdf');
    expect(guarantorPage.body).toContain('en tant que garant');
    for (const hidden of [
      'cni-claire.pdf',
      'Quittances de loyer',
      'Nadia Notaire',
      occasional.account.email,
      'Rémi Révoqué',
      owner.account.email,
      'Personnes ayant accès',
      'commentaires',
    ]) {
      expect(guarantorPage.body).not.toContain(hidden);
    }
    expect(guarantorPage.body).not.toContain('id="case-files"');
    // Only the pieces asked of the guarantor are listed as missing.
    expect(guarantorPage.body).not.toContain('(locataire)');
    expect(guarantorPage.body).toContain('(garant)');

    const occasionalPage = await occasional.browser.get(page);
    expect(occasionalPage.statusCode).toBe(200);
    expect(occasionalPage.body).toContain('cni-claire.pdf');
    expect(occasionalPage.body).toContain('accès en consultation');
    expect(occasionalPage.body).not.toContain('name="files"');
    expect(occasionalPage.body).not.toContain('Marc Garant');
    expect(occasionalPage.body).toContain('id="case-files"');

    for (const who of [stranger, revoked]) expect((await who.browser.get(page)).statusCode).toBe(404);
    const anonymousPage = await anonymous.get(page);
    expect(anonymousPage.statusCode).toBe(302);
    expect(anonymousPage.headers.location).toBe('/connexion');

    // ---- the case list ----
    for (const who of [owner, guarantor, occasional])
      expect((await who.browser.get('/dossiers')).body).toContain(kase.number);
    for (const who of [stranger, revoked]) expect((await who.browser.get('/dossiers')).body).not.toContain(kase.number);
    expect((await anonymous.get('/dossiers')).statusCode).toBe(302);

    // ---- downloads: other people's files are not found ----
    const download = (who: Browser, docId: string) => who.get(`${page}/documents/${docId}`);
    // The stored files of these rows are real (deposited through HTTP): 200 means streamed.
    expect((await download(owner.browser, ownerDoc.id)).statusCode).toBe(200);
    expect((await download(owner.browser, guarantorDoc.id)).statusCode).toBe(200);
    expect((await download(guarantor.browser, guarantorDoc.id)).statusCode).toBe(200);
    expect((await download(guarantor.browser, ownerDoc.id)).statusCode).toBe(404);
    expect((await download(occasional.browser, ownerDoc.id)).statusCode).toBe(200);
    expect((await download(occasional.browser, guarantorDoc.id)).statusCode).toBe(200);
    for (const who of [stranger, revoked]) {
      expect((await download(who.browser, ownerDoc.id)).statusCode).toBe(404);
      expect((await download(who.browser, guarantorDoc.id)).statusCode).toBe(404);
    }
    expect((await download(anonymous, ownerDoc.id)).statusCode).toBe(302);
    // A file the revoked contributor deposited before losing access is not theirs to read any more.
    const before = await fileOf(kase, revoked.account, 'garantie', 'ancien.pdf');
    expect((await download(revoked.browser, before.id)).statusCode).toBe(404);
    // The guarantor does not see it either: it is not their own.
    expect((await download(guarantor.browser, before.id)).statusCode).toBe(404);

    // ---- files staff put in the case (a report): the whole case's, not a guarantor's ----
    const staff = await staffBrowser();
    const added = await staff.postMultipart(
      `/back-office/dossiers/${kase.id}/fichiers`,
      {},
      [{ filename: 'bail-signe.pdf', content: await makePdf(2, 'Bail') }],
      { formUrl: `/back-office/dossiers/${kase.id}` },
    );
    expect(added.statusCode).toBe(303);
    const caseFile = await db
      .selectFrom('case_files')
      .select('id')
      .where('case_id', '=', kase.id)
      .executeTakeFirstOrThrow();
    const fileUrl = `${page}/fichiers/${caseFile.id}`;
    for (const who of [owner, occasional]) expect((await who.browser.get(fileUrl)).statusCode).toBe(200);
    for (const who of [guarantor, stranger, revoked]) expect((await who.browser.get(fileUrl)).statusCode).toBe(404);
    expect((await anonymous.get(fileUrl)).statusCode).toBe(302);
    expect((await guarantor.browser.get(page)).body).not.toContain('bail-signe.pdf');
    // Only the downloads the owner and the occasional guest were allowed count.
    const counted = await db
      .selectFrom('audit_log')
      .select('actor_account_id')
      .where('action', '=', 'attachment.download')
      .where('subject_id', '=', caseFile.id)
      .execute();
    expect(counted.map((r) => r.actor_account_id).sort()).toEqual([owner.account.id, occasional.account.id].sort());

    // ---- split: only into the categories of one's role ----
    const scan = await makePdf(2, 'Scan');
    const split = await guarantor.browser.postMultipart(
      `${page}/decoupage`,
      { [`pages-${identity}`]: '1', [`pages-${receipts}`]: '2' },
      [{ filename: 'scan.pdf', content: scan }],
      { formUrl: page },
    );
    expect(split.statusCode).toBe(303);
    const splitDocs = await db
      .selectFrom('documents')
      .select(['category_id', 'deposited_by'])
      .where('case_id', '=', kase.id)
      .where('source', '=', 'split')
      .execute();
    // The receipts field is not one of theirs: ignored, only the identity page was kept.
    expect(splitDocs).toEqual([{ category_id: identity, deposited_by: guarantor.account.id }]);
    for (const [who, status] of [
      [occasional, 403],
      [stranger, 404],
      [revoked, 404],
    ] as const) {
      const res = await who.browser.postMultipart(
        `${page}/decoupage`,
        { [`pages-${identity}`]: '1' },
        [{ filename: 'scan.pdf', content: scan }],
        { formUrl: '/dossiers' },
      );
      expect(res.statusCode).toBe(status);
    }

    // ---- withdraw ----
    const withdraw = (who: Browser, docId: string, formUrl = page) =>
      who.post(`${page}/documents/${docId}/retrait`, {}, { formUrl });
    expect((await withdraw(guarantor.browser, ownerDoc.id)).statusCode).toBe(404);
    expect((await withdraw(occasional.browser, guarantorDoc.id)).statusCode).toBe(403);
    expect((await withdraw(stranger.browser, ownerDoc.id, '/dossiers')).statusCode).toBe(404);
    expect((await withdraw(revoked.browser, before.id, '/dossiers')).statusCode).toBe(404);
    expect((await withdraw(anonymous, ownerDoc.id, '/connexion')).statusCode).toBeGreaterThanOrEqual(300);
    expect((await withdraw(guarantor.browser, guarantorDoc.id)).statusCode).toBe(303);
    expect(
      await db.selectFrom('documents').select('id').where('id', '=', guarantorDoc.id).executeTakeFirst(),
    ).toBeUndefined();
    expect(
      await db.selectFrom('documents').select('id').where('id', '=', ownerDoc.id).executeTakeFirst(),
    ).toBeDefined();

    // ---- comment: the main client only (contributors' default permissions) ----
    const comment = (who: Browser, formUrl = page) =>
      who.post(`${page}/commentaires`, { comment: 'Bonjour' }, { formUrl });
    expect((await comment(owner.browser)).statusCode).toBe(303);
    const refusedComment = await comment(guarantor.browser);
    expect(refusedComment.statusCode).toBe(403);
    expect(refusedComment.body).toContain('ne permet pas d’écrire');
    expect((await comment(occasional.browser)).statusCode).toBe(403);
    expect((await comment(stranger.browser, '/dossiers')).statusCode).toBe(404);
    expect((await comment(revoked.browser, '/dossiers')).statusCode).toBe(404);
    const comments = await db
      .selectFrom('case_comments')
      .select('author_account_id')
      .where('case_id', '=', kase.id)
      .execute();
    expect(comments.map((c) => c.author_account_id)).toEqual([owner.account.id]);

    // ---- the invitation form: the owner's only ----
    expect((await owner.browser.get(`${page}/contributeurs`)).statusCode).toBe(200);
    for (const who of [guarantor, occasional, stranger, revoked])
      expect((await who.browser.get(`${page}/contributeurs`)).statusCode).toBe(404);
    // Staff routes are not for clients.
    expect((await owner.browser.get(`/back-office/dossiers/${kase.id}`)).headers.location).toBe(
      '/back-office/connexion',
    );
  });

  it('lets staff add a guarantor who accepts from the e-mailed link, once, and grant occasional access', async () => {
    const owner = await signedIn('Claire Martin', { space });
    const kase = await makeCase(db, {
      space,
      client: owner.account,
      template: rental,
      number: `LOC-${Date.now().toString(36).toUpperCase()}B`,
    });
    const staff = await staffBrowser();
    const staffPage = `/back-office/dossiers/${kase.id}`;
    const add = (fields: Record<string, string>) =>
      staff.post(`${staffPage}/contributeurs`, fields, { formUrl: staffPage });

    // Bad input: a message per problem, in French, nothing stored.
    const bad = await add({ name: '', email: 'pas-un-email', role: 'proprietaire' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Indiquez le nom et le prénom de la personne.');
    expect(bad.body).toContain('Choisissez le rôle de la personne dans ce dossier.');
    const asOwner = await add({ name: 'Claire Martin', email: owner.account.email, role: 'garant', notify: '1' });
    expect(asOwner.statusCode).toBe(409);
    expect(asOwner.body).toContain('client principal');
    expect(await db.selectFrom('case_members').select('id').where('case_id', '=', kase.id).execute()).toEqual([]);

    const email = `marc.${Date.now().toString(36)}@example.test`;
    const added = await add({ name: 'Marc Garant', email, role: 'garant', notify: '1' });
    expect(added.statusCode).toBe(303);
    const after = await staff.get(added.headers.location as string);
    expect(after.body).toContain('Une invitation a été envoyée à Marc Garant.');
    expect(after.body).toContain('invitation envoyée');
    expect((await add({ name: 'Marc Garant', email, role: 'garant' })).statusCode).toBe(409);

    const mail = await notificationTo(email, 'Invitation');
    const token = /\/invitation\/([A-Za-z0-9_-]+)/.exec(mail.body_text)![1]!;
    const visitor = new Browser(system.app!);
    const invitation = await visitor.get(`/invitation/${token}`);
    expect(invitation.statusCode).toBe(200);
    expect(invitation.body).toContain('Claire Martin vous invite à déposer vos pièces');
    const accepted = await visitor.post(`/invitation/${token}`, {});
    expect(accepted.statusCode).toBe(303);
    expect(accepted.headers.location).toBe(`/dossiers/${kase.id}?ok=invitation-password`);
    const landing = await visitor.get(accepted.headers.location as string);
    expect(landing.statusCode).toBe(200);
    expect(landing.body).toContain('Nous vous avons envoyé par e-mail un mot de passe');
    expect(landing.body).toContain('en tant que garant');
    await notificationTo(email, 'mot de passe');
    // Single use.
    expect((await new Browser(system.app!).get(`/invitation/${token}`)).statusCode).toBe(404);
    expect(
      (await new Browser(system.app!).post(`/invitation/${token}`, {}, { formUrl: '/connexion' })).statusCode,
    ).toBe(404);

    // Occasional access: e-mailed, read-only.
    const notaryEmail = `notaire.${Date.now().toString(36)}@example.test`;
    expect((await add({ name: 'Nadia Notaire', email: notaryEmail, role: 'occasional', notify: '1' })).statusCode).toBe(
      303,
    );
    const notaryMail = await notificationTo(notaryEmail, `Accès au dossier ${kase.number}`);
    expect(notaryMail.body_text).toContain('Vous avez reçu un accès en consultation au dossier');
    expect(notaryMail.body_text).not.toContain('déposer');
    const notaryToken = /\/invitation\/([A-Za-z0-9_-]+)/.exec(notaryMail.body_text)![1]!;
    expect((await new Browser(system.app!).get(`/invitation/${notaryToken}`)).body).toContain(
      'Vous avez reçu un accès en consultation au dossier',
    );
    // Re-invited from the staff page: a new e-mail with a new link; the old link is dead.
    const notary = await db
      .selectFrom('case_members')
      .innerJoin('accounts', 'accounts.id', 'case_members.account_id')
      .select('case_members.id')
      .where('case_members.case_id', '=', kase.id)
      .where('accounts.email', '=', notaryEmail)
      .executeTakeFirstOrThrow();
    const resent = await staff.post(`${staffPage}/contributeurs/${notary.id}/invitation`, {}, { formUrl: staffPage });
    expect(resent.statusCode).toBe(303);
    expect(resent.headers.location).toContain('ok=person-invited');
    for (let i = 0; i < 100; i++) {
      const rows = await db.selectFrom('notifications').select('id').where('recipient', '=', notaryEmail).execute();
      if (rows.length >= 2) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const notaryMails = await db
      .selectFrom('notifications')
      .select(['body_text', 'created_at'])
      .where('recipient', '=', notaryEmail)
      .orderBy('created_at')
      .execute();
    expect(notaryMails).toHaveLength(2);
    const newToken = /\/invitation\/([A-Za-z0-9_-]+)/.exec(notaryMails[1]!.body_text)![1]!;
    expect(newToken).not.toBe(notaryToken);
    expect((await new Browser(system.app!).get(`/invitation/${notaryToken}`)).statusCode).toBe(404);
    expect((await new Browser(system.app!).get(`/invitation/${newToken}`)).statusCode).toBe(200);
    // An accepted member has nothing to re-send.
    const marcRow = await db
      .selectFrom('case_members')
      .innerJoin('accounts', 'accounts.id', 'case_members.account_id')
      .select('case_members.id')
      .where('case_members.case_id', '=', kase.id)
      .where('accounts.email', '=', email)
      .executeTakeFirstOrThrow();
    const nothing = await staff.post(`${staffPage}/contributeurs/${marcRow.id}/invitation`, {}, { formUrl: staffPage });
    expect(nothing.headers.location).toBe(`${staffPage}#people`);

    // Revoked: the guarantor's session no longer opens the case.
    const marc = await db
      .selectFrom('case_members')
      .innerJoin('accounts', 'accounts.id', 'case_members.account_id')
      .select('case_members.id')
      .where('case_members.case_id', '=', kase.id)
      .where('accounts.email', '=', email)
      .executeTakeFirstOrThrow();
    const revoke = await staff.post(`${staffPage}/contributeurs/${marc.id}/revocation`, {}, { formUrl: staffPage });
    expect(revoke.statusCode).toBe(303);
    expect((await visitor.get(`/dossiers/${kase.id}`)).statusCode).toBe(404);
  });

  it('lets the main client invite a contributor of a role, never occasional access', async () => {
    const owner = await signedIn('Claire Martin', { space });
    const kase = await makeCase(db, {
      space,
      client: owner.account,
      template: rental,
      number: `LOC-${Date.now().toString(36).toUpperCase()}C`,
    });
    const form = `/dossiers/${kase.id}/contributeurs`;
    const occasional = await owner.browser.post(form, {
      name: 'Nadia Notaire',
      email: 'nadia@example.test',
      role: 'occasional',
    });
    expect(occasional.statusCode).toBe(400);
    expect(occasional.body).toContain('Choisissez le rôle');
    const email = `garant.${Date.now().toString(36)}@example.test`;
    const ok = await owner.browser.post(form, { name: 'Marc Garant', email, role: 'garant' });
    expect(ok.statusCode).toBe(303);
    await notificationTo(email, 'Invitation');
    await db
      .updateTable('document_templates')
      .set({ contributors_invitable: false })
      .where('id', '=', rental.id)
      .execute();
    try {
      const refused = await owner.browser.post(form, { name: 'Paul Garant', email: `paul.${email}`, role: 'garant' });
      expect(refused.statusCode).toBe(403);
      expect(refused.body).toContain('ne permet pas d’inviter');
    } finally {
      await db
        .updateTable('document_templates')
        .set({ contributors_invitable: true })
        .where('id', '=', rental.id)
        .execute();
    }
  });

  it('keeps invitation links out of the request log', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logged = await startSystem({
      config: await testConfig(),
      server: true,
      worker: false,
      logger: pino({ level: 'info' }, sink),
      workflowBundle: { code: inject('workflowBundleCode') },
    });
    try {
      const { account: ownerAccount } = await createClient(db, { space, name: 'Claire Martin' });
      const { account: guest } = await createClient(db, { name: 'Marc Garant' });
      const kase = await makeCase(db, {
        space,
        client: ownerAccount,
        template: rental,
        number: `LOC-${Date.now().toString(36).toUpperCase()}D`,
      });
      const row = await addCaseMember(db, {
        caseId: kase.id,
        accountId: guest.id,
        kind: 'contributor',
        role: 'garant',
        invitedBy: ownerAccount.id,
      });
      const generation = await db
        .transaction()
        .execute((tx) => beginInvitation(tx, row.id, new Date(Date.now() + 86_400_000)));
      const token = (await issueInvitationToken(db, row.id, generation!))!;
      const visitor = new Browser(logged.app!);
      expect((await visitor.get(`/invitation/${token}`)).statusCode).toBe(200);
      expect((await visitor.post(`/invitation/${token}`, {})).statusCode).toBe(303);
      expect((await visitor.get('/connexion')).statusCode).toBeLessThan(400);
      const all = lines.join('');
      expect(all).toContain('"url":"/connexion"');
      expect(all).not.toContain(token);
    } finally {
      await logged.stop();
    }
  });

  it('follows the permissions an administrator gives a role, on the next request', async () => {
    const loan = await cloneTemplate(db, 'demande-location', { digestMinutes: 0 });
    const { account: adminAccount, password } = await createStaff(db, { name: 'Alice Admin', admin: true });
    const admin = new Browser(system.app!);
    expect((await admin.login(adminAccount.email, password, 'staff')).statusCode).toBe(303);
    const owner = await signedIn('Claire Martin', { space });
    const guarantor = await signedIn('Marc Garant');
    const kase = await makeCase(db, {
      space,
      client: owner.account,
      template: loan,
      number: `LOC-${Date.now().toString(36).toUpperCase()}E`,
    });
    await addCaseMember(db, {
      caseId: kase.id,
      accountId: guarantor.account.id,
      kind: 'contributor',
      role: 'garant',
      invitedBy: owner.account.id,
    }).then((m) => db.updateTable('case_members').set({ status: 'active' }).where('id', '=', m.id).execute());
    await fileOf(kase, owner.account, 'identite', 'cni-claire.pdf');
    const page = `/dossiers/${kase.id}`;
    const editor = `/back-office/procedures/${loan.id}`;
    expect((await admin.get(editor)).body).toContain('Contributeurs : permissions par rôle');
    // A staff member who is not an administrator may not change them.
    const agent = await staffBrowser();
    expect(
      (await agent.post(`${editor}/contributeurs`, { 'garant-view': '1' }, { formUrl: '/back-office' })).statusCode,
    ).toBe(403);

    expect((await guarantor.browser.get(page)).body).not.toContain('cni-claire.pdf');
    const saved = await admin.post(
      `${editor}/contributeurs`,
      { 'garant-view': '1', 'garant-deposit': '1', 'garant-message': '1', 'garant-seeAll': '1', invitable: '1' },
      { formUrl: editor },
    );
    expect(saved.statusCode).toBe(303);
    const now = await guarantor.browser.get(page);
    expect(now.body).toContain('cni-claire.pdf');
    expect(now.body).toContain('/commentaires');
    expect(
      (await guarantor.browser.post(`${page}/commentaires`, { comment: 'Bonjour' }, { formUrl: page })).statusCode,
    ).toBe(303);

    // Without "view", the role has no access at all: the case is not found.
    expect(
      (await admin.post(`${editor}/contributeurs`, { 'garant-deposit': '1' }, { formUrl: editor })).statusCode,
    ).toBe(303);
    expect((await guarantor.browser.get(page)).statusCode).toBe(404);
    const stored = await db
      .selectFrom('document_templates')
      .select(['roles', 'contributors_invitable'])
      .where('id', '=', loan.id)
      .executeTakeFirstOrThrow();
    expect(stored.contributors_invitable).toBe(false);
    expect(stored.roles[1]?.permissions).toEqual({ view: false, deposit: false, message: false, seeAll: false });
    // The main client's role is never narrowed.
    expect(stored.roles[0]?.permissions).toEqual({ view: true, deposit: true, message: true, seeAll: true });
    expect((await owner.browser.get(page)).statusCode).toBe(200);
  });
});
