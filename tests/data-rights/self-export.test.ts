// A client's own data export through HTTP on the whole system (server, worker, the dev Temporal
// server, the real Redmine mirror and a real SMTP server): they ask from /mes-donnees, the workflow
// builds the archive and e-mails a link; the link gives the zip (data.json and their files, checked
// file by file; the public note of their conversation in it, never the private one) to them only:
// another client gets the 404 page, no session the sign-in, a staff session nothing. A second ask
// within the day is refused saying when. Erasing the person deletes their export (row and archive)
// and they cannot ask again. Expiry is tested on the time-skipping server
// (tests/workflows/self-export-time-skipping.test.ts).
import { randomBytes } from 'node:crypto';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { askSelfExport } from '../../app/data-rights/self-export.js';
import { createFileStorage } from '../../app/file-storage.js';
import { isStoredObjectNotFound } from '../../connectors/storage/index.js';
import { createRedmineClient, type RedmineClient } from '../../connectors/redmine/index.js';
import { addClientFile } from '../../db/clients.js';
import { openDatabase, type Db } from '../../db/connect.js';
import { listMessages } from '../../db/conversations.js';
import type { Space } from '../../db/database.js';
import type { RunningSystem } from '../../runtime/system.js';
import { createClient, createSpace, createStaff } from '../helpers/fixtures.js';
import { Browser } from '../helpers/http.js';
import { RedmineAdmin, redmineTestEnv, unique, openConversationWithIssue } from '../helpers/redmine.js';
import { recipients, startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { storeRaw } from '../helpers/stored.js';
import { startTestSystem } from '../helpers/system.js';

const PUBLIC_URL = 'https://guichet.example.test';
let system: RunningSystem & { url: string };
let smtp: TestSmtp;
let staff: RedmineClient;
let admin: RedmineAdmin;
let space: Space;
let db: Db;

beforeAll(async () => {
  const env = redmineTestEnv();
  smtp = await startSmtp();
  staff = createRedmineClient({ baseUrl: env.url, apiKey: env.adminKey });
  admin = new RedmineAdmin(env);
  // The space must exist before the system maps it to the Redmine project.
  const probe = await openDatabase({ url: inject('databaseUrl') });
  space = await createSpace(probe.db, 'Mes données');
  await probe.close();
  system = await startTestSystem({
    SMTP_URL: smtp.url,
    PUBLIC_URL,
    REDMINE_URL: env.url,
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

async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A signed-in client with a file on their record. */
async function signedInClient(name: string) {
  const { account, password } = await createClient(db, { space, name });
  const browser = new Browser(system.app!);
  expect((await browser.login(account.email, password)).statusCode).toBe(303);
  const bytes = Buffer.from(`courrier ${randomBytes(8).toString('hex')}`);
  const stored = await storeRaw(system.config.storageDir, bytes);
  const { account: colleague } = await createStaff(db, { spaces: [space.id] });
  await addClientFile(db, {
    clientId: account.id,
    fileName: 'courrier.txt',
    contentType: 'text/plain',
    sizeBytes: stored.sizeBytes,
    sha256: stored.sha256,
    storageKey: stored.key,
    uploadedBy: colleague.id,
  });
  return { account, browser, bytes };
}

/** Asks through the page as a browser does (the CSRF token read from it). */
const ask = (browser: Browser) => browser.post('/mes-donnees', {}, { formUrl: '/mes-donnees' });

/** The link of the e-mail the client received for their export. */
async function linkMailedTo(email: string): Promise<string> {
  const mail = await smtp.waitFor(
    (m) => recipients(m).includes(email.toLowerCase()) && m.subject === 'Vos données sont prêtes à être téléchargées',
    60_000,
  );
  const match = new RegExp(`${PUBLIC_URL}(/mes-donnees/exports/[0-9a-f-]{36})`).exec(mail.text ?? '');
  expect(match, mail.text).not.toBeNull();
  return match![1]!;
}

const storage = () => createFileStorage(system.config.storageDir);
const stored = (key: string) =>
  storage()
    .get(key)
    .then(
      (stream) => {
        stream.destroy();
        return true;
      },
      (err: unknown) => {
        if (isStoredObjectNotFound(err)) return false;
        throw err;
      },
    );

describe('a client’s own data export', () => {
  it('e-mails a link that gives the client, and only them, the zip of their data without private notes', async () => {
    const c = await signedInClient(`Octave Demandeur-${randomBytes(3).toString('hex')}`);
    // A conversation mirrored in Redmine, with a private note and a public one.
    const secret = `SECRET-INTERNE-${randomBytes(4).toString('hex')}`;
    const { conversationId, issueId } = await openConversationWithIssue(
      c.browser,
      db,
      admin,
      { spaceId: space.id, subject: unique('Export'), body: 'Mon chauffage est en panne.' },
      30_000,
    );
    await staff.addNote(issueId, { notes: `${secret} : dossier à surveiller.`, privateNotes: true });
    await staff.addNote(issueId, { notes: 'Un technicien passe lundi.' });
    await eventually(
      () => listMessages(db, conversationId),
      (m) => m.some((x) => x.body === 'Un technicien passe lundi.'),
      'the public note',
    );

    const page = await c.browser.get('/mes-donnees');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Télécharger mes données');
    const asked = await ask(c.browser);
    expect(asked.statusCode).toBe(303);
    expect(asked.headers.location).toBe('/mes-donnees?fait=demande');
    expect((await c.browser.get('/mes-donnees?fait=demande')).body).toContain('Votre demande est enregistrée');

    const link = await linkMailedTo(c.account.email);
    const res = await c.browser.get(link);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="guichet-mes-donnees-\d{4}-\d\d-\d\d\.zip"/,
    );
    expect(res.headers['cache-control']).toBe('private, no-store');
    const zip = await JSZip.loadAsync(res.rawPayload);
    const names = Object.keys(zip.files).sort();
    expect(names[0]).toBe('data.json');
    const data = JSON.parse(await zip.file('data.json')!.async('string')) as {
      account: { email: string };
      messages: Array<{ body: string }>;
      files: Array<{ fileName: string; path: string }>;
    };
    expect(data.account.email).toBe(c.account.email);
    // The thread as the client sees it (their message, the acknowledgement, the public note).
    const bodies = data.messages.map((m) => m.body);
    expect(bodies).toEqual((await listMessages(db, conversationId)).map((m) => m.body));
    expect(bodies).toEqual(expect.arrayContaining(['Mon chauffage est en panne.', 'Un technicien passe lundi.']));
    const record = data.files.find((f) => f.fileName === 'courrier.txt')!;
    expect(await zip.file(record.path)!.async('nodebuffer')).toEqual(c.bytes);
    expect(names).toEqual(['data.json', ...data.files.map((f) => f.path)].sort());
    // The private note is in no file of the archive.
    for (const name of names) expect(await zip.file(name)!.async('string')).not.toContain(secret);

    // Audited: the ask, the building, the download.
    const actions = (
      await db
        .selectFrom('audit_log')
        .select(['action', 'subject_type'])
        .where('actor_account_id', '=', c.account.id)
        .where('action', 'in', ['person.export.request', 'person.export', 'attachment.download'])
        .execute()
    ).map((a) => `${a.action}:${a.subject_type}`);
    expect(actions.sort()).toEqual([
      'attachment.download:self-export',
      'person.export.request:account',
      'person.export:account',
    ]);

    // A second ask within the day: refused, saying when.
    const again = await ask(c.browser);
    expect(again.statusCode).toBe(429);
    expect(Number(again.headers['retry-after'])).toBeGreaterThan(23 * 3600);
    expect(again.body).toMatch(/Vous pourrez en demander un nouvel export à partir du \d{1,2} \S+ \d{4} à \d\d:\d\d/);
    expect(
      await db.selectFrom('self_exports').select('id').where('account_id', '=', c.account.id).execute(),
    ).toHaveLength(1);

    // Another client: the same 404 page as for an expired link; no session: the sign-in; staff: nothing.
    const other = await signedInClient('Autre Client');
    const stranger = await other.browser.get(link);
    expect(stranger.statusCode).toBe(404);
    expect(stranger.body).toContain('Lien expiré');
    expect(stranger.headers['content-disposition']).toBeUndefined();
    const anonymous = await new Browser(system.app!).get(link);
    expect(anonymous.statusCode).toBe(302);
    expect(anonymous.headers.location).toBe('/connexion');
    const colleague = await createStaff(db, { admin: true, spaces: [space.id] });
    const staffBrowser = new Browser(system.app!);
    expect((await staffBrowser.login(colleague.account.email, colleague.password, 'staff')).statusCode).toBe(303);
    const asStaff = await staffBrowser.get(link);
    expect(asStaff.statusCode).toBe(302);
    expect(asStaff.headers['content-disposition']).toBeUndefined();
    // Only the owner's one download is in the log.
    expect(
      await db
        .selectFrom('audit_log')
        .select('id')
        .where('action', '=', 'attachment.download')
        .where('subject_id', '=', link.split('/').pop()!)
        .execute(),
    ).toHaveLength(1);
  }, 180_000);

  it('deletes the export of a person who is erased, who then cannot ask', async () => {
    const c = await signedInClient(`Ursule Effacée-${randomBytes(3).toString('hex')}`);
    expect((await ask(c.browser)).statusCode).toBe(303);
    const ready = await eventually(
      () => db.selectFrom('self_exports').selectAll().where('account_id', '=', c.account.id).executeTakeFirst(),
      (row) => row?.status === 'ready',
      'the archive',
      60_000,
    );
    expect(await stored(ready!.storage_key!)).toBe(true);

    const { account: chief, password } = await createStaff(db, { admin: true, spaces: [space.id] });
    const office = new Browser(system.app!);
    await office.login(chief.email, password, 'staff');
    const url = `/back-office/clients/${c.account.id}`;
    expect((await office.post(`${url}/effacement`, {}, { formUrl: url })).statusCode).toBe(200);

    expect(await db.selectFrom('self_exports').select('id').where('account_id', '=', c.account.id).execute()).toEqual(
      [],
    );
    expect(await stored(ready!.storage_key!)).toBe(false);
    // Their session ended with the erasure; even through the use case, a closed account cannot ask.
    expect((await c.browser.get(`/mes-donnees/exports/${ready!.id}`)).statusCode).toBe(302);
    const result = await askSelfExport(
      { db, workflows: system.app!.deps.workflows, rateLimits: system.app!.rateLimits },
      c.account.id,
      '127.0.0.1',
    );
    expect(result).toEqual({ outcome: 'closed' });
  }, 120_000);
});
