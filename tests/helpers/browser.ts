// What the browser tests share: Chromium from the machine (provision.sh installs it), a desk and a
// phone in French, signing in through the real forms, and screenshots that fail a test when a
// page is wider than its screen. Screenshots go to artifacts/screenshots, to be looked at.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import type { RunningSystem } from '../../runtime/system.js';
import { PROJECT_ROOT } from '../../runtime/temporal-dev-server.js';
import { startTestSystem } from './system.js';

export const SCREENSHOTS = path.join(PROJECT_ROOT, 'artifacts/screenshots');
// Mandatory on this machine: without the networking flags Chromium floods the closed network.
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium(): Promise<Browser> {
  await mkdir(SCREENSHOTS, { recursive: true });
  return chromium.launch({ executablePath: inject('chromiumPath'), headless: true, args: CHROMIUM_ARGS });
}

/** A desk (1280×900) or a phone (390×844, touch), in French, against `baseURL`. */
export function deviceOptions(
  phone: boolean,
  baseURL: string,
  extra: BrowserContextOptions = {},
): BrowserContextOptions {
  return phone
    ? {
        viewport: { width: 390, height: 844 },
        deviceScaleFactor: 2,
        isMobile: true,
        hasTouch: true,
        locale: 'fr-FR',
        baseURL,
        ...extra,
      }
    : { viewport: { width: 1280, height: 900 }, locale: 'fr-FR', baseURL, ...extra };
}

/** A screenshot to look at; the page must not be wider than its screen. */
export async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage });
  const overflow = await page.evaluate<number>(
    'document.documentElement.scrollWidth - document.documentElement.clientWidth',
  );
  expect(overflow, `${name}: the page is ${overflow}px wider than the viewport`).toBeLessThanOrEqual(0);
}

/** Signs in through the client or staff form, as a person would. */
export async function signIn(
  page: Page,
  who: { email: string; password: string },
  area: 'client' | 'staff',
): Promise<void> {
  await page.goto(area === 'client' ? '/connexion' : '/back-office/connexion');
  await page.getByLabel('Adresse e-mail').fill(who.email);
  await page.getByLabel('Mot de passe').fill(who.password);
  await Promise.all([
    page.waitForURL(area === 'client' ? '**/conversations' : '**/back-office'),
    page.getByRole('button', { name: 'Se connecter' }).click(),
  ]);
}

/** For a browser test file: a test system and Chromium, started before its tests and stopped
 * after them. Read `system` and `browser` inside the tests. */
export function browserTestSystem(overrides: Record<string, string> = {}): {
  system: RunningSystem & { url: string };
  browser: Browser;
} {
  const state = {} as { system: RunningSystem & { url: string }; browser: Browser };
  beforeAll(async () => {
    state.system = await startTestSystem(overrides);
    state.browser = await launchChromium();
  });
  afterAll(async () => {
    await state.browser?.close();
    await state.system?.stop();
  });
  return state;
}
