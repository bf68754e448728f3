// Settings: validated colour, rows per page and languages; a logo stored and served; the theme
// stylesheet carries the colour; only administrators change anything. The settings are global
// to the run's database: every test puts them back as they were.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSystem } from '../../runtime/system.js';
import { getSettings, saveSettings } from '../../db/settings.js';
import { createClient, createSpace, createStaff } from '../helpers/fixtures.js';
import { Browser } from '../helpers/http.js';
import { makePng } from '../helpers/png.js';
import { startTestSystem } from '../helpers/system.js';
import { inkFor } from '../../domain/colour.js';

let system: RunningSystem & { url: string };

beforeAll(async () => {
  system = await startTestSystem();
});
afterAll(async () => {
  if (system) {
    const current = await getSettings(system.database.db);
    if (current.logo) await system.app!.deps.storage.delete(current.logo.key);
    await saveSettings(system.database.db, {
      primaryColor: '#0b5cab',
      rowsPerPage: 25,
      locales: ['fr', 'en'],
      logo: null,
    });
  }
  await system?.stop();
});

async function staffBrowser(admin: boolean): Promise<Browser> {
  const { account, password } = await createStaff(system.database.db, { admin });
  const browser = new Browser(system.app!);
  expect((await browser.login(account.email, password, 'staff')).statusCode).toBe(303);
  return browser;
}

const valid = { primaryColor: '#0b5cab', rowsPerPage: '25', locale_fr: 'on', locale_en: 'on' };

describe('settings', () => {
  it('refuses bad values with clear messages and keeps everything as it was', async () => {
    const admin = await staffBrowser(true);
    const before = await getSettings(system.database.db);
    const res = await admin.postMultipart(
      '/back-office/reglages',
      { primaryColor: 'red', rowsPerPage: '351' },
      [{ filename: 'logo.pdf', content: Buffer.from('%PDF-1.4\n%%EOF\n') }],
      { formUrl: '/back-office/reglages' },
    );
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('La couleur doit être un code hexadécimal à 6 chiffres, par exemple #0b5cab.');
    expect(res.body).toContain('Le nombre de lignes par page doit être un nombre entier entre 10 et 350.');
    expect(res.body).toContain('Merci de garder au moins une langue.');
    expect(res.body).toContain('Le logo n’est pas accepté');
    for (const rows of ['9', '10.5', '']) {
      const r = await admin.postMultipart('/back-office/reglages', { ...valid, rowsPerPage: rows }, [], {
        formUrl: '/back-office/reglages',
      });
      expect(r.statusCode).toBe(400);
    }
    expect(await getSettings(system.database.db)).toEqual(before);
  });

  it('lets only administrators change them', async () => {
    const agent = await staffBrowser(false);
    const page = await agent.get('/back-office/reglages');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Seuls les administrateurs peuvent faire cette modification.');
    const res = await agent.postMultipart('/back-office/reglages', { ...valid, primaryColor: '#000000' }, [], {
      formUrl: '/back-office/reglages',
    });
    expect(res.statusCode).toBe(403);
    expect((await getSettings(system.database.db)).primaryColor).not.toBe('#000000');
  });

  it('applies the colour through the theme stylesheet, serves the logo, and pages follow rows per page', async () => {
    const db = system.database.db;
    const admin = await staffBrowser(true);
    const logo = makePng(120, 40, [200, 40, 40]);
    const saved = await admin.postMultipart(
      '/back-office/reglages',
      { ...valid, primaryColor: '#A33B00', rowsPerPage: '10' },
      [{ filename: 'logo.png', content: logo, contentType: 'image/png' }],
      {
        formUrl: '/back-office/reglages',
      },
    );
    expect(saved.statusCode).toBe(303);
    const settings = await getSettings(db);
    expect(settings).toMatchObject({ primaryColor: '#a33b00', rowsPerPage: 10, locales: ['fr', 'en'] });
    expect(settings.logo?.contentType).toBe('image/png');

    const page = await admin.get('/back-office/reglages?enregistre=1');
    expect(page.body).toContain('Les réglages sont enregistrés.');
    const version = /href="\/theme\.css\?v=([a-z0-9]+)"/.exec(page.body)?.[1];
    expect(version).toBeDefined();
    expect(page.body).toContain(`<img class="logo" src="/logo?v=${version}"`);
    const theme = await admin.get(`/theme.css?v=${version}`);
    expect(theme.headers['content-type']).toContain('text/css');
    expect(theme.body).toContain('--brand: #a33b00; --brand-ink: #ffffff;');
    const served = await new Browser(system.app!).get('/logo');
    expect(served.statusCode).toBe(200);
    expect(served.headers['content-type']).toBe('image/png');
    expect(served.rawPayload.equals(logo)).toBe(true);

    // Rows per page: 12 conversations in one space make two pages of 10.
    const space = await createSpace(db, 'Pagination');
    const { account: client } = await createClient(db, { space });
    for (let i = 0; i < 12; i++) {
      await db
        .insertInto('conversations')
        .values({
          id: crypto.randomUUID(),
          space_id: space.id,
          client_account_id: client.id,
          subject: `Sujet ${i}`,
          created_at: new Date(),
          last_message_at: new Date(Date.now() - i * 1000),
        })
        .execute();
    }
    const list = await admin.get(`/back-office?space=${space.id}`);
    expect(list.body.match(/href="\/back-office\/conversations\//g)).toHaveLength(10);
    expect(list.body).toContain('Page 1 sur 2');

    // Remove the logo and put the rest back.
    const removed = await admin.postMultipart('/back-office/reglages', { ...valid, removeLogo: 'on' }, [], {
      formUrl: '/back-office/reglages',
    });
    expect(removed.statusCode).toBe(303);
    expect((await getSettings(db)).logo).toBeNull();
    expect((await new Browser(system.app!).get('/logo')).statusCode).toBe(404);
    await expect(system.app!.deps.storage.get(settings.logo!.key)).rejects.toThrow();
  });

  it('picks readable text for the primary colour', () => {
    expect(inkFor('#0b5cab')).toBe('#ffffff');
    expect(inkFor('#ffeb3b')).toBe('#1b1f24');
  });
});
