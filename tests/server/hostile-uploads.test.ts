// Hostile deposits: each gets a clear message naming the file (seed 000's "Attention ! La taille
// ou le format des fichiers suivants n’est pas accepté"), no row is written, no byte stays in the
// storage directory, and the server keeps answering (a genuine deposit goes through after all).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PDFDocument, PDFName, PDFString } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../db/connect.js';
import type { Case } from '../../db/database.js';
import { caseDocuments } from '../../db/documents.js';
import type { RunningSystem } from '../../runtime/system.js';
import {
  GIF_1PX,
  PNG_1PX,
  categoryId,
  cloneTemplate,
  makeBmp,
  makeCase,
  makeJpeg,
  makePdf,
  makeTiff,
  storedFiles,
} from '../helpers/documents.js';
import { createClient, createSpace } from '../helpers/fixtures.js';
import { Browser, csrfToken, multipartBody, type FormPart } from '../helpers/http.js';
import { startTestSystem } from '../helpers/system.js';

let system: RunningSystem & { url: string };
let db: Db;
let browser: Browser;
let kase: Case;
let category: string;
let token: string;
let work: string;

const MB = 1024 * 1024;

beforeAll(async () => {
  system = await startTestSystem();
  db = system.database.db;
  work = await mkdtemp(path.join(os.tmpdir(), 'guichet-hostile-'));
  const space = await createSpace(db, 'Crédit auto');
  const template = await cloneTemplate(db, 'credit-bail-vehicule');
  const { account, password } = await createClient(db, { space });
  browser = new Browser(system.app!);
  expect((await browser.login(account.email, password)).statusCode).toBe(303);
  kase = await makeCase(db, { space, client: account, template });
  category = await categoryId(db, template.id, 'identite');
  token = csrfToken((await browser.get(`/dossiers/${kase.id}`)).body);
});
afterAll(async () => {
  await system?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

/** Posts files as the page's script does (JSON back) or as a plain form. */
async function deposit(
  files: Array<{ filename: string; content: Buffer }>,
  options: { json?: boolean; parts?: FormPart[]; url?: string } = {},
) {
  const parts: FormPart[] = options.parts ?? [
    { name: '_csrf', value: token },
    { name: 'category', value: category },
    ...files.map((file) => ({ name: 'files', file })),
  ];
  const body = multipartBody(parts);
  return system.app!.inject({
    method: 'POST',
    url: options.url ?? `/dossiers/${kase.id}/documents`,
    payload: body.body,
    headers: {
      'content-type': body.contentType,
      ...(options.json === false ? {} : { accept: 'application/json' }),
      cookie: `guichet_session=${browser.cookie('guichet_session')}; guichet_csrf=${browser.cookie('guichet_csrf')}`,
    },
  });
}

async function encryptedPdf(): Promise<Buffer> {
  const plain = path.join(work, 'plain.pdf');
  const locked = path.join(work, 'locked.pdf');
  await writeFile(plain, await makePdf(1));
  execFileSync('qpdf', ['--encrypt', 'user-pass', 'owner-pass', '256', '--', plain, locked]);
  return readFile(locked);
}

async function manyPages(n: number): Promise<Buffer> {
  const doc = await PDFDocument.create();
  for (let i = 0; i < n; i++) doc.addPage([200, 200]);
  return Buffer.from(await doc.save());
}

async function withOpenAction(kind: 'JavaScript' | 'Launch', objectStreams: boolean): Promise<Buffer> {
  const doc = await PDFDocument.load(await makePdf(1));
  const action =
    kind === 'JavaScript'
      ? { S: 'JavaScript', JS: PDFString.of('app.alert(1)') }
      : { S: 'Launch', F: PDFString.of('calc.exe') };
  doc.catalog.set(PDFName.of('OpenAction'), doc.context.obj(action));
  return Buffer.from(await doc.save({ useObjectStreams: objectStreams }));
}

interface Case_ {
  title: string;
  file: () => Promise<{ filename: string; content: Buffer }> | { filename: string; content: Buffer };
  /** What the person reads, beside seed 000's heading. */
  message: string;
}

const pdfName = (name: string, content: Buffer) => ({ filename: name, content });
const MZ = Buffer.concat([
  Buffer.from('MZ'),
  Buffer.alloc(60),
  Buffer.from('This program cannot be run in DOS mode'),
  randomBytes(2000),
]);
const ZIP = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), randomBytes(500)]);
const SVG = Buffer.from(
  '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>',
);
const HTML = Buffer.from('<!doctype html><html><body><script>fetch("/dossiers")</script></body></html>');

