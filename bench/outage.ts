// Redmine outage under traffic: clients send messages through the HTTP routes while Redmine is
// down (a TCP proxy between Guichet and Redmine, switched off); after Redmine returns, every
// message must be a note on its conversation's issue exactly once, in the order written, and the
// notes staff wrote in Redmine meanwhile must reach the clients once. Measures
// what the clients saw while Redmine was down (HTTP status and time of each POST) and the time
// until everything is delivered (the drain).
//
//   npx tsx bench/outage.ts [--outage=60] [--messages=1000] [--conversations=20] [--poll=2]
//        [--rescan=2] [--drain-timeout=900] [--floor-notes=N] [--log-level=silent]
//
// The anchor, measured in the same run once Guichet has stopped: Redmine's own floor for the one
// call each message needs at best (PUT /issues/:id.json with a note), at the same concurrency (one
// writer per conversation, one note after the other), against the same Redmine; the drain is
// reported as a ratio to it.
//
// Options can also be given as environment variables (BENCH_OUTAGE, BENCH_MESSAGES, …); arguments
// win. See bench/README.md for what is measured and the numbers last measured.
//
// Same set-up as bench/mirror-latency.ts (whose scaffolding this imports): a fresh PostgreSQL
// database, a Temporal dev server, a private Redmine project of the run's own on the test Redmine,
// Guichet (server and worker) in a child process, all on 127.0.0.1, all removed at the end, a
// watchdog. Exit code: 0 when every message is on Redmine exactly once and in order, and the
// drain finished within --drain-timeout; 1 otherwise; 2 when the benchmark could not run.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { createRedmineClient, noteMarkerRefs, type RedmineClient } from '../connectors/redmine/index.js';
import { createSpace } from '../tests/helpers/fixtures.js';
import {
  benchEnv,
  cleanup,
  createDatabase,
  createRedmineProject,
  environmentLines,
  hostBusy,
  log,
  logLevelOption,
  markdownTable,
  mirroredConversations,
  numberOption,
  percentile,
  readOptions,
  redmineVersion,
  requestKinds,
  runBench,
  sleep,
  startRedmineProxy,
  startSystemProcess,
  startTemporal,
  type ClientSession,
} from './mirror-latency.js';

interface Options {
  outage: number;
  messages: number;
  conversations: number;
  poll: number;
  rescan: number;
  drainTimeout: number;
  floorNotes: number;
  logLevel: string;
}

const USAGE = `usage: npx tsx bench/outage.ts [--outage=60] [--messages=1000] [--conversations=20] [--poll=2]
       [--rescan=2] [--drain-timeout=900] [--floor-notes=N (default: --messages)] [--log-level=silent]`;

/** Messages are sent over this share of the outage, so that all are in before Redmine returns. */
const SEND_SHARE = 0.8;

function parseOptions(argv: string[]): Options {
  const raw = readOptions(
    argv,
    {
      outage: { env: 'BENCH_OUTAGE', default: '60' },
      messages: { env: 'BENCH_MESSAGES', default: '1000' },
      conversations: { env: 'BENCH_CONVERSATIONS', default: '20' },
      poll: { env: 'BENCH_POLL', default: '2' },
      rescan: { env: 'BENCH_RESCAN', default: '2' },
      'drain-timeout': { env: 'BENCH_DRAIN_TIMEOUT', default: '900' },
      'floor-notes': { env: 'BENCH_FLOOR_NOTES', default: '0' },
      'log-level': { env: 'BENCH_LOG_LEVEL', default: 'silent' },
    },
    USAGE,
  );
  return {
    outage: numberOption('outage', raw.outage!, 1, 3600),
    messages: numberOption('messages', raw.messages!, 1, 100_000),
    conversations: numberOption('conversations', raw.conversations!, 1, 200),
    poll: numberOption('poll', raw.poll!, 0.2, 300, false),
    rescan: numberOption('rescan', raw.rescan!, 0.05, 1440, false),
    drainTimeout: numberOption('drain-timeout', raw['drain-timeout']!, 10, 7200),
    floorNotes: numberOption('floor-notes', raw['floor-notes']!, 0, 100_000),
    logLevel: logLevelOption(raw['log-level']!),
  };
}

function commandLine(o: Options): string {
  return `npx tsx bench/outage.ts --outage=${o.outage} --messages=${o.messages} --conversations=${o.conversations} --poll=${o.poll} --rescan=${o.rescan} --drain-timeout=${o.drainTimeout} --floor-notes=${floorNotes(o)}`;
}

