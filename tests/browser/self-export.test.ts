// The page of the client's data in Chromium, on a phone and a laptop: reached from the navigation,
// axe-core (WCAG 2.1 AA) clean before and after asking, the ask made by keyboard alone (the button
// reached with Tab, focus visible, Enter), the refusal of a second ask and the expired link's page
// clean too. Screenshots go to artifacts/screenshots/ (self-export-*.png).
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createClient, createSpace } from '../helpers/fixtures.js';
import { axeContextOptions, expectNoAxeViolations } from '../helpers/axe.js';
import { browserTestSystem, deviceOptions, screenshot, signIn } from '../helpers/browser.js';

const running = browserTestSystem();

describe('the page of the client’s data', () => {
  for (const phone of [true, false]) {
    it(`asks for an export by keyboard, accessibly, on a ${phone ? 'phone' : 'laptop'}`, async () => {
      const { system, browser } = running;
      const db = system.database.db;
      const space = await createSpace(db, 'Gestion locative');
      const { account, password } = await createClient(db, { space, name: 'Claire Martin' });
      const context = await browser.newContext(deviceOptions(phone, system.url, axeContextOptions));
      const page = await context.newPage();
      await signIn(page, { email: account.email, password }, 'client');
      await Promise.all([page.waitForURL('**/mes-donnees'), page.getByRole('link', { name: 'Mes données' }).click()]);
      await expectNoAxeViolations(page, 'my data');
      await screenshot(page, `self-export-${phone ? 'phone' : 'desk'}`);

      // By keyboard: Tab until the button has the focus, visibly, then Enter.
      // Evaluated in the page: the focused element's text, and whether its focus ring shows (a box
      // shadow in guichet.css, or an outline).
      const focused = () =>
        page.evaluate<{ text: string; visible: boolean } | null>(`(() => {
          const el = document.activeElement;
          if (!el || el === document.body) return null;
          const style = getComputedStyle(el);
          const visible = style.boxShadow !== 'none' || (style.outlineStyle !== 'none' && style.outlineWidth !== '0px');
          return { text: (el.textContent || '').trim(), visible };
        })()`);
      let reached: { text: string; visible: boolean } | null = null;
      for (let i = 0; i < 30 && reached?.text !== 'Télécharger mes données'; i++) {
        await page.keyboard.press('Tab');
        reached = await focused();
      }
      expect(reached).toEqual({ text: 'Télécharger mes données', visible: true });
      await Promise.all([page.waitForURL('**/mes-donnees?fait=demande'), page.keyboard.press('Enter')]);
      await expect
        .poll(() => page.getByRole('status').first().textContent())
        .toContain('Votre demande est enregistrée');
      await expectNoAxeViolations(page, 'my data, asked');
      await screenshot(page, `self-export-asked-${phone ? 'phone' : 'desk'}`);

      // A second ask: refused, saying when; still accessible.
      await Promise.all([
        page.waitForLoadState(),
        page.getByRole('button', { name: 'Demander un nouvel export' }).click(),
      ]);
      await expect
        .poll(() => page.getByRole('alert').textContent())
        .toContain('Vous pourrez en demander un nouvel export');
      await expectNoAxeViolations(page, 'my data, refused');
      await screenshot(page, `self-export-refused-${phone ? 'phone' : 'desk'}`);

      // A link that gives nothing (expired, or not theirs).
      const gone = await page.goto(`/mes-donnees/exports/${randomUUID()}`);
      expect(gone?.status()).toBe(404);
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Lien expiré');
      await expectNoAxeViolations(page, 'expired link');
      await screenshot(page, `self-export-expired-${phone ? 'phone' : 'desk'}`);
      await context.close();
    });
  }
});