const CASES: Case_[] = [
  {
    title: 'an executable behind a .pdf name',
    file: () => pdfName('releve.pdf', MZ),
    message: 'son contenu n’est pas celui d’un fichier PDF',
  },
  {
    title: 'PNG bytes behind a .jpg name',
    file: () => pdfName('photo.jpg', PNG_1PX),
    message: 'son contenu n’est pas celui d’un fichier JPEG',
  },
  {
    title: 'a PDF behind a .png name',
    file: async () => pdfName('scan.png', await makePdf(1)),
    message: 'son contenu n’est pas celui d’un fichier PNG',
  },
  {
    title: 'a ZIP archive behind a .pdf name',
    file: () => pdfName('archive.pdf', ZIP),
    message: 'son contenu n’est pas celui d’un fichier PDF',
  },
  {
    title: 'HTML behind a .pdf name',
    file: () => pdfName('page.pdf', HTML),
    message: 'son contenu n’est pas celui d’un fichier PDF',
  },
  {
    title: 'SVG with a script behind a .png name',
    file: () => pdfName('logo.png', SVG),
    message: 'son contenu n’est pas celui d’un fichier PNG',
  },
  {
    title: 'an SVG file',
    file: () => pdfName('logo.svg', SVG),
    message: 'formats acceptés PDF, PNG, JPG, TIF, BMP, GIF',
  },
  {
    title: 'an HTML file',
    file: () => pdfName('index.html', HTML),
    message: 'formats acceptés PDF, PNG, JPG, TIF, BMP, GIF',
  },
  {
    title: '10 MB + 1 byte',
    file: async () =>
      pdfName('gros.pdf', Buffer.concat([await makePdf(1), randomBytes(10 * MB + 1)]).subarray(0, 10 * MB + 1)),
    message: 'il dépasse 10 Mo',
  },
  { title: 'an empty file', file: () => pdfName('vide.pdf', Buffer.alloc(0)), message: 'il est vide' },
  {
    title: 'an encrypted PDF (qpdf, AES-256)',
    file: async () => pdfName('protege.pdf', await encryptedPdf()),
    message: 'il est protégé par un mot de passe',
  },
  {
    title: 'a corrupt PDF (garbage between header and end)',
    file: () =>
      pdfName('casse.pdf', Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(4000), Buffer.from('\n%%EOF\n')])),
    message: 'ce fichier PDF est endommagé',
  },
  {
    title: 'a PDF cut short',
    file: async () => {
      const whole = await makePdf(3);
      return pdfName('coupe.pdf', whole.subarray(0, Math.floor(whole.length / 2)));
    },
    message: 'son contenu n’est pas celui d’un fichier PDF',
  },
  {
    title: 'a PDF of 3,000 pages',
    file: async () => pdfName('archives.pdf', await manyPages(3000)),
    message: 'il compte 3000 pages, 500 au plus',
  },
  {
    title: 'a path-traversal name',
    file: async () => pdfName('../../../etc/cron.d/evil.pdf', await makePdf(1)),
    message: 'son nom n’est pas valide',
  },
  {
    title: 'a Windows path-traversal name',
    file: async () => pdfName('..\\..\\Windows\\evil.pdf', await makePdf(1)),
    message: 'son nom n’est pas valide',
  },
  {
    title: 'a right-to-left override hiding .exe',
    file: () => pdfName('facture\u202Efdp.exe', MZ),
    message: '« facturefdp.exe » n’est pas accepté',
  },
  {
    title: 'a double extension ending in .exe',
    file: () => pdfName('scan.pdf.exe', MZ),
    message: '« scan.pdf.exe » n’est pas accepté',
  },
  {
    title: 'a double extension ending in .pdf with executable bytes',
    file: () => pdfName('setup.exe.pdf', MZ),
    message: 'son contenu n’est pas celui d’un fichier PDF',
  },
  {
    title: 'a Unicode name with an executable inside',
    file: () => pdfName('pièce d’identité 🪪.pdf', MZ),
    message: '« pièce d’identité 🪪.pdf »',
  },
  {
    title: 'a PDF/HTML polyglot',
    file: async () => {
      const pdf = await makePdf(1);
      return pdfName(
        'polyglotte.pdf',
        Buffer.concat([pdf.subarray(0, 9), Buffer.from('%<html><script>alert(1)</script>\n'), pdf.subarray(9)]),
      );
    },
    message: 'il contient du code exécutable',
  },
  {
    title: 'a PDF that runs JavaScript when opened',
    file: async () => pdfName('formulaire.pdf', await withOpenAction('JavaScript', false)),
    message: 'il contient du code exécutable',
  },
  {
    title: 'a PDF launching a program, hidden in an object stream',
    file: async () => pdfName('lanceur.pdf', await withOpenAction('Launch', true)),
    message: 'il contient du code exécutable',
  },
  {
    title: 'a PNG with a ZIP appended (polyglot)',
    file: () => pdfName('image.png', Buffer.concat([PNG_1PX, ZIP])),
    message: 'son contenu n’est pas celui d’un fichier PNG',
  },
  {
    title: 'a JPEG with HTML appended',
    file: () => pdfName('photo.jpg', Buffer.concat([makeJpeg(), HTML])),
    message: 'il contient du code exécutable',
  },
  {
    title: 'a GIF/JavaScript polyglot',
    file: () => pdfName('anim.gif', Buffer.from('GIF89a=1;alert(document.domain);//;')),
    message: 'son contenu n’est pas celui d’un fichier GIF',
  },
  {
    title: 'a PNG signature with a broken chunk chain',
    file: () =>
      pdfName(
        'faux.png',
        Buffer.concat([PNG_1PX.subarray(0, 8), randomBytes(300), PNG_1PX.subarray(PNG_1PX.length - 12)]),
      ),
    message: 'son contenu n’est pas celui d’un fichier PNG',
  },
  {
    title: 'a BMP whose header lies about its size',
    file: () => {
      const bmp = makeBmp();
      return pdfName('scan.bmp', Buffer.concat([bmp, ZIP]));
    },
    message: 'son contenu n’est pas celui d’un fichier BMP',
  },
  {
    title: 'a text file',
    file: () => pdfName('notes.txt', Buffer.from('bonjour')),
    message: 'formats acceptés PDF, PNG, JPG, TIF, BMP, GIF',
  },
  {
    title: 'a name without extension',
    file: async () => pdfName('document', await makePdf(1)),
    message: 'formats acceptés PDF, PNG, JPG, TIF, BMP, GIF',
  },
];

