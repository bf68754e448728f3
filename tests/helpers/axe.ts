// axe-core over a page in Chromium: WCAG 2.1 A and AA rules, 0 violations expected. The page's
// strict Content-Security-Policy refuses injected scripts, so the browser context must be created
// with `bypassCSP: true` (axeContextOptions). A failure lists each rule, its help and the elements.
import { createRequire } from 'node:module';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { expect } from 'vitest';

const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] as const;

/** What a browser context needs for axe to be injected. */
export const axeContextOptions: BrowserContextOptions = { bypassCSP: true };

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[]; failureSummary?: string }>;
}

/** Runs axe-core on the page as it is now; fails naming every violation. Returns the rules run. */
export async function expectNoAxeViolations(page: Page, name: string): Promise<number> {
  const loaded = await page.evaluate<boolean>('typeof window.axe === "object"');
  if (!loaded) await page.addScriptTag({ path: AXE_PATH });
  const result = await page.evaluate<{ violations: AxeViolation[]; passes: number }>(
    `window.axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(AXE_TAGS)} }, resultTypes: ['violations'] })
      .then((r) => ({ passes: r.passes.length, violations: r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) })) }))`,
  );
  const described = result.violations.map(
    (v) =>
      `${v.id} (${v.impact ?? 'n/a'}): ${v.help}\n` +
      v.nodes.map((n) => `    ${n.target.join(' ')}: ${(n.failureSummary ?? '').replace(/\s+/g, ' ')}`).join('\n'),
  );
  expect(result.violations.length, `${name}: axe-core WCAG 2.1 AA violations:\n${described.join('\n')}`).toBe(0);
  return result.passes;
}
