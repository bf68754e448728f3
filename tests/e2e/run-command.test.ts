// The README's run command on embedded defaults, as a newcomer types it: no DATABASE_URL,
// TEMPORAL_ADDRESS or SMTP_URL, so PGlite and a Temporal dev server under DATA_DIR and mails in
// the outbox. Proves it starts in time, carries a conversation end to end over HTTP, stops
// cleanly with its Temporal child, and keeps its data across a restart.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../runtime/temporal-dev-server.js';
import { freePort, portInUse } from '../../runtime/ports.js';

const START_LIMIT_MS = 60_000;
const STOP_LIMIT_MS = 15_000;

const SUBJECT = 'Fuite dans la cuisine';
const BODY = 'Bonjour,\nle robinet de la cuisine fuit depuis hier soir.';
const ANSWER = 'Un plombier passe jeudi matin entre 9 h et 11 h.';
const ACK = 'votre demande est bien prise en compte';
/** The demo client's request filed in the demo's Vilogi simulator (runtime/vilogi.ts). */
const VILOGI_SUBJECT = 'Fuite sous l’évier de la cuisine';

interface Credentials {
  email: string;
  password: string;
}

/** One run of `tsx guichet.ts`, with everything it printed. */
class RunCommand {
  stdout = '';
  stderr = '';
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private exitedAt: number | undefined;

  constructor(env: Record<string, string>) {
    this.child = spawn(path.join(PROJECT_ROOT, 'node_modules/.bin/tsx'), ['guichet.ts'], {
      cwd: PROJECT_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: a failed test can kill tsx, Guichet and their Temporal child at once.
      detached: true,
    });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        this.exitedAt = Date.now();
        resolve({ code, signal });
      }),
    );
  }

  get running(): boolean {
    return this.exitedAt === undefined;
  }

  output(): string {
    return `--- stdout (end) ---\n${this.stdout.slice(-4000)}\n--- stderr (end) ---\n${this.stderr.slice(-4000)}`;
  }

  demo(kind: 'client' | 'staff'): Credentials | undefined {
    const label = kind === 'client' ? 'Demo client:' : 'Demo staff:';
    const match = new RegExp(`${label}\\s+(\\S+@\\S+) / (\\S+)`).exec(this.stdout);
    return match?.[1] && match[2] ? { email: match[1], password: match[2] } : undefined;
  }

  /** Waits for the banner with both demo accounts and a 200 from /health; returns the time taken. */
  async ready(base: string, startedAt: number, timeoutMs: number): Promise<number> {
    const deadline = startedAt + timeoutMs;
    for (;;) {
      if (!this.running) throw new Error(`the run command exited before it was ready\n${this.output()}`);
      if (this.demo('client') && this.demo('staff')) {
        const health = await fetch(`${base}/health`).catch(() => undefined);
        if (health?.status === 200) return Date.now() - startedAt;
      }
      if (Date.now() > deadline) throw new Error(`not ready within ${timeoutMs} ms\n${this.output()}`);
      await sleep(200);
    }
  }

  /** SIGTERM, then the time until the process is gone. */
  async stop(timeoutMs: number): Promise<{ ms: number; code: number | null }> {
    const sentAt = Date.now();
    this.child.kill('SIGTERM');
    const result = await Promise.race([this.exited, sleep(timeoutMs).then(() => undefined)]);
    if (!result) throw new Error(`still running ${timeoutMs} ms after SIGTERM\n${this.output()}`);
    return { ms: Date.now() - sentAt, code: result.code };
  }
}

/** A cookie-keeping HTTP client over fetch that posts forms with their CSRF token. */
class HttpSession {
  private readonly cookies = new Map<string, string>();
  constructor(private readonly base: string) {}

  private remember(res: Response) {
    for (const header of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = header.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      const expired = value === '' || attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  private async send(method: 'GET' | 'POST', url: string, body?: string) {
    const res = await fetch(`${this.base}${url}`, {
      method,
      redirect: 'manual',
      headers: {
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
      },
      body,
    });
    this.remember(res);
    return { status: res.status, location: res.headers.get('location') ?? '', text: await res.text() };
  }

  get(url: string) {
    return this.send('GET', url);
  }

  /** Reads the form page like a browser, then posts the fields with its CSRF token. */
  async post(url: string, fields: Record<string, string>, formUrl: string) {
    const page = await this.get(formUrl);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
    if (!token) throw new Error(`no CSRF token on ${formUrl} (status ${page.status})`);
    return this.send('POST', url, new URLSearchParams({ ...fields, _csrf: token }).toString());
  }

  login(who: Credentials, area: 'client' | 'staff') {
    const url = area === 'client' ? '/connexion' : '/back-office/connexion';
    return this.post(url, { email: who.email, password: who.password }, url);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** GETs the page until it contains the text (the workflow works asynchronously), bounded. */
async function pollPage(session: HttpSession, url: string, text: string, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const page = await session.get(url);
    if (page.status === 200 && page.text.includes(text)) return page.text;
    if (Date.now() > deadline)
      throw new Error(`"${text}" not on ${url} within ${timeoutMs} ms (status ${page.status})`);
    await sleep(200);
  }
}

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

/** Processes whose command line mentions the directory (the Temporal dev server's --db-filename). */
async function processesUsing(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of (await readdir('/proc')).filter((p) => /^\d+$/.test(p))) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(dir)) found.push(`${pid}: ${cmdline.replaceAll('\0', ' ')}`);
  }
  return found;
}

