// A client's message reaches the real Redmine as typed (issue #15, item 2): its note, as Redmine
// renders it on the issue's page for staff, shows the characters the client typed, line breaks
// included, with no bold, italic, strike, link, image, HTML or macro made of them. The test
// Redmine uses Textile, Redmine's default text formatting (REDMINE_TEXT_FORMATTING's default).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRedmineClient, noteMarkerRefs, type RedmineClient } from '../../connectors/redmine/index.js';
import { openDatabase, type Db } from '../../db/connect.js';
import { listMessages } from '../../db/conversations.js';
import type { Space } from '../../db/database.js';
import type { RunningSystem } from '../../runtime/system.js';
import { createClient, createSpace } from '../helpers/fixtures.js';
import { Browser } from '../helpers/http.js';
import { RedmineAdmin, redmineTestEnv, unique, type RedmineTestEnv } from '../helpers/redmine.js';
import { startTestSystem } from '../helpers/system.js';

let system: RunningSystem & { url: string };
let env: RedmineTestEnv;
let staff: RedmineClient;
let admin: RedmineAdmin;
let space: Space;
let db: Db;

beforeAll(async () => {
  env = redmineTestEnv();
  staff = createRedmineClient({ baseUrl: env.url, apiKey: env.adminKey });
  admin = new RedmineAdmin(env);
  const probe = await openDatabase({ url: inject('databaseUrl') });
  space = await createSpace(probe.db, 'Syndic');
  await probe.close();
  system = await startTestSystem({
    REDMINE_URL: env.url,
    STAFF_LOGIN: 'local',
    REDMINE_API_KEY: env.apiKey,
    REDMINE_PROJECTS: `${space.slug}=guichet-demo`,
  });
  db = system.database.db;
});

afterAll(async () => {
  await system?.stop();
  await admin?.cleanUp();
});

async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The text a browser shows of Redmine's HTML for a note (line breaks as typed). */
function shownText(html: string): string {
  return html
    .replace(/<br\s*\/?>\s*/g, '\n')
    .replace(/<\/p>\s*<p>/g, '\n\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&#(\d+);/g, (_m, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .trim();
}

const TYPED = [
  '*bold* _it_ -strike- "link":http://x !http://evil/img.png! <b>html</b> {{macro}} @user #12',
  'second line: {{hello_world}} [[Wiki]] r1 commit:abc attachment:x.pdf %{color:red}red% @code@',
  '',
  'h1. not a heading',
  '* not a list',
  '> not a quote',
  '|a|b|',
  '<script>alert(1)</script> </notextile> &amp; & 2x3 (c) -- "quotes" \'single\'',
].join('\n');

describe('client text → Redmine', () => {
  it('shows staff the characters the client typed, with no markup made of them', async () => {
    const { account, password } = await createClient(db, { space, name: 'Claire *Martin*' });
    const browser = new Browser(system.app!);
    await browser.login(account.email, password);
    const created = await browser.postMultipart(
      '/conversations',
      { spaceId: space.id, subject: unique('Texte tel quel'), body: TYPED, cc: '' },
      [],
      { formUrl: '/conversations/nouvelle' },
    );
    expect(created.statusCode).toBe(303);
    const conversationId = /\/conversations\/([0-9a-f-]{36})/.exec(String(created.headers.location))![1]!;
    const issueId = (
      await eventually(
        () =>
          db
            .selectFrom('conversations')
            .select('redmine_issue_id')
            .where('id', '=', conversationId)
            .executeTakeFirstOrThrow(),
        (c) => c.redmine_issue_id !== null,
        'the issue',
      )
    ).redmine_issue_id!;
    admin.trackIssue(issueId);
    const [first] = await listMessages(db, conversationId);
    const issue = await eventually(
      () => staff.getIssue(issueId, { journals: true }),
      (i) => (i?.journals ?? []).some((j) => noteMarkerRefs(j.notes).includes(`message-${first!.id}`)),
      'the client note',
    );
    const journal = issue!.journals!.find((j) => noteMarkerRefs(j.notes).includes(`message-${first!.id}`))!;

    // Redmine's own page for staff (the API key works for HTML pages too).
    const page = await fetch(`${env.url}/issues/${issueId}`, { headers: { 'X-Redmine-API-Key': env.adminKey } });
    expect(page.status).toBe(200);
    const body = await page.text();
    const start = body.indexOf(`<div id="journal-${journal.id}-notes" class="wiki">`);
    expect(start).toBeGreaterThan(0);
    const rendered = body.slice(start, body.indexOf('</div>', start));

    // No markup made of the client's characters: only paragraphs and line breaks.
    expect(rendered).not.toMatch(/<(strong|em|del|ins|span|img|b|a|h1|ul|ol|li|blockquote|table|code|script)\b/);
    expect(rendered).not.toContain('Hello world');
    // The characters typed, line breaks and the blank line included, then the signature.
    const shown = shownText(rendered.replace(/^<div[^>]*>/, ''));
    expect(shown.startsWith(`${TYPED}\n\n`)).toBe(true);
    expect(shown).toContain('— Claire *Martin* (espace client)');
    // The issue's description names the client as typed too: no bold made of their name.
    const descriptionStart = body.indexOf('<div class="description">');
    expect(descriptionStart).toBeGreaterThan(0);
    const description = body.slice(
      descriptionStart,
      body.indexOf('</div>', body.indexOf('class="wiki"', descriptionStart)),
    );
    expect(shownText(description)).toContain('Claire *Martin*');
    expect(description).not.toMatch(/<strong>Martin<\/strong>/);

    // Guichet shows the client its own stored text, not Redmine's.
    const thread = await browser.get(`/conversations/${conversationId}`);
    expect(thread.body).toContain('*bold* _it_ -strike- &quot;link&quot;:http://x');
    expect(first!.body).toBe(TYPED);
  });
});
