// Deposits under load: N concurrent uploads of a 10 MB file into a case, through the real HTTP
// route (multipart, CSRF, session), streamed to storage with every document check (signature,
// content inspection, the PDF opened to count pages). The server runs in its own process
// (`http-server.ts`), so that its memory is measured alone, sampled every 20 ms from /proc.
// `--storage` says where the server keeps the files: local disk (the default), an S3 bucket on a
// SeaweedFS started for the run (tests/helpers/seaweedfs.ts), or both one after the other in the
// same run (same database, same file), printing both throughputs and their ratio.
//
//   npx tsx bench/upload.ts [--uploads=20] [--kind=pdf|jpeg] [--rounds=2] [--storage=local|s3|both]
//
// Needs PostgreSQL and the Temporal CLI from scripts/provision.sh (and SeaweedFS for s3/both); uses
// a fresh database and temporary directories, removed at the end. Exits 1 if an upload fails, a
// file is missing, or the server's RSS grows by 100 MB or more.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import pino from 'pino';
import { PDFDocument } from 'pdf-lib';
import { migrateToLatest, openDatabase } from '../db/connect.js';
import { createCase, findTemplateBySlug } from '../db/documents.js';
import { freePort } from '../runtime/ports.js';
import { startDevServer } from '../runtime/temporal-dev-server.js';
import { hashPassword } from '../domain/passwords.js';
import { loadServicesEnv } from '../tests/helpers/services-env.js';
import { startSeaweedfs, type RunningSeaweedfs } from '../tests/helpers/seaweedfs.js';

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const MB = 1024 * 1024;
const LIMIT = 10 * MB;
/** The server's RSS growth (peak − after warm-up) the deposits must stay under. */
const RSS_GROWTH_LIMIT = 100 * MB;
/** Quiet time before the settled RSS is read. */
const SETTLE_MS = 5000;

function option(name: string, fallback: string): string {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
}

async function tenMegabytePdf(): Promise<Buffer> {
  let payload = LIMIT - 4096;
  for (;;) {
    const doc = await PDFDocument.create();
    doc.addPage([595, 842]).drawText('Relevé', { x: 50, y: 780, size: 24 });
    doc.context.register(doc.context.stream(randomBytes(payload)));
    const bytes = Buffer.from(await doc.save({ useObjectStreams: false }));
    if (bytes.length <= LIMIT) return bytes;
    payload -= bytes.length - LIMIT + 16;
  }
}

function tenMegabyteJpeg(): Buffer {
  const head = Buffer.from([
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00,
    0x00, 0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00,
  ]);
  const scan = randomBytes(LIMIT - head.length - 2).map((b) => (b === 0xff ? 0 : b));
  return Buffer.concat([head, scan, Buffer.from([0xff, 0xd9])]);
}

