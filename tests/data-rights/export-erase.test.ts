// Each person's rights through HTTP on the whole system: staff export everything Guichet holds
// about a client as one zip (opened and checked file by file: listing, data.json, bytes), and erase
// them: refused while a case is open unless an administrator confirms; afterwards no row of any
// table names them (name, e-mail, phone) outside the records the rule keeps, none of their files
// is left in storage, and the Redmine issues are listed.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSystem } from '../../runtime/system.js';
import { addContact, addClientFile } from '../../db/clients.js';
import { createConversation, insertAttachments, insertMessage } from '../../db/conversations.js';
import { insertDocuments } from '../../db/documents.js';
import { cloneTemplate, categoryId, makeCase, storedFiles } from '../helpers/documents.js';
import { createClient, createSpace, createStaff } from '../helpers/fixtures.js';
import { Browser } from '../helpers/http.js';
import { storeRaw } from '../helpers/stored.js';
import { startTestSystem } from '../helpers/system.js';

let system: RunningSystem & { url: string };

beforeAll(async () => {
  system = await startTestSystem();
});
afterAll(async () => {
  await system?.stop();
});

async function staffBrowser(admin: boolean, spaceId: string): Promise<Browser> {
  const { account, password } = await createStaff(system.database.db, { admin, spaces: [spaceId] });
  const browser = new Browser(system.app!);
  expect((await browser.login(account.email, password, 'staff')).statusCode).toBe(303);
  return browser;
}

