// axe-core (WCAG 2.1 A and AA) over every page of the client space in Chromium, with 0 violations:
// sign-in (and its refusal), the password request (and its answer), the contributor invitation,
// the conversation list, a new conversation (and its refusal), a conversation, the cases list, a
// case page with its file inputs, the case's contributors page, the notification preferences
// (saved, refused, waiting for a code), and the error pages. The preferences page is also looked at
// on a phone (390×844) and a laptop, and walked by keyboard: every control reached, focus visible.
// Screenshots go to artifacts/screenshots/.
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createConversation, insertMessage } from '../../db/conversations.js';
import { addCaseMember, beginInvitation, issueInvitationToken } from '../../db/contributors.js';
import { cloneTemplate, makeCase } from '../helpers/documents.js';
import { createClient, createSpace } from '../helpers/fixtures.js';
import { axeContextOptions, expectNoAxeViolations } from '../helpers/axe.js';
import { browserTestSystem, deviceOptions, screenshot, signIn } from '../helpers/browser.js';

const running = browserTestSystem();

/** Loads a page and runs axe on it; the page must answer `status`. */
async function check(page: Page, url: string, name: string, status = 200): Promise<void> {
  const res = await page.goto(url);
  expect(res?.status(), `${name}: ${url}`).toBe(status);
  await expectNoAxeViolations(page, name);
}

