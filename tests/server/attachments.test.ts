// Files attached by clients, through the real HTTP forms (multipart, as browsers send them), with
// no Redmine: what is accepted and stored, what is refused (and then nothing at all is stored),
// CSRF before any byte is kept, and downloads for the owner and the back-office only.
import { createHash, randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../db/connect.js';
import type { Space } from '../../db/database.js';
import type { RunningSystem } from '../../runtime/system.js';
import { createClient, createSpace, createStaff } from '../helpers/fixtures.js';
import { Browser, multipartBody, type UploadFile } from '../helpers/http.js';
import { startTestSystem } from '../helpers/system.js';
import { GIF_1PX, genuinePdf, genuinePng, jpegOfSize, makeBmp, makeTiff } from '../helpers/documents.js';

let system: RunningSystem & { url: string };
let db: Db;
let space: Space;

beforeAll(async () => {
  system = await startTestSystem();
  db = system.database.db;
  space = await createSpace(db);
});
afterAll(async () => {
  await system?.stop();
});

const MB = 1024 * 1024;

// Genuine files (every file is inspected whole): their blocks hold together, their sizes exact
// where it matters (a JPEG, a PDF).
function pdf(size = 3000): Buffer {
  return genuinePdf(size);
}
function png(size = 2000): Buffer {
  return genuinePng(size);
}
function jpeg(size = 2000): Buffer {
  return jpegOfSize(size);
}
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Every file under the storage directory, as relative paths. */
async function storedFiles(): Promise<string[]> {
  const root = system.config.storageDir;
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
    .sort();
}

async function loggedInClient(locale: 'fr' | 'en' = 'fr') {
  const { account, password } = await createClient(db, { space, locale });
  const browser = new Browser(system.app!);
  expect((await browser.login(account.email, password)).statusCode).toBe(303);
  return { account, browser };
}

async function countsFor(accountId: string) {
  const conversations = await db
    .selectFrom('conversations')
    .select('id')
    .where('client_account_id', '=', accountId)
    .execute();
  const messages = await db
    .selectFrom('messages')
    .innerJoin('conversations', 'conversations.id', 'messages.conversation_id')
    .select('messages.id')
    .where('conversations.client_account_id', '=', accountId)
    // The client's own messages: the acknowledgement the conversation workflow writes arrives
    // on its own schedule and is not what these tests count.
    .where('messages.author_kind', '=', 'client')
    .execute();
  const attachments = await db
    .selectFrom('attachments')
    .innerJoin('messages', 'messages.id', 'attachments.message_id')
    .innerJoin('conversations', 'conversations.id', 'messages.conversation_id')
    .select('attachments.id')
    .where('conversations.client_account_id', '=', accountId)
    .execute();
  return { conversations: conversations.length, messages: messages.length, attachments: attachments.length };
}

function compose(
  browser: Browser,
  files: UploadFile[],
  fields: Record<string, string> = {},
  options: { csrf?: string | null; csrfLast?: boolean } = {},
) {
  return browser.postMultipart(
    '/conversations',
    { spaceId: space.id, subject: 'Mes justificatifs', body: 'Voici les pièces demandées.', cc: '', ...fields },
    files,
    { formUrl: '/conversations/nouvelle', ...options },
  );
}

function conversationIdOf(location: unknown): string {
  const id = /\/conversations\/([0-9a-f-]{36})/.exec(String(location))?.[1];
  if (!id) throw new Error(`no conversation in ${String(location)}`);
  return id;
}

function downloadLinks(html: string, prefix: string): string[] {
  return [...html.matchAll(new RegExp(`href="(${prefix}/[0-9a-f-]{36}/pieces-jointes/[0-9a-f-]{36})"`, 'g'))].map(
    (m) => m[1]!,
  );
}

describe('attaching files', () => {
  it('shows the file picker, with its rules, on the new-message and reply forms', async () => {
    const { browser } = await loggedInClient();
    const page = await browser.get('/conversations/nouvelle');
    expect(page.body).toContain('enctype="multipart/form-data"');
    expect(page.body).toMatch(
      /<input id="files" name="files" type="file" multiple accept="\.pdf,\.png,\.jpg,\.jpeg,\.tif,\.tiff,\.bmp,\.gif,[^"]*application\/pdf/,
    );
    expect(page.body).toContain('<label for="files">Pièces jointes (facultatif)</label>');
    expect(page.body).toContain(
      'Formats acceptés : PDF, PNG, JPG, TIF, BMP, GIF. 10 Mo au plus par fichier, 5 fichiers au plus.',
    );
    // The token comes before the file input: the CSRF check sees it before any file.
    expect(page.body.indexOf('name="_csrf"', page.body.indexOf('action="/conversations"'))).toBeLessThan(
      page.body.indexOf('name="files"'),
    );
  });

  it('stores the files of a new message and of a reply, for the owner and the back-office to download, byte for byte', async () => {
    const { account, browser } = await loggedInClient();
    const before = await storedFiles();
    const avis = pdf(40_000);
    const photo = png(5000);
    const created = await compose(browser, [
      { filename: 'avis d’imposition 2025.pdf', content: avis, contentType: 'application/pdf' },
      // What the browser claims does not matter: the type comes from the bytes.
      { filename: 'Photo.PNG', content: photo, contentType: 'application/x-anything' },
    ]);
    expect(created.statusCode).toBe(303);
    const conversationId = conversationIdOf(created.headers.location);

    const reply = await browser.postMultipart(
      `/conversations/${conversationId}/messages`,
      { body: 'Et le justificatif de domicile.' },
      [{ filename: 'facture.jpg', content: jpeg(3000), contentType: 'image/jpeg' }],
    );
    expect(reply.statusCode).toBe(303);

    const rows = await db
      .selectFrom('attachments')
      .innerJoin('messages', 'messages.id', 'attachments.message_id')
      .selectAll('attachments')
      .select('messages.body')
      .where('messages.conversation_id', '=', conversationId)
      .orderBy('attachments.created_at')
      .execute();
    expect(rows.map((r) => [r.file_name, r.content_type, r.size_bytes, r.body])).toEqual([
      ['avis d’imposition 2025.pdf', 'application/pdf', avis.length, 'Voici les pièces demandées.'],
      ['Photo.PNG', 'image/png', photo.length, 'Voici les pièces demandées.'],
      ['facture.jpg', 'image/jpeg', 3000, 'Et le justificatif de domicile.'],
    ]);
    expect(rows[0]!.sha256).toBe(sha256(avis));
    for (const row of rows) {
      // Random keys, never the names.
      expect(row.storage_key).toMatch(/^[0-9a-f]{32}$/);
      expect(row.redmine_attachment_id).toBeNull();
    }
    expect((await storedFiles()).length).toBe(before.length + 3);

    const thread = await browser.get(`/conversations/${conversationId}`);
    expect(thread.body).toContain('avis d’imposition 2025.pdf');
    expect(thread.body).toContain('facture.jpg');
    const links = downloadLinks(thread.body, '/conversations');
    expect(links).toHaveLength(3);

    const download = await browser.get(links[0]!);
    expect(download.statusCode).toBe(200);
    expect(download.rawPayload.equals(avis)).toBe(true);
    expect(download.headers['content-type']).toBe('application/octet-stream');
    expect(download.headers['content-disposition']).toBe(
      `attachment; filename="avis d_imposition 2025.pdf"; filename*=UTF-8''${encodeURIComponent('avis d’imposition 2025.pdf')}`,
    );
    expect(download.headers['cache-control']).toBe('private, no-store');
    const audited = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'attachment.download')
      .where('subject_id', '=', rows[0]!.id)
      .execute();
    expect(audited.map((a) => [a.actor_kind, a.actor_account_id])).toEqual([['client', account.id]]);

    // Someone else's file does not exist for another client; nor without a session.
    const stranger = await loggedInClient();
    expect((await stranger.browser.get(links[0]!)).statusCode).toBe(404);
    expect(
      (
        await stranger.browser.get(
          links[0]!.replace(
            /pieces-jointes\/.*/,
            `pieces-jointes/${rows[0]!.id.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'))}`,
          ),
        )
      ).statusCode,
    ).toBe(404);
    const anonymous = await new Browser(system.app!).get(links[0]!);
    expect(anonymous.statusCode).toBe(302);
    expect(anonymous.headers.location).toBe('/connexion');
    // A client session is no back-office session.
    expect(
      (await browser.get(`/back-office/conversations/${conversationId}/pieces-jointes/${rows[0]!.id}`)).headers
        .location,
    ).toBe('/back-office/connexion');

    // Staff see the files in the thread and download them from the back-office.
    const { account: staff, password } = await createStaff(db, { spaces: [space] });
    const office = new Browser(system.app!);
    await office.login(staff.email, password, 'staff');
    const staffThread = await office.get(`/back-office/conversations/${conversationId}`);
    const staffLinks = downloadLinks(staffThread.body, '/back-office/conversations');
    expect(staffLinks).toHaveLength(3);
    const staffDownload = await office.get(staffLinks[1]!);
    expect(staffDownload.statusCode).toBe(200);
    expect(staffDownload.rawPayload.equals(photo)).toBe(true);
    expect(staffDownload.headers['content-type']).toBe('application/octet-stream');
    const staffAudit = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'attachment.download')
      .where('subject_id', '=', rows[1]!.id)
      .execute();
    expect(staffAudit.map((a) => [a.actor_kind, a.actor_account_id])).toEqual([['staff', staff.id]]);
    // An attachment id of another conversation is not found through this one.
    const other = await compose(browser, [{ filename: 'autre.pdf', content: pdf() }]);
    expect(
      (
        await office.get(
          `/back-office/conversations/${conversationIdOf(other.headers.location)}/pieces-jointes/${rows[0]!.id}`,
        )
      ).statusCode,
    ).toBe(404);
  });

  it('accepts every allowed format, up to exactly 10 MB, and up to 5 files', async () => {
    const { account, browser } = await loggedInClient();
    const res = await compose(browser, [
      { filename: 'scan.tif', content: makeTiff() },
      { filename: 'scan2.TIFF', content: makeTiff() },
      { filename: 'plan.bmp', content: makeBmp() },
      { filename: 'logo.gif', content: GIF_1PX },
      { filename: 'relevé.pdf', content: pdf(10 * MB) },
    ]);
    expect(res.statusCode).toBe(303);
    const rows = await db
      .selectFrom('attachments')
      .innerJoin('messages', 'messages.id', 'attachments.message_id')
      .select(['attachments.content_type', 'attachments.size_bytes'])
      .where('messages.conversation_id', '=', conversationIdOf(res.headers.location))
      .orderBy('attachments.created_at')
      .execute();
    expect(rows.map((r) => r.content_type)).toEqual([
      'image/tiff',
      'image/tiff',
      'image/bmp',
      'image/gif',
      'application/pdf',
    ]);
    expect(rows[4]!.size_bytes).toBe(10 * MB);
    expect((await countsFor(account.id)).attachments).toBe(5);
  });

  it('sends a message without files from a multipart form (the empty file input of a browser)', async () => {
    const { account, browser } = await loggedInClient();
    const res = await compose(browser, [{ filename: '', content: Buffer.alloc(0) }]);
    expect(res.statusCode).toBe(303);
    expect(await countsFor(account.id)).toEqual({ conversations: 1, messages: 1, attachments: 0 });
  });

  it('keeps a clean, displayable name: no directory, no control or direction characters, not too long', async () => {
    const { browser } = await loggedInClient();
    const long = `${'très long nom '.repeat(20)}.pdf`;
    const res = await compose(browser, [
      { filename: 'C:\\Users\\claire\\Documents\\quittance.pdf', content: pdf() },
      { filename: 'facture\u202Efdp.jpg', content: jpeg() },
      { filename: 'tab\tet\u0007cloche.pdf', content: pdf() },
      { filename: long, content: pdf() },
    ]);
    expect(res.statusCode).toBe(303);
    const names = await db
      .selectFrom('attachments')
      .innerJoin('messages', 'messages.id', 'attachments.message_id')
      .select('attachments.file_name')
      .where('messages.conversation_id', '=', conversationIdOf(res.headers.location))
      .orderBy('attachments.created_at')
      .execute();
    expect(names[0]!.file_name).toBe('quittance.pdf');
    expect(names[1]!.file_name).toBe('facturefdp.jpg');
    expect(names[2]!.file_name).toBe('tab etcloche.pdf');
    expect([...names[3]!.file_name].length).toBe(120);
    expect(names[3]!.file_name.endsWith('….pdf')).toBe(true);
  });
});