/** A client with a bit of everything: contacts, preferences, a conversation with a file, a case with a piece, a file on the record. */
async function richClient() {
  const db = system.database.db;
  const space = await createSpace(db, 'Droits');
  const tag = randomBytes(4).toString('hex');
  const name = `Zéphyrine Quelconque-${tag}`;
  const phone = `+3361${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
  const { account } = await createClient(db, { space, name });
  const staff = await createStaff(db, { spaces: [space.id] });
  await addContact(db, account.id, 'phone', phone);
  await addContact(db, account.id, 'postal', `12 rue des Lilas, ${name}`);
  await db.insertInto('notification_preferences').values({ account_id: account.id, phone }).execute();
  const bytes = {
    attachment: Buffer.from(`attachment ${tag}`),
    document: Buffer.from(`%PDF-1.4 piece ${tag}`),
    record: Buffer.from(`record file ${tag}`),
  };
  const root = system.config.storageDir;
  const attachment = await storeRaw(root, bytes.attachment);
  const document = await storeRaw(root, bytes.document);
  const record = await storeRaw(root, bytes.record);
  const issue = 900_000 + Math.floor(Math.random() * 1e6);
  const conversationId = crypto.randomUUID();
  await createConversation(db, {
    id: conversationId,
    spaceId: space.id,
    clientAccountId: account.id,
    subject: 'Mon dossier',
    cc: '',
  });
  await db.updateTable('conversations').set({ redmine_issue_id: issue }).where('id', '=', conversationId).execute();
  const messageId = crypto.randomUUID();
  await insertMessage(db, {
    id: messageId,
    conversationId,
    authorKind: 'client',
    authorAccountId: account.id,
    authorDisplayName: name,
    body: 'Voici mon justificatif.',
  });
  await insertAttachments(db, messageId, [
    {
      fileName: 'justificatif.txt',
      contentType: 'text/plain',
      sizeBytes: attachment.sizeBytes,
      sha256: attachment.sha256,
      storageKey: attachment.key,
    },
  ]);
  const template = await cloneTemplate(db, 'credit-bail-vehicule');
  const kase = await makeCase(db, { space, client: account, template });
  await insertDocuments(db, [
    {
      caseId: kase.id,
      categoryId: await categoryId(
        db,
        template.id,
        (
          await db
            .selectFrom('document_categories')
            .select('code')
            .where('template_id', '=', template.id)
            .executeTakeFirstOrThrow()
        ).code,
      ),
      fileName: 'piece.pdf',
      contentType: 'application/pdf',
      sizeBytes: document.sizeBytes,
      sha256: document.sha256,
      storageKey: document.key,
      pageCount: 1,
      source: 'upload',
      depositedBy: account.id,
    },
  ]);
  await addClientFile(db, {
    clientId: account.id,
    fileName: 'courrier.txt',
    contentType: 'text/plain',
    sizeBytes: record.sizeBytes,
    sha256: record.sha256,
    storageKey: record.key,
    uploadedBy: staff.account.id,
  });
  return { space, account, name, phone, kase, bytes, issue, keys: [attachment.key, document.key, record.key] };
}

describe('data rights', () => {
  it('exports everything about a client as one zip, file by file', async () => {
    const c = await richClient();
    const agent = await staffBrowser(false, c.space.id);
    const res = await agent.get(`/back-office/clients/${c.account.id}/donnees.zip`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    const zip = await JSZip.loadAsync(res.rawPayload);
    const names = Object.keys(zip.files).sort();
    expect(names).toHaveLength(4);
    expect(names[0]).toBe('data.json');
    const data = JSON.parse(await zip.file('data.json')!.async('string')) as {
      account: { email: string; full_name: string };
      contacts: Array<{ value: string }>;
      notificationPreferences: { phone: string };
      conversations: Array<{ subject: string; redmine_issue_id: number }>;
      messages: Array<{ body: string }>;
      cases: Array<{ number: string }>;
      files: Array<{ kind: string; fileName: string; path: string }>;
      accessLog: unknown[];
    };
    expect(data.account).toMatchObject({ email: c.account.email, full_name: c.name });
    expect(data.contacts.map((x) => x.value)).toContain(c.phone);
    expect(data.notificationPreferences.phone).toBe(c.phone);
    expect(data.conversations).toMatchObject([{ subject: 'Mon dossier', redmine_issue_id: c.issue }]);
    expect(data.messages.map((m) => m.body)).toEqual(['Voici mon justificatif.']);
    expect(data.cases.map((k) => k.number)).toEqual([c.kase.number]);
    const byName = new Map(data.files.map((f) => [f.fileName, f.path]));
    expect(await zip.file(byName.get('justificatif.txt')!)!.async('nodebuffer')).toEqual(c.bytes.attachment);
    expect(await zip.file(byName.get('piece.pdf')!)!.async('nodebuffer')).toEqual(c.bytes.document);
    expect(await zip.file(byName.get('courrier.txt')!)!.async('nodebuffer')).toEqual(c.bytes.record);
    const audited = await system.database.db
      .selectFrom('audit_log')
      .select('action')
      .where('subject_id', '=', c.account.id)
      .where('action', '=', 'person.export')
      .execute();
    expect(audited).toHaveLength(1);
    // Staff of other spaces do not reach the client.
    const other = await createSpace(system.database.db, 'Ailleurs');
    const stranger = await staffBrowser(false, other.id);
    expect((await stranger.get(`/back-office/clients/${c.account.id}/donnees.zip`)).statusCode).toBe(404);
  });

  it('erases a client: refused while a case is open unless an administrator confirms, then nothing names them', async () => {
    const c = await richClient();
    const db = system.database.db;
    const agent = await staffBrowser(false, c.space.id);
    const url = `/back-office/clients/${c.account.id}`;
    const refused = await agent.post(`${url}/effacement`, { confirmOpenCases: 'on' }, { formUrl: url });
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain(c.kase.number);
    const admin = await staffBrowser(true, c.space.id);
    expect((await admin.post(`${url}/effacement`, {}, { formUrl: url })).statusCode).toBe(409);
    expect(
      (await db.selectFrom('accounts').select('email').where('id', '=', c.account.id).executeTakeFirstOrThrow()).email,
    ).toBe(c.account.email);

    const erased = await admin.post(`${url}/effacement`, { confirmOpenCases: 'on' }, { formUrl: url });
    expect(erased.statusCode).toBe(200);
    expect(erased.body).toContain(`#${c.issue}`);
    expect(erased.body).toContain('3 fichier(s) supprimé(s)');

    // Every text column of every table: no row names them (name, e-mail, phone).
    const columns = await sql<{ table_name: string; column_name: string }>`
      select table_name, column_name from information_schema.columns
      where table_schema = 'public' and data_type in ('text', 'jsonb', 'character varying')`.execute(db);
    const found: string[] = [];
    for (const { table_name, column_name } of columns.rows) {
      for (const needle of [c.name, c.account.email, c.phone]) {
        const hit = await sql<{
          n: string;
        }>`select count(*) as n from ${sql.table(table_name)} where ${sql.ref(column_name)}::text like ${'%' + needle + '%'}`.execute(
          db,
        );
        if (Number(hit.rows[0]!.n) > 0) found.push(`${table_name}.${column_name}`);
      }
    }
    expect(found).toEqual([]);
    // The records kept: the message, signed "Client supprimé"; the case; the account closed.
    const message = await db
      .selectFrom('messages')
      .select(['author_display_name', 'body'])
      .where('author_account_id', '=', c.account.id)
      .executeTakeFirstOrThrow();
    expect(message).toEqual({ author_display_name: 'Client supprimé', body: 'Voici mon justificatif.' });
    expect(await db.selectFrom('cases').select('id').where('id', '=', c.kase.id).execute()).toHaveLength(1);
    const account = await db
      .selectFrom('accounts')
      .selectAll()
      .where('id', '=', c.account.id)
      .executeTakeFirstOrThrow();
    expect(account.disabled_at).not.toBeNull();
    expect(account.password_hash).toBeNull();
    // No file of theirs left in storage.
    const left = await storedFiles(system.config.storageDir);
    for (const key of c.keys) expect(left.some((p) => p.endsWith(key))).toBe(false);
    expect(
      await db
        .selectFrom('audit_log')
        .select('action')
        .where('subject_id', '=', c.account.id)
        .where('action', '=', 'person.erase')
        .execute(),
    ).toHaveLength(1);
  });
});