class Jar {
  private readonly cookies = new Map<string, string>();
  take(res: http.IncomingMessage): void {
    for (const c of res.headers['set-cookie'] ?? []) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

function request(
  url: string,
  options: http.RequestOptions,
  body?: Buffer,
): Promise<{ res: http.IncomingMessage; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ res, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const token = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;

/** One deposit, the file streamed from disk: the bench process holds no 10 MB buffers. */
function upload(
  base: string,
  jar: Jar,
  caseId: string,
  categoryId: string,
  csrf: string,
  file: string,
  size: number,
  name: string,
): Promise<{ status: number; ms: number; text: string }> {
  const boundary = `----bench${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="category"\r\n\r\n${categoryId}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}/dossiers/${caseId}/documents`, {
      method: 'POST',
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': head.length + size + tail.length,
        accept: 'application/json',
        cookie: jar.header(),
      },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          ms: performance.now() - started,
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('error', reject);
    req.write(head);
    const source = createReadStream(file);
    source.on('end', () => req.end(tail));
    source.pipe(req, { end: false });
  });
}

function rssOf(pid: number): Promise<number> {
  return readFile(`/proc/${pid}/status`, 'utf8').then((s) => Number(/VmRSS:\s+(\d+)/.exec(s)?.[1] ?? 0) * 1024);
}

interface Round {
  round: number;
  seconds: number;
  latencies: number[];
  failures: number;
}

interface Measured {
  storage: 'local' | 's3';
  results: Round[];
  /**
   * Server RSS (bytes, /proc/<pid>/status VmRSS, sampled every 20 ms): after the warm-up, its
   * peak during the rounds (what the goal is judged on), right after them, and settled: after
   * SETTLE_MS without a request (no GC can be forced in another process; V8 collects by then).
   */
  baseline: number;
  peak: number;
  after: number;
  settled: number;
  /** Documents the run added. */
  stored: number;
}

async function main(): Promise<number> {
  loadServicesEnv();
  const uploads = Number(option('uploads', '20'));
  const rounds = Number(option('rounds', '2'));
  const kind = option('kind', 'pdf');
  const storageOption = option('storage', 'local');
  if (storageOption !== 'local' && storageOption !== 's3' && storageOption !== 'both')
    throw new Error('--storage must be local, s3 or both');
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set (bash scripts/provision.sh)');
  const watchdog = setTimeout(() => {
    process.stderr.write('bench/upload: watchdog expired (20 min)\n');
    process.exit(2);
  }, 20 * 60_000);
  watchdog.unref();

  const dbName = `guichet_bench_upload_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'guichet-bench-upload-'));
  const temporal = await startDevServer({
    dataDir: tmp,
    dbDir: tmp,
    port: await freePort(),
    uiPort: 0,
    headless: true,
    namespace: 'default',
    logger: pino({ level: 'silent' }),
    cliPath: process.env.TEMPORAL_CLI_PATH,
  });
  let server: ReturnType<typeof spawn> | undefined;
  let seaweedfs: RunningSeaweedfs | undefined;
  try {
    const database = await openDatabase({ url: url.toString() });
    await migrateToLatest(database.db);
    const db = database.db;
    const space = await db
      .insertInto('spaces')
      .values({ slug: 'bench', name: 'Bench' })
      .returningAll()
      .executeTakeFirstOrThrow();
    const password = 'bench-pass-word';
    const client = await db
      .insertInto('accounts')
      .values({
        kind: 'client',
        email: 'client@bench.test',
        full_name: 'Client Bench',
        staff_role: null,
        password_hash: await hashPassword(password),
        pending_password_hash: null,
        pending_password_expires_at: null,
        password_changed_at: null,
        last_login_at: null,
        disabled_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const template = (await findTemplateBySlug(db, 'credit-bail-vehicule'))!;
    const kase = await createCase(db, {
      spaceId: space.id,
      templateId: template.id,
      clientAccountId: client.id,
      number: 'BENCH-1',
      title: 'Bench',
    });
    const category = await db
      .selectFrom('document_categories')
      .select('id')
      .where('template_id', '=', template.id)
      .where('code', '=', 'releves-compte')
      .executeTakeFirstOrThrow();

    const file = path.join(tmp, `upload.${kind === 'jpeg' ? 'jpg' : 'pdf'}`);
    await writeFile(file, kind === 'jpeg' ? tenMegabyteJpeg() : await tenMegabytePdf());
    const size = (await stat(file)).size;

    const countDocuments = async () =>
      Number(
        (
          await db
            .selectFrom('documents')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('case_id', '=', kase.id)
            .executeTakeFirstOrThrow()
        ).n,
      );

    /** One server on one storage: start, log in, warm up, the measured rounds, stop. */
    const runTarget = async (target: {
      storage: 'local' | 's3';
      extraEnv: Record<string, string>;
    }): Promise<Omit<Measured, 'stored'>> => {
      const port = await freePort();
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'http-server.ts')], {
        cwd: ROOT,
        env: {
          ...process.env,
          DATABASE_URL: url.toString(),
          TEMPORAL_ADDRESS: temporal.address,
          TEMPORAL_TASK_QUEUE: 'bench-upload',
          PORT: String(port),
          HOST: '127.0.0.1',
          DATA_DIR: tmp,
          LOG_LEVEL: 'warn',
          DEMO_DATA: 'false',
          SESSION_SECRET: randomBytes(32).toString('hex'),
          // The AWS SDK's notice about Node 20 is not the bench's business.
          NODE_NO_WARNINGS: '1',
          ...target.extraEnv,
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      server = child;
      const pid = child.pid!;
      const base = `http://127.0.0.1:${port}`;
      for (let i = 0; ; i++) {
        const up = await request(`${base}/health`, {}).then(
          (r) => r.res.statusCode === 200,
          () => false,
        );
        if (up) break;
        if (i > 1200 || child.exitCode !== null) throw new Error(`the server (${target.storage}) did not start`);
        await new Promise((r) => setTimeout(r, 100));
      }

      const jar = new Jar();
      const loginPage = await request(`${base}/connexion`, {});
      jar.take(loginPage.res);
      const form = new URLSearchParams({
        _csrf: token(loginPage.text),
        email: 'client@bench.test',
        password,
      }).toString();
      const login = await request(
        `${base}/connexion`,
        { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() } },
        Buffer.from(form),
      );
      jar.take(login.res);
      const casePage = await request(`${base}/dossiers/${kase.id}`, { headers: { cookie: jar.header() } });
      jar.take(casePage.res);
      const csrf = token(casePage.text);
      const extension = kind === 'jpeg' ? 'jpg' : 'pdf';

