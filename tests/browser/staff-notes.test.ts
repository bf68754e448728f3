// The whole staff-note corpus (tests/unit/app/staff-note-corpus.json) mirrored as staff notes of
// one conversation, read by the client in Chromium on a phone (390×844) and a laptop (1366×768):
// no script runs (alert, dialogs, event handlers, javascript: links), no request leaves for
// another host, nothing is wider than the screen; the back-office thread shows the same notes.
// Screenshots: artifacts/screenshots/staff-notes-*.png.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createConversation, insertAttachments, insertMessage } from '../../db/conversations.js';
import { createClient, createSpace, createStaff } from '../helpers/fixtures.js';
import { browserTestSystem, deviceOptions, screenshot, signIn } from '../helpers/browser.js';

const running = browserTestSystem();

const corpus = JSON.parse(
  readFileSync(new URL('../unit/app/staff-note-corpus.json', import.meta.url), 'utf8'),
) as Array<{ name: string; source: string }>;

/** Counts every way a script could run in the page, before any of the page's own code. */
const TRAPS = `
  window.__ran = [];
  for (const name of ['alert', 'confirm', 'prompt', 'print', 'open']) {
    window[name] = (...args) => { window.__ran.push(name + ':' + String(args[0])); };
  }
  window.x = () => window.__ran.push('x()');
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__ran.push('csp:' + e.violatedDirective + ':' + e.blockedURI);
  });
`;

async function conversationWithCorpus() {
  const db = running.system.database.db;
  const space = await createSpace(db, 'Gestion locative');
  const client = await createClient(db, { space, name: 'Claire Martin' });
  const conversation = await createConversation(db, {
    id: randomUUID(),
    spaceId: space.id,
    clientAccountId: client.account.id,
    subject: 'Pièces du dossier',
    cc: '',
  });
  const start = Date.now() - corpus.length * 60_000;
  let first: string | undefined;
  for (const [i, note] of corpus.entries()) {
    const message = await insertMessage(db, {
      id: randomUUID(),
      conversationId: conversation.id,
      authorKind: 'staff',
      authorAccountId: null,
      authorDisplayName: `Julien · ${note.name}`,
      body: note.source,
      createdAt: new Date(start + i * 60_000),
    });
    first ??= message!.id;
  }
  // The mirrored files the notes name (attachment:devis.pdf, !plan.png!…).
  await insertAttachments(
    db,
    first!,
    ['devis.pdf', 'plan.png', 'relevé de compte.pdf'].map((fileName) => ({
      fileName,
      contentType: 'application/octet-stream',
      sizeBytes: 1000,
      sha256: '0'.repeat(64),
      storageKey: `test/${randomUUID()}`,
    })),
  );
  return { conversation, client, space };
}

async function readThread(page: Page, url: string, name: string) {
  const foreign: string[] = [];
  const origin = new URL(running.system.url).host;
  page.on('request', (request) => {
    if (new URL(request.url()).host !== origin) foreign.push(request.url());
  });
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(url);
  await page.waitForLoadState('networkidle');
  await screenshot(page, name);
  const ran = await page.evaluate<string[]>('window.__ran');
  // The DOM of the notes: no handler, no image, no javascript: address, no style.
  const hostile = await page.evaluate<string[]>(`
    [...document.querySelectorAll('.message .body *')].flatMap((el) => [
      ...[...el.attributes].filter((a) => /^on|^style$|^class$|^id$|^src/i.test(a.name)).map((a) => el.tagName + ' ' + a.name),
      ...(['IMG', 'SCRIPT', 'IFRAME', 'SVG', 'STYLE', 'OBJECT', 'EMBED'].includes(el.tagName.toUpperCase()) ? [el.tagName] : []),
      ...(el.tagName === 'A' && !/^(https?:|mailto:|\\/)/.test(el.getAttribute('href') || '') ? ['A ' + el.getAttribute('href')] : []),
    ])
  `);
  return { foreign, dialogs, ran, hostile };
}

describe('staff notes in the browser', () => {
  for (const device of [
    { name: 'phone', options: (url: string) => deviceOptions(true, url) },
    {
      name: 'laptop',
      options: (url: string) => ({ ...deviceOptions(false, url), viewport: { width: 1366, height: 768 } }),
    },
  ]) {
    it(`run no script, load nothing from elsewhere and fit the ${device.name}'s screen`, async () => {
      const { conversation, client } = await conversationWithCorpus();
      const context = await running.browser.newContext(device.options(running.system.url));
      try {
        await context.addInitScript(TRAPS);
        const page = await context.newPage();
        await signIn(page, { email: client.account.email, password: client.password }, 'client');
        const seen = await readThread(page, `/conversations/${conversation.id}`, `staff-notes-${device.name}`);
        expect(seen.ran).toEqual([]);
        expect(seen.dialogs).toEqual([]);
        expect(seen.foreign).toEqual([]);
        expect(seen.hostile).toEqual([]);
        // Every note is there, formatted: a list, a quote, a table, a link to a mirrored file.
        await expect(page.locator('.message.from-staff').count()).resolves.toBe(corpus.length);
        await expect(page.locator('.message .body blockquote').count()).resolves.toBeGreaterThan(2);
        await expect(page.locator('.message .body table').count()).resolves.toBeGreaterThan(0);
        await expect(
          page.locator(`.message .body a[href^="/conversations/${conversation.id}/pieces-jointes/"]`).count(),
        ).resolves.toBeGreaterThan(2);
        await expect(page.getByText('<script>alert(1)</script>').first().isVisible()).resolves.toBe(true);
      } finally {
        await context.close();
      }
    });
  }

  it('show the same notes, safely, in the back-office thread', async () => {
    const { conversation, space } = await conversationWithCorpus();
    const staff = await createStaff(running.system.database.db, { spaces: [space] });
    const context = await running.browser.newContext(deviceOptions(false, running.system.url));
    try {
      await context.addInitScript(TRAPS);
      const page = await context.newPage();
      await signIn(page, { email: staff.account.email, password: staff.password }, 'staff');
      const seen = await readThread(page, `/back-office/conversations/${conversation.id}`, 'staff-notes-back-office');
      expect(seen.ran).toEqual([]);
      expect(seen.dialogs).toEqual([]);
      expect(seen.foreign).toEqual([]);
      expect(seen.hostile).toEqual([]);
      await expect(
        page.locator(`.message .body a[href^="/back-office/conversations/${conversation.id}/pieces-jointes/"]`).count(),
      ).resolves.toBeGreaterThan(2);
    } finally {
      await context.close();
    }
  });
});