describe('accessibility of the client space', () => {
  it('has no WCAG 2.1 AA violation on any client page (axe-core)', async () => {
    const { system, browser } = running;
    const db = system.database.db;
    const space = await createSpace(db, 'Gestion locative');
    const { account: client, password } = await createClient(db, { space, name: 'Claire Martin' });
    const conversationId = randomUUID();
    await createConversation(db, {
      id: conversationId,
      spaceId: space.id,
      clientAccountId: client.id,
      subject: 'Fuite sous l’évier',
      cc: '',
    });
    await insertMessage(db, {
      id: randomUUID(),
      conversationId,
      authorKind: 'client',
      authorAccountId: client.id,
      authorDisplayName: client.full_name,
      body: 'Une fuite sous l’évier depuis hier soir.',
    });
    await insertMessage(db, {
      id: randomUUID(),
      conversationId,
      authorKind: 'staff',
      authorAccountId: null,
      authorDisplayName: 'Julien',
      body: 'Un plombier passe jeudi à 9 h.',
    });
    const rental = await cloneTemplate(db, 'demande-location', { digestMinutes: 0 });
    const kase = await makeCase(db, { space, client, template: rental });
    const { account: guest } = await createClient(db, { name: 'Marc Garant' });
    const member = await addCaseMember(db, {
      caseId: kase.id,
      accountId: guest.id,
      kind: 'contributor',
      role: 'garant',
      invitedBy: client.id,
    });
    const generation = await db
      .transaction()
      .execute((tx) => beginInvitation(tx, member.id, new Date(Date.now() + 86_400_000)));
    const token = (await issueInvitationToken(db, member.id, generation!))!;

    const context = await browser.newContext(deviceOptions(false, system.url, axeContextOptions));
    const page = await context.newPage();
    // Pages seen before signing in.
    await check(page, '/connexion', 'sign-in');
    await page.getByLabel('Adresse e-mail').fill(client.email);
    await page.getByLabel('Mot de passe').fill('not-the-password');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForLoadState();
    await expectNoAxeViolations(page, 'sign-in refused');
    await check(page, '/mot-de-passe', 'password request');
    await page.getByLabel('Adresse e-mail').fill(client.email);
    await Promise.all([page.waitForLoadState(), page.getByRole('button').last().click()]);
    await expectNoAxeViolations(page, 'password request sent');
    await check(page, '/connexion?expire=1', 'sign-in after expiry');
    await check(page, `/invitation/${token}`, 'contributor invitation');
    await check(page, '/invitation/not-a-valid-token-at-all-0000000000000', 'invitation invalid', 404);
    await check(page, '/page-qui-n-existe-pas', 'not found', 404);

    // The client's own pages.
    await signIn(page, { email: client.email, password }, 'client');
    await expectNoAxeViolations(page, 'conversation list');
    await check(page, '/conversations/nouvelle', 'new conversation');
    await page.getByRole('button', { name: 'Envoyer' }).click();
    await page.waitForLoadState();
    await expectNoAxeViolations(page, 'new conversation refused');
    await check(page, `/conversations/${conversationId}`, 'conversation');
    await check(page, '/dossiers', 'case list');
    await check(page, `/dossiers/${kase.id}`, 'case page');
    expect(await page.locator('input[type="file"]').count()).toBeGreaterThan(0);
    await check(page, `/dossiers/${kase.id}/contributeurs`, 'case contributors');
    await check(page, '/preferences', 'preferences');
    await page.getByLabel('À chaque réponse (après confirmation du numéro)').check();
    await page.getByRole('button', { name: 'Enregistrer mes préférences' }).click();
    await page.waitForLoadState();
    await expectNoAxeViolations(page, 'preferences refused');
    await page.getByLabel('Numéro de téléphone mobile').fill('06 98 76 54 32');
    await page.getByRole('button', { name: 'Enregistrer mes préférences' }).click();
    await page.waitForURL('**/preferences?fait=code*');
    await expectNoAxeViolations(page, 'preferences waiting for the code');
    await check(page, `/conversations/${randomUUID()}`, 'conversation not found', 404);
    await check(page, `/dossiers/${randomUUID()}`, 'case not found', 404);
    await context.close();

    // The same pages on a phone, where the camera pickers show.
    const phoneContext = await browser.newContext(deviceOptions(true, system.url, axeContextOptions));
    const phonePage = await phoneContext.newPage();
    await signIn(phonePage, { email: client.email, password }, 'client');
    await expectNoAxeViolations(phonePage, 'conversation list (phone)');
    await check(phonePage, `/conversations/${conversationId}`, 'conversation (phone)');
    await check(phonePage, `/dossiers/${kase.id}`, 'case page (phone)');
    await expect.poll(() => phonePage.locator('label.picker.camera').first().isVisible()).toBe(true);
    await check(phonePage, '/preferences', 'preferences (phone)');
    await phoneContext.close();

    // The contributor, signed in by the invitation link, on the case's pieces asked of them.
    const guestContext = await browser.newContext(deviceOptions(true, system.url, axeContextOptions));
    const guestPage = await guestContext.newPage();
    await check(guestPage, `/invitation/${token}`, 'contributor invitation (phone)');
    await Promise.all([
      guestPage.waitForURL(`**/dossiers/${kase.id}?ok=*`),
      guestPage.getByRole('button').last().click(),
    ]);
    await expectNoAxeViolations(guestPage, 'contributor case page (phone)');
    await guestContext.close();
  });

  it('shows the preferences page well on a phone and a laptop, every control reachable by keyboard with visible focus', async () => {
    const { system, browser } = running;
    const db = system.database.db;
    const space = await createSpace(db, 'Copropriété Les Tilleuls');
    const { account: client, password } = await createClient(db, { space, name: 'Bérénice Dupont' });
    for (const phone of [true, false]) {
      const context = await browser.newContext(deviceOptions(phone, system.url, axeContextOptions));
      const page = await context.newPage();
      await signIn(page, { email: client.email, password }, 'client');
      await Promise.all([page.waitForURL('**/preferences'), page.getByRole('link', { name: 'Préférences' }).click()]);
      await expectNoAxeViolations(page, 'preferences');
      await screenshot(page, `${phone ? 'phone' : 'desk'}-preferences`);

      // By keyboard from the skip link: every control of the form gets focus, visibly.
      await page.keyboard.press('Tab');
      const reached = new Set<string>();
      for (let i = 0; i < 40; i++) {
        const focused = await page.evaluate<{ key: string; visible: boolean } | null>(`(() => {
          const el = document.activeElement;
          if (!el || el === document.body) return null;
          const style = getComputedStyle(el);
          const visible = style.boxShadow !== 'none' || (style.outlineStyle !== 'none' && style.outlineWidth !== '0px');
          return { key: (el.getAttribute('name') || el.getAttribute('href') || el.textContent || '').trim() + ':' + (el.getAttribute('value') || ''), visible };
        })()`);
        if (focused) {
          expect(focused.visible, `focus on ${focused.key} is visible`).toBe(true);
          reached.add(focused.key);
        }
        await page.keyboard.press('Tab');
      }
      // Radio groups are one stop each (arrows move within); the checked one is reached.
      for (const key of ['emailMode:each', 'smsMode:none', 'phone:', 'locale:fr'])
        expect([...reached], `${key} in ${[...reached].join(' | ')}`).toContain(key);
      expect([...reached].some((k) => k.startsWith('Enregistrer mes préférences'))).toBe(true);
      expect([...reached]).toContain('/preferences:');
      // Arrows choose within a group, Enter saves.
      await page.getByLabel('Un résumé par jour').focus();
      await page.keyboard.press('Space');
      await page.getByRole('button', { name: 'Enregistrer mes préférences' }).focus();
      await Promise.all([page.waitForURL('**/preferences?fait=enregistre'), page.keyboard.press('Enter')]);
      await expect.poll(() => page.getByRole('status').textContent()).toContain('Vos préférences sont enregistrées.');
      await screenshot(page, `${phone ? 'phone' : 'desk'}-preferences-saved`);

      await page.getByLabel('À chaque réponse (après confirmation du numéro)').check();
      await page.getByLabel('Numéro de téléphone mobile').fill(`07 ${phone ? '11' : '22'} 33 44 55`);
      await Promise.all([
        page.waitForURL('**/preferences?fait=code*'),
        page.getByRole('button', { name: 'Enregistrer mes préférences' }).click(),
      ]);
      await expect.poll(() => page.getByLabel('Code reçu par SMS').isVisible()).toBe(true);
      await page.getByLabel('Code reçu par SMS').fill('12');
      await page.getByRole('button', { name: 'Confirmer le numéro' }).click();
      await page.waitForLoadState();
      await expectNoAxeViolations(page, 'preferences code refused');
      await screenshot(page, `${phone ? 'phone' : 'desk'}-preferences-code`);
      // Back to the defaults for the other device.
      await page.getByLabel('À chaque réponse', { exact: true }).check();
      await page.getByLabel('Jamais', { exact: true }).last().check();
      await page.getByLabel('Numéro de téléphone mobile').fill('');
      await page.getByRole('button', { name: 'Enregistrer mes préférences' }).click();
      await page.waitForURL('**/preferences?fait=enregistre');
      await context.close();
    }
  });
});