      // Warm-up: two uploads at once, so that both inspection threads are started (each costs
      // some 50 MB once, most of it tsx compiling the rules; a fixed cost, not the deposits'
      // growth), then the baseline.
      for (const warm of await Promise.all(
        [1, 2].map((n) => upload(base, jar, kase.id, category.id, csrf, file, size, `warm-up-${n}.${extension}`)),
      ))
        if (warm.status !== 200) throw new Error(`warm-up upload failed: ${warm.status} ${warm.text}`);
      await new Promise((r) => setTimeout(r, 1000));
      const baseline = await rssOf(pid);
      let peak = baseline;
      const sampler = setInterval(() => {
        void rssOf(pid).then(
          (rss) => (peak = Math.max(peak, rss)),
          () => undefined,
        );
      }, 20);

      const results: Round[] = [];
      for (let round = 1; round <= rounds; round++) {
        const started = performance.now();
        const done = await Promise.all(
          Array.from({ length: uploads }, (_, i) =>
            upload(
              base,
              jar,
              kase.id,
              category.id,
              csrf,
              file,
              size,
              `releve-${target.storage}-${round}-${i}.${extension}`,
            ),
          ),
        );
        const seconds = (performance.now() - started) / 1000;
        results.push({
          round,
          seconds,
          latencies: done.map((d) => d.ms).sort((a, b) => a - b),
          failures: done.filter((d) => d.status !== 200).length,
        });
        for (const d of done.filter((x) => x.status !== 200))
          process.stderr.write(`upload failed (${target.storage}): ${d.status} ${d.text.slice(0, 200)}\n`);
      }
      clearInterval(sampler);
      const after = await rssOf(pid);
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      const settled = await rssOf(pid);
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      server = undefined;
      return { storage: target.storage, results, baseline, peak, after, settled };
    };

    const storages = storageOption === 'both' ? (['local', 's3'] as const) : ([storageOption] as const);
    const measured: Measured[] = [];
    for (const storage of storages) {
      let extraEnv: Record<string, string> = { STORAGE_DIR: path.join(tmp, 'files') };
      if (storage === 's3') {
        seaweedfs = await startSeaweedfs({ bucket: 'guichet-bench' });
        extraEnv = seaweedfs.env;
      }
      const documentsBefore = await countDocuments();
      const run = await runTarget({ storage, extraEnv });
      measured.push({ ...run, stored: (await countDocuments()) - documentsBefore });
      await seaweedfs?.stop();
      seaweedfs = undefined;
    }
    await database.close();

    const expected = 2 + uploads * rounds;
    const mb = (n: number) => `${(n / MB).toFixed(0)} MB`;
    const throughput = (m: Measured) =>
      m.results.reduce((sum, r) => sum + (uploads * size) / MB / r.seconds, 0) / m.results.length;
    const lines = [
      `bench/upload: ${uploads} concurrent uploads of a ${(size / MB).toFixed(2)} MB ${kind.toUpperCase()} × ${rounds} rounds (${os.cpus().length} CPUs, node ${process.version}, load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')})`,
      ...measured.flatMap((m) => [
        `  storage ${m.storage}:`,
        ...m.results.map(
          (r) =>
            `    round ${r.round}: ${r.seconds.toFixed(2)} s, ${((uploads * size) / MB / r.seconds).toFixed(1)} MB/s, latency p50 ${(r.latencies[Math.floor(r.latencies.length / 2)]! / 1000).toFixed(2)} s, max ${(r.latencies[r.latencies.length - 1]! / 1000).toFixed(2)} s, failures ${r.failures}`,
        ),
        `    mean throughput ${throughput(m).toFixed(1)} MB/s`,
        `    server RSS: ${mb(m.baseline)} after warm-up, peak ${mb(m.peak)} (+${mb(m.peak - m.baseline)}, limit +${mb(RSS_GROWTH_LIMIT)}: ${m.peak - m.baseline < RSS_GROWTH_LIMIT ? 'OK' : 'EXCEEDED'}), ${mb(m.after)} right after, ${mb(m.settled)} settled (+${mb(m.settled - m.baseline)}, ${SETTLE_MS / 1000} s later)`,
        `    documents stored: ${m.stored} of ${expected}`,
      ]),
    ];
    const local = measured.find((m) => m.storage === 'local');
    const s3 = measured.find((m) => m.storage === 's3');
    if (local && s3)
      lines.push(
        `  s3 / local throughput: ${(throughput(s3) / throughput(local)).toFixed(2)} (${throughput(s3).toFixed(1)} / ${throughput(local).toFixed(1)} MB/s)`,
      );
    process.stdout.write(`${lines.join('\n')}\n`);
    return measured.some(
      (m) => m.results.some((r) => r.failures > 0) || m.stored !== expected || m.peak - m.baseline >= RSS_GROWTH_LIMIT,
    )
      ? 1
      : 0;
  } finally {
    server?.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    await seaweedfs?.stop();
    await temporal.stop();
    await rm(tmp, { recursive: true, force: true });
    await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.end();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench/upload failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