describe('refused files', () => {
  const cases: Array<{ what: string; files: UploadFile[]; message: string }> = [
    {
      what: 'other bytes behind a .pdf name',
      files: [{ filename: 'facture.pdf', content: Buffer.concat([Buffer.from('MZ\x90\0'), randomBytes(4000)]) }],
      message:
        'Le fichier « facture.pdf » n’est pas accepté : son contenu n’est pas celui d’un fichier PDF. Formats acceptés PDF, PNG, JPG, TIF, BMP, GIF, 10 Mo au plus.',
    },
    {
      what: 'a PNG named .jpg',
      files: [{ filename: 'photo.jpg', content: png() }],
      message: 'Le fichier « photo.jpg » n’est pas accepté : son contenu n’est pas celui d’un fichier JPEG.',
    },
    {
      what: 'an .exe',
      files: [{ filename: 'x.exe', content: Buffer.concat([Buffer.from('MZ'), randomBytes(100)]) }],
      message: 'Le fichier « x.exe » n’est pas accepté : formats acceptés PDF, PNG, JPG, TIF, BMP, GIF, 10 Mo au plus.',
    },
    {
      what: 'a file without extension',
      files: [{ filename: 'LISEZMOI', content: pdf() }],
      message:
        'Le fichier « LISEZMOI » n’est pas accepté : formats acceptés PDF, PNG, JPG, TIF, BMP, GIF, 10 Mo au plus.',
    },
    {
      what: 'an empty file',
      files: [{ filename: 'vide.pdf', content: Buffer.alloc(0) }],
      message: 'Le fichier « vide.pdf » n’est pas accepté : il est vide.',
    },
    {
      what: 'a file shorter than its signature',
      files: [{ filename: 'court.pdf', content: Buffer.from('%P') }],
      message: 'Le fichier « court.pdf » n’est pas accepté : son contenu n’est pas celui d’un fichier PDF.',
    },
    {
      what: '10 MB and one byte',
      files: [{ filename: 'gros.pdf', content: pdf(10 * MB + 1) }],
      message: 'Le fichier « gros.pdf » n’est pas accepté : il dépasse 10 Mo.',
    },
    {
      what: 'a name climbing directories',
      files: [{ filename: '../../../etc/cron.d/passwd.pdf', content: pdf() }],
      message: 'Le fichier « passwd.pdf » n’est pas accepté : son nom n’est pas valide.',
    },
    {
      what: 'six files',
      files: Array.from({ length: 6 }, (_, i) => ({ filename: `piece-${i + 1}.pdf`, content: pdf() })),
      message: 'Vous pouvez joindre 5 fichiers au plus à un message.',
    },
    {
      what: 'a good file with a bad one',
      files: [
        { filename: 'bon.pdf', content: pdf() },
        { filename: 'mauvais.exe', content: randomBytes(100) },
      ],
      message: 'Le fichier « mauvais.exe » n’est pas accepté',
    },
  ];

  for (const c of cases) {
    it(`refuses ${c.what} with a clear message, keeps what was typed and stores nothing`, async () => {
      const { account, browser } = await loggedInClient();
      const before = await storedFiles();
      const res = await compose(browser, c.files, { subject: 'Objet « tapé »', body: 'Le texte que j’avais écrit.' });
      expect(res.statusCode).toBe(400);
      const text = decodeEntities(res.body);
      expect(text).toContain(c.message);
      expect(text).toContain(
        'Votre message n’a pas été envoyé et aucun fichier n’a été enregistré : merci de choisir à nouveau vos fichiers.',
      );
      expect(text).toContain('value="Objet « tapé »"');
      expect(text).toContain('>Le texte que j’avais écrit.</textarea>');
      expect(await countsFor(account.id)).toEqual({ conversations: 0, messages: 0, attachments: 0 });
      expect(await storedFiles()).toEqual(before);
    });
  }

  it('names each refused file, in English for an English reader', async () => {
    const { account, browser } = await loggedInClient('en');
    const res = await compose(browser, [
      { filename: 'a.exe', content: randomBytes(10) },
      { filename: 'b.pdf', content: png() },
    ]);
    expect(res.statusCode).toBe(400);
    const text = decodeEntities(res.body);
    expect(text).toContain(
      'The file “a.exe” is not accepted: accepted formats are PDF, PNG, JPG, TIF, BMP, GIF, 10 MB at most.',
    );
    expect(text).toContain('The file “b.pdf” is not accepted: its content is not that of a PDF file.');
    expect(text).toContain('Your message was not sent and no file was kept: please choose your files again.');
    expect(await countsFor(account.id)).toEqual({ conversations: 0, messages: 0, attachments: 0 });
  });

  it('refuses the files of a form with another error too (a missing subject), storing nothing', async () => {
    const { account, browser } = await loggedInClient();
    const before = await storedFiles();
    const res = await compose(browser, [{ filename: 'ok.pdf', content: pdf() }], { subject: ' ' });
    expect(res.statusCode).toBe(400);
    const text = decodeEntities(res.body);
    expect(text).toContain('Merci d’indiquer l’objet de votre message.');
    expect(text).toContain('merci de choisir à nouveau vos fichiers');
    expect(await countsFor(account.id)).toEqual({ conversations: 0, messages: 0, attachments: 0 });
    expect(await storedFiles()).toEqual(before);
  });

  it('refuses a bad file on a reply: the reply is not written, its text kept, nothing stored', async () => {
    const { account, browser } = await loggedInClient();
    const created = await compose(browser, []);
    const conversationId = conversationIdOf(created.headers.location);
    const counts = await countsFor(account.id);
    const before = await storedFiles();
    const res = await browser.postMultipart(`/conversations/${conversationId}/messages`, { body: 'Ma réponse.' }, [
      { filename: 'ok.png', content: png() },
      { filename: 'faux.gif', content: pdf() },
    ]);
    expect(res.statusCode).toBe(400);
    const text = decodeEntities(res.body);
    expect(text).toContain('Le fichier « faux.gif » n’est pas accepté : son contenu n’est pas celui d’un fichier GIF.');
    expect(text).toContain('>Ma réponse.</textarea>');
    expect(await countsFor(account.id)).toEqual(counts);
    expect(await storedFiles()).toEqual(before);
  });
});