function floorNotes(o: Options): number {
  return o.floorNotes > 0 ? o.floorNotes : o.messages;
}

/** The load average and the host's CPU use over the last two seconds, as one line's worth. */
async function machineLoad(): Promise<string> {
  const busy = await hostBusy();
  return `load average ${os
    .loadavg()
    .map((v) => v.toFixed(2))
    .join(' ')}, host CPU ${busy.toFixed(0)} % busy`;
}

/**
 * Redmine's floor for the drain: `notes` notes written straight to Redmine (no proxy, no Guichet)
 * with one PUT /issues/:id.json each, by one writer per issue (the drain's concurrency: one
 * conversation's notes one after the other, the conversations at once). Notes per second.
 */
async function redmineFloor(writer: RedmineClient, issueIds: number[], notes: number, run: string): Promise<number> {
  const started = performance.now();
  await Promise.all(
    issueIds.map(async (issueId, c) => {
      for (let i = c; i < notes; i += issueIds.length)
        await writer.addNote(issueId, { notes: `Note de mesure ${i + 1} (plancher de Redmine, ${run}-floor).` });
    }),
  );
  return notes / ((performance.now() - started) / 1000);
}

interface Sent {
  conversation: number;
  seq: number;
  body: string;
  status: number;
  ms: number;
}

interface Check {
  expected: number;
  found: number;
  missing: number;
  duplicates: number;
  outOfOrder: number;
  guichetNotes: number;
}

/** Counts, on Redmine itself (administrator's key, not through the proxy), the notes of the messages. */
async function checkRedmine(
  staff: RedmineClient,
  conversations: { id: string; issueId: number }[],
  messageIdsByConversation: Map<string, string[]>,
): Promise<Check> {
  const check: Check = { expected: 0, found: 0, missing: 0, duplicates: 0, outOfOrder: 0, guichetNotes: 0 };
  for (const conversation of conversations) {
    const ids = messageIdsByConversation.get(conversation.id) ?? [];
    check.expected += ids.length;
    const issue = await staff.getIssue(conversation.issueId, { journals: true });
    const journalsByMessage = new Map<string, number[]>();
    for (const journal of issue?.journals ?? []) {
      const refs = noteMarkerRefs(journal.notes);
      if (refs.length > 0) check.guichetNotes++;
      for (const ref of refs) {
        const id = /^message-([0-9a-f-]{36})$/.exec(ref)?.[1];
        if (id) journalsByMessage.set(id, [...(journalsByMessage.get(id) ?? []), journal.id]);
      }
    }
    let previous = -Infinity;
    for (const id of ids) {
      const journals = journalsByMessage.get(id) ?? [];
      if (journals.length === 0) check.missing++;
      else {
        check.found++;
        check.duplicates += journals.length - 1;
        if (journals[0]! < previous) check.outOfOrder++;
        previous = journals[0]!;
      }
    }
  }
  return check;
}