async function distinctFreePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

let dataDir: string;
let env: Record<string, string>;
let base: string;
let ports: { app: number; temporal: number; temporalUi: number };
const runs: RunCommand[] = [];
const state: { conversationId?: string; client?: Credentials; staff?: Credentials; vilogiListed?: number } = {};

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'guichet-run-'));
  const [app = 0, temporal = 0, temporalUi = 0] = await distinctFreePorts(3);
  ports = { app, temporal, temporalUi };
  // Only what a person's shell would have, plus where to put things: the point is the defaults.
  env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? os.homedir(),
    DATA_DIR: dataDir,
    PORT: String(app),
    TEMPORAL_DEV_PORT: String(temporal),
    TEMPORAL_DEV_UI_PORT: String(temporalUi),
    // A short grace window so that the answer's e-mail comes within the test (default: 120 s).
    NOTIFY_GRACE_SECONDS: '5',
  };
  base = `http://127.0.0.1:${app}`;
});

afterAll(async () => {
  for (const run of runs) {
    const wasRunning = run.running;
    // The whole group: killing tsx alone would leave Guichet and its Temporal server running.
    try {
      if (run.child.pid !== undefined) process.kill(-run.child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    if (wasRunning) await run.exited;
  }
  await rm(dataDir, { recursive: true, force: true });
});

async function startRun(): Promise<{ run: RunCommand; readyMs: number }> {
  const startedAt = Date.now();
  const run = new RunCommand(env);
  runs.push(run);
  const readyMs = await run.ready(base, startedAt, START_LIMIT_MS + 5_000);
  console.info(`run command ready in ${readyMs} ms (banner and /health 200)`);
  return { run, readyMs };
}

async function stopRun(run: RunCommand): Promise<void> {
  const { ms, code } = await run.stop(STOP_LIMIT_MS);
  console.info(`run command stopped ${ms} ms after SIGTERM`);
  expect(code, run.output()).toBe(0);
  expect(ms).toBeLessThanOrEqual(STOP_LIMIT_MS);
  // The Temporal dev server it spawned went with it, and nothing else listens any more.
  expect(await portInUse(ports.temporal)).toBe(false);
  expect(await portInUse(ports.temporalUi)).toBe(false);
  expect(await portInUse(ports.app)).toBe(false);
  expect(await processesUsing(dataDir)).toEqual([]);
}

describe('the run command (npx tsx guichet.ts) on embedded defaults', () => {
  it('starts within 60 s, carries a conversation end to end, and stops with its Temporal child on SIGTERM', async () => {
    const { run, readyMs } = await startRun();
    expect(readyMs).toBeLessThanOrEqual(START_LIMIT_MS);

    // The banner says where everything is.
    expect(run.stdout).toContain(`Guichet is running: http://localhost:${ports.app}`);
    expect(run.stdout).toContain(`/dev/mails (no SMTP_URL: e-mails stay here)`);
    expect(run.stdout).toContain(`Temporal UI    http://localhost:${ports.temporalUi}`);
    const client = run.demo('client')!;
    const staff = run.demo('staff')!;
    state.client = client;
    state.staff = staff;
    // The binary found on its own, from the project's cache (scripts/install-temporal.sh).
    expect(await processesUsing(dataDir)).toEqual([expect.stringContaining('.cache/temporal/venv/bin/temporal')]);

    // The demo client logs in and writes.
    const browser = new HttpSession(base);
    const login = await browser.login(client, 'client');
    expect(login.status, login.text).toBe(303);
    expect(login.location).toBe('/conversations');
    // No VILOGI_URL: the demo's simulator filed requests, and the first sync brought the demo
    // client's into their space.
    expect(run.stdout).toContain('SIMULATOR with demo requests');
    state.vilogiListed = count(await pollPage(browser, '/conversations', VILOGI_SUBJECT, 60_000), VILOGI_SUBJECT);
    expect(state.vilogiListed).toBeGreaterThanOrEqual(1);
    const compose = await browser.get('/conversations/nouvelle');
    expect(compose.text).toContain('Nouveau message');
    const spaceId = /name="spaceId" value="([^"]+)"/.exec(compose.text)?.[1];
    expect(spaceId).toBeDefined();
    const created = await browser.post(
      '/conversations',
      { spaceId: spaceId!, subject: SUBJECT, body: BODY },
      '/conversations/nouvelle',
    );
    expect(created.status, created.text).toBe(303);
    const threadUrl = created.location;
    const conversationId = /^\/conversations\/([0-9a-f-]{36})$/.exec(threadUrl)?.[1];
    expect(conversationId).toBeDefined();
    state.conversationId = conversationId;

    // Their message, then the acknowledgement written by the workflow.
    const thread = await pollPage(browser, threadUrl, ACK);
    expect(thread).toContain(SUBJECT);
    expect(thread).toContain('le robinet de la cuisine fuit depuis hier soir.');
    expect(thread).toContain('En attente de réponse');
    expect(count(thread, ACK)).toBe(1);

    // The demo staff member answers from the back-office.
    const office = new HttpSession(base);
    expect((await office.login(staff, 'staff')).status).toBe(303);
    const list = await office.get('/back-office');
    expect(list.text).toContain(SUBJECT);
    expect(list.text).toContain(client.email);
    const answered = await office.post(
      `/back-office/conversations/${conversationId}/reponses`,
      { body: ANSWER },
      `/back-office/conversations/${conversationId}`,
    );
    expect(answered.status, answered.text).toBe(303);

    // The client sees the answer and the new status.
    const after = await pollPage(browser, threadUrl, ANSWER);
    expect(after).toContain('Répondu');
    expect(after).toContain('Julien Bernard');

    // With no SMTP_URL, the e-mails are in the development outbox.
    const mails = await pollPage(browser, '/dev/mails', `Nouvelle réponse à votre demande : ${SUBJECT}`);
    expect(mails).toContain(`Votre demande est prise en compte : ${SUBJECT}`);
    expect(mails).toContain(client.email);
    expect(mails).toContain(`/conversations/${conversationId}`);
    expect(mails).toContain(ANSWER);

    await stopRun(run);
  }, 180_000);

  it('reuses the data directory on a second start: same demo accounts, the conversation is still there', async () => {
    expect(state.conversationId, 'needs the first run').toBeDefined();
    const { run, readyMs } = await startRun();
    expect(readyMs).toBeLessThanOrEqual(START_LIMIT_MS);
    expect(run.demo('client')).toEqual(state.client);
    expect(run.demo('staff')).toEqual(state.staff);

    const browser = new HttpSession(base);
    expect((await browser.login(state.client!, 'client')).status).toBe(303);
    const list = await browser.get('/conversations');
    expect(list.text).toContain(SUBJECT);
    expect(list.text).toContain('Répondu');
    const threadUrl = `/conversations/${state.conversationId}`;
    const thread = await browser.get(threadUrl);
    expect(thread.text).toContain(ANSWER);
    expect(count(thread.text, ACK)).toBe(1);

    // The workflow carries on in the kept Temporal state: a second answer reaches the outbox.
    const office = new HttpSession(base);
    expect((await office.login(state.staff!, 'staff')).status).toBe(303);
    // The simulator files the same demo requests again; the start's sync finds them known.
    await pollPage(office, '/back-office/vilogi', 'manuelle');
    const deadline = Date.now() + 60_000;
    while (count((await office.get('/back-office/vilogi')).text, 'terminée') < 2) {
      if (Date.now() > deadline) throw new Error("the second start's Vilogi sync did not finish");
      await sleep(500);
    }
    expect(count((await browser.get('/conversations')).text, VILOGI_SUBJECT)).toBe(state.vilogiListed);
    const second = 'Le plombier confirme son passage jeudi.';
    const answered = await office.post(
      `/back-office/conversations/${state.conversationId}/reponses`,
      { body: second },
      `/back-office/conversations/${state.conversationId}`,
    );
    expect(answered.status, answered.text).toBe(303);
    const mails = await pollPage(browser, '/dev/mails', second);
    expect(count(mails, `Nouvelle réponse à votre demande : ${SUBJECT}`)).toBe(2);
    expect(count(mails, `Votre demande est prise en compte : ${SUBJECT}`)).toBe(1);

    await stopRun(run);
  }, 180_000);
});