describe('unreadable forms', () => {
  it('answers 400 to a body without boundary, or cut short in a file, and stores nothing', async () => {
    const { account, browser } = await loggedInClient();
    const page = await browser.get('/conversations/nouvelle');
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const cookie = `guichet_session=${browser.cookie('guichet_session')}; guichet_csrf=${browser.cookie('guichet_csrf')}`;
    const before = await storedFiles();
    const noBoundary = await system.app!.inject({
      method: 'POST',
      url: '/conversations',
      payload: 'abc',
      headers: { cookie, 'content-type': 'multipart/form-data' },
    });
    expect(noBoundary.statusCode).toBe(400);
    expect(decodeEntities(noBoundary.body)).toContain(
      'Ce formulaire n’a pas pu être lu : rien n’a été enregistré. Merci de le renvoyer.',
    );
    const { body } = multipartBody([
      { name: '_csrf', value: token },
      { name: 'spaceId', value: space.id },
      { name: 'subject', value: 'Coupé' },
      { name: 'body', value: 'Le fichier arrive coupé.' },
      { name: 'files', file: { filename: 'entier.pdf', content: pdf(50_000) } },
    ]);
    const boundary = /^--(\S+)\r\n/.exec(body.toString('latin1'))![1]!;
    // The first file whole, then a second one that never ends.
    const cut = Buffer.concat([
      body.subarray(0, body.length - `--${boundary}--\r\n`.length),
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="coupe.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
      ),
      pdf(100_000),
    ]);
    const res = await system.app!.inject({
      method: 'POST',
      url: '/conversations',
      payload: cut,
      headers: { cookie, 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
    expect(res.statusCode).toBe(400);
    expect(await countsFor(account.id)).toEqual({ conversations: 0, messages: 0, attachments: 0 });
    expect(await storedFiles()).toEqual(before);
  });
});

describe('CSRF on forms with files', () => {
  const cases: Array<{ what: string; options: { csrf?: string | null; csrfLast?: boolean } }> = [
    { what: 'no token', options: { csrf: null } },
    { what: 'a forged token', options: { csrf: 'forged-token-value' } },
    // A browser sends the token first; one that comes after the files is not waited for.
    { what: 'the token after the files', options: { csrfLast: true } },
  ];
  for (const c of cases) {
    it(`refuses a new message with ${c.what} (403) and stores nothing`, async () => {
      const { account, browser } = await loggedInClient();
      const before = await storedFiles();
      const res = await compose(browser, [{ filename: 'scan.pdf', content: pdf(200_000) }], {}, c.options);
      expect(res.statusCode).toBe(403);
      expect(decodeEntities(res.body)).toContain('Ce formulaire a expiré. Merci de le renvoyer.');
      expect(await countsFor(account.id)).toEqual({ conversations: 0, messages: 0, attachments: 0 });
      expect(await storedFiles()).toEqual(before);
    });
  }

  it('refuses a reply without a token (403) and stores nothing', async () => {
    const { account, browser } = await loggedInClient();
    const created = await compose(browser, []);
    const conversationId = conversationIdOf(created.headers.location);
    const counts = await countsFor(account.id);
    const before = await storedFiles();
    const res = await browser.postMultipart(
      `/conversations/${conversationId}/messages`,
      { body: 'Réponse.' },
      [{ filename: 'a.pdf', content: pdf() }],
      { csrf: null },
    );
    expect(res.statusCode).toBe(403);
    expect(await countsFor(account.id)).toEqual(counts);
    expect(await storedFiles()).toEqual(before);
  });

  it('reads and drops the rest of a refused upload: the same connection serves the next request', async () => {
    const { browser } = await loggedInClient();
    const cookie = `guichet_session=${browser.cookie('guichet_session')}`;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await rawRequest(agent, '/conversations/nouvelle', 'GET', { cookie });
      expect(first.status).toBe(200);
      const { body, contentType } = multipartBody([
        { name: '_csrf', value: 'forged' },
        { name: 'subject', value: 'Objet' },
        { name: 'files', file: { filename: 'scan.pdf', content: pdf(3 * MB) } },
      ]);
      const refused = await rawRequest(
        agent,
        '/conversations',
        'POST',
        { cookie, 'content-type': contentType, 'content-length': String(body.length) },
        body,
      );
      expect(refused.status).toBe(403);
      const next = await rawRequest(agent, '/conversations', 'GET', { cookie });
      expect(next.status).toBe(200);
      expect(next.reused).toBe(true);
    } finally {
      agent.destroy();
    }
  });

  it('stores nothing for a visitor without a session, nor for another client’s conversation', async () => {
    const { browser } = await loggedInClient();
    const created = await compose(browser, []);
    const conversationId = conversationIdOf(created.headers.location);
    const before = await storedFiles();
    const stranger = await loggedInClient();
    const token = (await stranger.browser.get('/conversations/nouvelle')).body;
    const res = await stranger.browser.postMultipart(
      `/conversations/${conversationId}/messages`,
      { body: 'Intrus.' },
      [{ filename: 'a.pdf', content: pdf() }],
      {
        csrf: /name="_csrf" value="([^"]+)"/.exec(token)![1]!,
      },
    );
    expect(res.statusCode).toBe(404);
    const anonymous = new Browser(system.app!);
    const page = await anonymous.get('/connexion');
    const out = await anonymous.postMultipart(
      '/conversations',
      { spaceId: space.id, subject: 'x', body: 'y' },
      [{ filename: 'a.pdf', content: pdf() }],
      {
        csrf: /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!,
      },
    );
    expect(out.statusCode).toBe(302);
    expect(out.headers.location).toBe('/connexion');
    expect(await storedFiles()).toEqual(before);
  });
});

/** One request over a real connection of `agent` (app.inject has no connections). */
function rawRequest(
  agent: http.Agent,
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: Buffer,
): Promise<{ status: number; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${system.url}${url}`, { method, headers, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The page's text as read: the escaped entities of the templates back to characters. */
function decodeEntities(html: string): string {
  return html
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n: string) => String.fromCodePoint(Number.parseInt(n, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