async function main(options: Options): Promise<number> {
  const started = new Date();
  const loadBefore = await machineLoad();
  const busyBefore = await hostBusy();
  if (busyBefore > 15)
    log(`warning: the host was ${busyBefore.toFixed(0)} % busy before the benchmark started; numbers will be noisy`);
  const env = await benchEnv();
  log('starting a Temporal dev server');
  const temporalAddress = await startTemporal(env);
  const { url, db, version: pgVersion } = await createDatabase(env);
  const project = await createRedmineProject(env, 'outage');
  const proxy = await startRedmineProxy(env);
  const space = await createSpace(db, 'Gestion locative');
  log('starting Guichet (server and worker)');
  const system = await startSystemProcess(env, {
    DATABASE_URL: url,
    TEMPORAL_ADDRESS: temporalAddress,
    REDMINE_URL: proxy.url,
    REDMINE_API_KEY: env.redmineApiKey,
    REDMINE_PROJECTS: `${space.slug}=${project.identifier}`,
    REDMINE_POLL_SECONDS: String(options.poll),
    REDMINE_RESCAN_MINUTES: String(options.rescan),
    LOG_LEVEL: options.logLevel,
    // Each client writes from an address of its own (X-Forwarded-For from this machine), as in an
    // office: 1,000 messages from one address would meet the per-address limit of 60 an hour.
    TRUSTED_PROXIES: '127.0.0.1',
  });
  log(`${options.conversations} clients, one conversation each, mirrored before the outage`);
  const { conversations } = await mirroredConversations(db, system.base, space, options.conversations, {
    perClient: 'one',
    timeoutMs: 300_000,
    ownAddresses: true,
  });
  await sleep(Math.max(3000, 2 * options.poll * 1000));
  // Patient: Redmine is single-threaded and may be slow on a busy machine; a timeout here is the
  // bench's own failure, not Guichet's.
  const staff = createRedmineClient({ baseUrl: env.redmineUrl, apiKey: env.redmineAdminKey, timeoutMs: 120_000 });
  const firstIds = new Map<string, string[]>();
  for (const c of conversations) {
    const first = await db
      .selectFrom('messages')
      .select('id')
      .where('conversation_id', '=', c.id)
      .where('author_kind', '=', 'client')
      .execute();
    firstIds.set(
      c.id,
      first.map((m) => m.id),
    );
  }
  const before = await checkRedmine(staff, conversations, firstIds);

  // --- the outage, with traffic
  log(
    `Redmine down for ${options.outage} s; ${options.messages} messages over the first ${Math.round(options.outage * SEND_SHARE)} s`,
  );
  const run = randomBytes(3).toString('hex');
  await proxy.cut();
  const outageStarted = performance.now();
  const sent: Sent[] = [];
  const chains = conversations.map(() => Promise.resolve());
  const seqs = conversations.map(() => 0);
  const spreadMs = options.outage * 1000 * SEND_SHARE;
  for (let j = 0; j < options.messages; j++) {
    const at = outageStarted + (j * spreadMs) / options.messages;
    const wait = at - performance.now();
    if (wait > 0) await sleep(wait);
    const c = j % conversations.length;
    const seq = ++seqs[c]!;
    const conversation = conversations[c]!;
    const body = `Message ${seq} de la conversation ${c + 1}, écrit pendant la panne (${run}).`;
    // A client writes one message after the other; clients write at the same time.
    chains[c] = chains[c]!.then(async () => {
      const session: ClientSession = conversation.session;
      try {
        const { status, ms } = await session.write(conversation.id, body);
        sent.push({ conversation: c, seq, body, status, ms });
      } catch (err) {
        log(`  POST failed: ${err instanceof Error ? err.message : String(err)}`);
        sent.push({ conversation: c, seq, body, status: 0, ms: Number.NaN });
      }
    });
  }
  await Promise.all(chains);
  const sendingSeconds = (performance.now() - outageStarted) / 1000;
  if (sendingSeconds > options.outage)
    log(`warning: sending took ${sendingSeconds.toFixed(1)} s, longer than the outage`);
  const stored = await db
    .selectFrom('messages')
    .select(['id', 'conversation_id', 'body', 'redmine_delivery'])
    .where(
      'conversation_id',
      'in',
      conversations.map((c) => c.id),
    )
    .where('author_kind', '=', 'client')
    .where('body', 'like', `%(${run}).`)
    .execute();
  const pendingDuringOutage = stored.filter((m) => m.redmine_delivery === 'pending').length;
  const duringOutage = await checkRedmine(staff, conversations, firstIds);
  // Staff answer in Redmine meanwhile (directly): one public note per conversation, which reaches
  // the clients only once Guichet sees Redmine again.
  for (const [c, conversation] of conversations.entries()) {
    await staff.addNote(conversation.issueId, { notes: `Réponse du gestionnaire ${c + 1} pendant la panne (${run}).` });
  }
  const staffNotesVisible = async () =>
    Number(
      (
        await db
          .selectFrom('messages')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where(
            'conversation_id',
            'in',
            conversations.map((c) => c.id),
          )
          .where('author_kind', '=', 'staff')
          .where('body', 'like', `%(${run}).`)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const staffVisibleDuringOutage = await staffNotesVisible();
  const remaining = options.outage * 1000 - (performance.now() - outageStarted);
  if (remaining > 0) await sleep(remaining);

  // --- recovery and drain
  proxy.resetCount();
  await proxy.restore();
  const outageSeconds = (performance.now() - outageStarted) / 1000;
  const restored = performance.now();
  log(
    `Redmine back after ${outageSeconds.toFixed(1)} s; waiting for ${stored.length} messages to be delivered (at most ${options.drainTimeout} s)`,
  );
  const ids = stored.map((m) => m.id);
  const marks: { fraction: number; seconds: number | undefined }[] = [0.01, 0.5, 0.9, 1].map((fraction) => ({
    fraction,
    seconds: undefined,
  }));
  const progress: string[] = [];
  let lastProgress = 0;
  let delivered = 0;
  let staffVisible = 0;
  let staffAllVisibleAt: number | undefined;
  for (;;) {
    const row = await db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('id', 'in', ids)
      .where('redmine_delivery', '=', 'delivered')
      .executeTakeFirstOrThrow();
    delivered = Number(row.n);
    const seconds = (performance.now() - restored) / 1000;
    for (const mark of marks)
      if (mark.seconds === undefined && delivered >= Math.ceil(mark.fraction * ids.length)) mark.seconds = seconds;
    if (seconds - lastProgress >= 15) {
      lastProgress = seconds;
      progress.push(`${seconds.toFixed(0)} s: ${delivered}`);
      log(`  ${seconds.toFixed(0)} s after recovery: ${delivered}/${ids.length} delivered`);
    }
    if (staffAllVisibleAt === undefined) {
      staffVisible = await staffNotesVisible();
      if (staffVisible >= conversations.length) staffAllVisibleAt = seconds;
    }
    if ((delivered === ids.length && staffAllVisibleAt !== undefined) || seconds > options.drainTimeout) break;
    await sleep(250);
  }
  const drainRequests = [...proxy.requests];
  const loadDuringDrain = await machineLoad();

  // --- exactly once, in order, on Redmine; and again a little later (late retries would show)
  const byConversation = new Map<string, string[]>();
  const order = new Map<string, number>();
  for (const s of sent) order.set(s.body, s.seq);
  for (const c of conversations) {
    const rows = await db
      .selectFrom('messages')
      .select(['id', 'body'])
      .where('conversation_id', '=', c.id)
      .where('author_kind', '=', 'client')
      .where('body', 'like', `%(${run}).`)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    // The order the client wrote them in (their sequence number), which the thread must keep too.
    const written = [...rows].sort((a, b) => (order.get(a.body) ?? 0) - (order.get(b.body) ?? 0));
    if (written.some((m, i) => m.id !== rows[i]!.id))
      log(`  conversation ${c.id}: the thread's order differs from the order written`);
    byConversation.set(
      c.id,
      written.map((m) => m.id),
    );
  }
  const after = await checkRedmine(staff, conversations, byConversation);
  await sleep(Math.max(5000, 3 * options.poll * 1000));
  const later = await checkRedmine(staff, conversations, byConversation);
  const staffFinal = await staffNotesVisible();
  await system.stop();
  // The anchor, with Guichet stopped: the same Redmine, the same concurrency, the one call each
  // message needs at best. With the API user's key, as Guichet writes.
  log(`Redmine's floor: ${floorNotes(options)} notes, one writer per conversation`);
  const writer = createRedmineClient({ baseUrl: env.redmineUrl, apiKey: env.redmineApiKey, timeoutMs: 120_000 });
  const floorPerSecond = await redmineFloor(
    writer,
    conversations.map((c) => c.issueId),
    floorNotes(options),
    run,
  );
  const loadAfterFloor = await machineLoad();
  const redmine = await redmineVersion();
  await cleanup();

  // --- report
  const posts = sent.map((s) => s.ms).filter((v) => !Number.isNaN(v));
  const non303 = sent.filter((s) => s.status !== 303).length;
  const fmt = (v: number | undefined, digits = 1) => (v === undefined || Number.isNaN(v) ? '-' : v.toFixed(digits));
  const guichetNotesAdded = later.guichetNotes - before.guichetNotes;
  const allSeconds = marks[3]!.seconds;
  const floorSeconds = ids.length / floorPerSecond;
  const out = [
    '',
    'Redmine outage benchmark (client messages while Redmine is down, then the drain)',
    ...environmentLines(
      started,
      commandLine(options),
      busyBefore,
      `Redmine ${redmine} (thin, SQLite) on 127.0.0.1:3000 through a TCP proxy (off: connections refused); PostgreSQL ${pgVersion} and a Temporal dev server on 127.0.0.1`,
    ),
    `traffic:   ${options.messages} messages through POST /conversations/:id/messages, ${options.conversations} clients with one conversation each, round-robin,`,
    `           evenly over the first ${Math.round(options.outage * SEND_SHARE)} s of a ${options.outage} s outage; REDMINE_POLL_SECONDS=${options.poll}, REDMINE_RESCAN_MINUTES=${options.rescan}`,
    '',
    'While Redmine was down:',
    '',
    markdownTable(
      [
        'messages sent',
        'answered 303',
        'other answers',
        'POST p50 ms',
        'POST p95 ms',
        'POST max ms',
        'sending s',
        'stored pending',
        'new notes on Redmine',
      ],
      [
        [
          String(sent.length),
          String(sent.length - non303),
          String(non303),
          fmt(percentile(posts, 50), 0),
          fmt(percentile(posts, 95), 0),
          fmt(Math.max(...posts), 0),
          fmt(sendingSeconds),
          String(pendingDuringOutage),
          String(duringOutage.guichetNotes - before.guichetNotes),
        ],
      ],
      0,
    ),
    '',
    `After Redmine returned (outage ${outageSeconds.toFixed(1)} s):`,
    '',
    markdownTable(
      [
        'delivered',
        'first s',
        '50 % s',
        '90 % s',
        'all s',
        'notes expected',
        'notes found',
        'missing',
        'duplicates',
        'out of order',
        'again after a while',
        'Redmine requests',
        'req/message',
      ],
      [
        [
          `${delivered}/${ids.length}`,
          fmt(marks[0]!.seconds),
          fmt(marks[1]!.seconds),
          fmt(marks[2]!.seconds),
          fmt(marks[3]!.seconds),
          String(after.expected),
          String(after.found),
          String(after.missing),
          String(after.duplicates),
          String(after.outOfOrder),
          `${later.found} found, ${later.duplicates} dup.`,
          String(drainRequests.length),
          (drainRequests.length / Math.max(1, ids.length)).toFixed(2),
        ],
      ],
      0,
    ),
    '',
    `Seconds are counted from the moment Redmine was back. Notes are counted on Redmine itself: journals carrying Guichet's`,
    `marker of each message (connectors/redmine/notes.ts); ${guichetNotesAdded} Guichet-marked journals were added in all (expected ${ids.length}).`,
    `Staff notes written in Redmine during the outage (one per conversation): ${staffVisibleDuringOutage} visible to clients during it,`,
    `all ${conversations.length} visible ${fmt(staffAllVisibleAt)} s after Redmine was back; ${staffFinal} in the threads at the end (expected ${conversations.length}).`,
    `Progress (messages delivered): ${progress.join(', ') || '-'}.`,
    '',
    "Against Redmine's floor, same run (PUT /issues/:id.json with a note, straight to Redmine, one writer per conversation):",
    '',
    markdownTable(
      [
        'Guichet drain msg/s',
        'Redmine floor notes/s',
        'floor time for these messages s',
        'drain all s',
        'drain / floor',
      ],
      [
        [
          fmt(allSeconds === undefined ? Number.NaN : ids.length / allSeconds),
          fmt(floorPerSecond),
          fmt(floorSeconds),
          fmt(allSeconds),
          allSeconds === undefined ? '-' : (allSeconds / floorSeconds).toFixed(2),
        ],
      ],
      0,
    ),
    '',
    `Machine: before ${loadBefore}; at the end of the drain ${loadDuringDrain}; after the floor ${loadAfterFloor}.`,
    `Redmine requests during the drain, by kind: ${[...requestKinds(drainRequests)].map(([k, n]) => `${k} ×${n}`).join(', ')}.`,
    '',
  ];
  process.stdout.write(`${out.join('\n')}\n`);

  const problems: string[] = [];
  if (sent.length !== options.messages || non303 > 0)
    problems.push(`${non303} of ${sent.length} POSTs did not answer 303`);
  if (stored.length !== options.messages)
    problems.push(`${stored.length} messages stored instead of ${options.messages}`);
  if (delivered !== ids.length)
    problems.push(`${ids.length - delivered} messages not delivered within ${options.drainTimeout} s`);
  if (after.missing + after.duplicates + after.outOfOrder > 0 || later.duplicates > 0 || later.missing > 0) {
    problems.push(
      `on Redmine: ${after.missing} missing, ${Math.max(after.duplicates, later.duplicates)} duplicates, ${after.outOfOrder} out of order`,
    );
  }
  if (guichetNotesAdded !== ids.length)
    problems.push(`${guichetNotesAdded} Guichet notes added instead of ${ids.length}`);
  if (staffVisibleDuringOutage !== 0 || staffFinal !== conversations.length) {
    problems.push(
      `staff notes of the outage: ${staffVisibleDuringOutage} seen during it, ${staffFinal} in the threads at the end instead of ${conversations.length}`,
    );
  }
  if (problems.length > 0) {
    process.stderr.write(`\nFAILED: ${problems.join('; ')}\n`);
    return 1;
  }
  return 0;
}

let budget = 600_000;
await runBench(
  async () => {
    const options = parseOptions(process.argv.slice(2));
    budget = (600 + options.outage * 2 + options.drainTimeout + options.messages / 10) * 1000;
    return main(options);
  },
  () => budget,
);