describe('hostile uploads', () => {
  it('lists at least 25 of them', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(25);
  });

  for (const c of CASES) {
    it(`refuses ${c.title}, names it, keeps nothing`, async () => {
      const files = await storedFiles(system.config.storageDir);
      const rows = (await caseDocuments(db, kase.id)).length;
      const file = await c.file();
      const res = await deposit([file]);
      expect(res.statusCode).toBe(400);
      const { ok, errors } = res.json<{ ok: boolean; errors: string[] }>();
      expect(ok).toBe(false);
      expect(errors[0]).toMatch(
        /^Attention ! La taille ou le format des fichiers suivants n’est pas accepté : « .+ »$/,
      );
      expect(errors.join('\n')).toContain(c.message);
      expect((await caseDocuments(db, kase.id)).length).toBe(rows);
      expect(await storedFiles(system.config.storageDir)).toEqual(files);
    });
  }

  it('refuses the whole form when one of several files is bad, with the page and the message (no script)', async () => {
    const files = await storedFiles(system.config.storageDir);
    const res = await deposit(
      [
        { filename: 'bon.pdf', content: await makePdf(1) },
        { filename: 'mauvais.pdf', content: MZ },
      ],
      { json: false },
    );
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain(
      'Attention ! La taille ou le format des fichiers suivants n’est pas accepté : « mauvais.pdf »',
    );
    expect(res.body).toContain('aucun fichier n’a été enregistré');
    expect(await storedFiles(system.config.storageDir)).toEqual(files);
    expect(await caseDocuments(db, kase.id)).toHaveLength(0);
  });

  it('refuses more files than allowed, a form without CSRF token, and a category of another template, keeping nothing', async () => {
    const files = await storedFiles(system.config.storageDir);
    const pdf = await makePdf(1);
    const six = await deposit(Array.from({ length: 6 }, (_, i) => ({ filename: `p${i}.pdf`, content: pdf })));
    expect(six.statusCode).toBe(400);
    const noToken = await deposit([], {
      parts: [
        { name: 'category', value: category },
        { name: 'files', file: { filename: 'a.pdf', content: pdf } },
      ],
    });
    expect(noToken.statusCode).toBe(403);
    const foreign = await deposit([], {
      parts: [
        { name: '_csrf', value: token },
        { name: 'category', value: '00000000-0000-4000-8000-000000000000' },
        { name: 'files', file: { filename: 'a.pdf', content: pdf } },
      ],
    });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json<{ errors: string[] }>().errors).toEqual(['Merci de choisir une catégorie de ce dossier.']);
    expect(await storedFiles(system.config.storageDir)).toEqual(files);
    expect(await caseDocuments(db, kase.id)).toHaveLength(0);
  });

  it('speaks the client’s language: English for an English-speaking client', async () => {
    const space = await createSpace(db, 'Car finance');
    const template = await cloneTemplate(db, 'credit-bail-vehicule');
    const { account, password } = await createClient(db, { space, locale: 'en' });
    const english = new Browser(system.app!);
    await english.login(account.email, password);
    const own = await makeCase(db, { space, client: account, template });
    const page = `/dossiers/${own.id}`;
    const res = await english.postMultipart(
      `${page}/documents`,
      { category: await categoryId(db, template.id, 'rib') },
      [{ filename: 'bank.pdf', content: MZ }],
      { formUrl: page },
    );
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Warning! The size or format of the following files is not accepted: “bank.pdf”');
    expect(res.body).toContain('The file “bank.pdf” is not accepted: its content is not that of a PDF file.');
    expect(await caseDocuments(db, own.id)).toHaveLength(0);
  });

  it('stays healthy and accepts genuine files of every kind afterwards', async () => {
    const health = await system.app!.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    const tiff = makeTiff();
    for (const file of [
      { filename: 'cni.pdf', content: await makePdf(2) },
      { filename: 'photo.jpg', content: makeJpeg() },
      { filename: 'capture.png', content: PNG_1PX },
      { filename: 'anim.gif', content: GIF_1PX },
      { filename: 'scan.bmp', content: makeBmp() },
      { filename: 'fax.tif', content: tiff },
    ]) {
      const res = await deposit([file]);
      expect(res.statusCode, file.filename).toBe(200);
    }
    expect(await caseDocuments(db, kase.id)).toHaveLength(6);
  });
});
