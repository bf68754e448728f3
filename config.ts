// The one place that reads the environment. Every setting is documented in README.md.
import { z } from 'zod';
import { isIP } from 'node:net';
import path from 'node:path';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: optionalString,
  PUBLIC_URL: optionalString.pipe(z.url().optional()),
  DATA_DIR: z.string().default('./data'),
  STORAGE_DIR: optionalString,
  STORAGE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^s3:\/\//, 'must start with s3:// (s3://bucket?endpoint=http://host:port&region=us-east-1)')
      .optional(),
  ),
  S3_ACCESS_KEY_ID: optionalString,
  S3_SECRET_ACCESS_KEY: optionalString,
  AWS_ACCESS_KEY_ID: optionalString,
  AWS_SECRET_ACCESS_KEY: optionalString,
  DATABASE_URL: optionalString.pipe(z.string().startsWith('postgres').optional()),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  TEMPORAL_ADDRESS: optionalString,
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('guichet'),
  TEMPORAL_CLI_PATH: optionalString,
  TEMPORAL_DEV_PORT: z.coerce.number().int().min(1).max(65535).default(7233),
  TEMPORAL_DEV_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
  SMTP_URL: optionalString.pipe(
    z
      .string()
      .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
      .optional(),
  ),
  MAIL_FROM: z.string().default('Guichet <no-reply@guichet.localhost>'),
  SESSION_SECRET: optionalString.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  SESSION_IDLE_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(30),
  SESSION_MAX_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(30 * 24)
    .default(12),
  COOKIE_SECURE: optionalString.pipe(bool.optional()),
  LOGIN_RATE_LIMIT: z.coerce.number().int().min(1).default(10),
  DEMO_DATA: optionalString.pipe(bool.optional()),
  DEFAULT_LOCALE: z.enum(['fr', 'en']).default('fr'),
  REDMINE_URL: optionalString.pipe(z.url().optional()),
  REDMINE_API_KEY: optionalString,
  REDMINE_PROJECTS: optionalString,
  REDMINE_EMAIL_FIELD: z.string().default('E-mail client'),
  REDMINE_CC_FIELD: optionalString,
  REDMINE_STATUS_FEEDBACK: z.string().default('Feedback'),
  REDMINE_STATUS_RESOLVED: z.string().default('Resolved'),
  // The poll's pace: every REDMINE_POLL_SECONDS while issues changed in the last
  // REDMINE_POLL_ACTIVE_SECONDS, then backing off (doubling) to REDMINE_POLL_IDLE_SECONDS.
  REDMINE_POLL_SECONDS: z.coerce.number().min(0.2).max(300).default(0.5),
  REDMINE_POLL_IDLE_SECONDS: z.coerce.number().min(0.2).max(300).default(2.5),
  REDMINE_POLL_ACTIVE_SECONDS: z.coerce.number().min(0).max(3600).default(30),
  // …and while a client page (list, thread, the client's JSON) was served in the last
  // REDMINE_POLL_WATCH_SECONDS (0: client pages do not hold the fast pace).
  REDMINE_POLL_WATCH_SECONDS: z.coerce.number().min(0).max(3600).default(30),
  REDMINE_POLL_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(4),
  REDMINE_RESCAN_MINUTES: z.coerce.number().min(0.05).max(1440).default(2),
  REDMINE_STAFF_NAMES: z.enum(['full', 'first-name-team']).default('full'),
  REDMINE_TEAM_NAME: z.string().default('l’équipe'),
  // The formatter Redmine is set to (Administration › Settings › General › Text formatting):
  // staff notes are rendered with it, client text is escaped for it.
  REDMINE_TEXT_FORMATTING: z.enum(['textile', 'common_mark', 'none']).default('textile'),
  METRICS_TOKEN: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  METRICS_PORT: optionalString.pipe(z.coerce.number<string | undefined>().int().min(0).max(65535).optional()),
  // The Temporal worker's own metrics (SDK runtime telemetry, Prometheus); off unless a port is
  // given. Loopback unless WORKER_METRICS_HOST says otherwise (a private network, containers).
  WORKER_METRICS_PORT: optionalString.pipe(z.coerce.number<string | undefined>().int().min(1).max(65535).optional()),
  WORKER_METRICS_HOST: z
    .string()
    .trim()
    .refine((v) => isIP(v) !== 0, 'must be an IP address (e.g. 127.0.0.1, 0.0.0.0)')
    .default('127.0.0.1'),
  // The worker's memory budget: the workflow cache (conversations kept in memory between their
  // events; the others are evicted and replayed from their history when they wake up) is sized
  // from it (runtime/worker.ts). WORKER_CACHED_WORKFLOWS sets the cache size itself.
  WORKER_MEMORY_MB: z.coerce.number().int().min(256).max(1_048_576).default(1024),
  WORKER_CACHED_WORKFLOWS: optionalString.pipe(
    z.coerce.number<string | undefined>().int().min(0).max(1_000_000).optional(),
  ),
  // How many workflow tasks, local activities and activities a worker runs at once (bursts: many
  // reminders falling due together). Activities wait for a database connection beyond the pool.
  WORKER_WORKFLOW_TASKS: z.coerce.number().int().min(2).max(1000).default(100),
  WORKER_ACTIVITIES: z.coerce.number().int().min(1).max(2000).default(200),
  TRUSTED_PROXIES: optionalString,
  DEV_TOOLS: optionalString.pipe(bool.optional()),
  STAFF_LOGIN: optionalString.pipe(z.enum(['redmine', 'local']).optional()),
  // Redmine sign-in: the group whose members are staff (else: members of a mapped project), and
  // the group whose members are administrators (else: Redmine's administrators). Name or id.
  REDMINE_STAFF_GROUP: optionalString,
  REDMINE_ADMIN_GROUP: optionalString,
  // A staff answer's e-mail and SMS wait this long (a Temporal timer): an edit within it is sent
  // in its final form, a note made private or deleted within it is never sent. 0: at once.
  NOTIFY_GRACE_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(24 * 3600)
    .default(120),
  SMS_PROVIDER: z.enum(['development', 'brevo']).default('development'),
  // Brevo transactional SMS (connectors/sms/brevo.ts): its API key, the sender shown on phones
  // (at most 11 letters and digits, or 15 digits) and its API base URL (tests use a local one).
  BREVO_API_KEY: optionalString,
  BREVO_API_URL: optionalString.pipe(z.url().optional()),
  SMS_SENDER: z
    .string()
    .trim()
    .default('Guichet')
    .refine(
      (v) => /^\d{1,15}$/.test(v) || (/^[A-Za-z0-9 ]{1,11}$/.test(v) && /[A-Za-z]/.test(v)),
      'must be at most 11 letters and digits (one letter at least), or at most 15 digits',
    ),
  VILOGI_URL: optionalString.pipe(z.url().optional()),
  VILOGI_API_KEY: optionalString,
  VILOGI_SYNC_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
  VILOGI_CATCHUP_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .default(60),
  VILOGI_SERVICES: z.string().trim().default('*=guichet-demo'),
  VILOGI_TRIAGE_PROJECT: z.string().trim().default('guichet-demo'),
  VILOGI_TIMEOUT_SECONDS: z.coerce.number().min(0.1).max(300).default(10),
  /** Requests a sync run imports and processes at once (Redmine serves a few calls at a time; each
   * also holds a database connection while it writes). */
  VILOGI_IMPORT_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
  CONTRIBUTOR_INVITATION_DAYS: optionalString.pipe(
    z.coerce.number<string | undefined>().int().min(1).max(90).default(14),
  ),
  CONTRIBUTOR_REMINDER_DAYS: optionalString.pipe(
    z
      .string()
      .regex(/^\s*\d{1,2}(\s*,\s*\d{1,2})*\s*$/, 'comma-separated days, e.g. 2,5 (0: no reminder)')
      .default('2,5'),
  ),
  // Webhooks: http:// and loopback targets (development, tests); private-network targets (an
  // intranet receiver); how long a receiver may take to answer.
  WEBHOOK_ALLOW_LOOPBACK: optionalString.pipe(bool.optional()),
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: optionalString.pipe(bool.optional()),
  WEBHOOK_TIMEOUT_SECONDS: z.coerce.number().min(1).max(60).default(10),
  // Days the integration API's change feed keeps; an older cursor gets 410 cursor-expired.
  API_CHANGES_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type RawConfig = z.infer<typeof schema>;

export interface Config extends Omit<RawConfig, 'HOST'> {
  /** Address to listen on: HOST, else loopback for the embedded development run, else 0.0.0.0. */
  HOST: string;
  /** Whose X-Forwarded-* headers are believed (Fastify's trustProxy), from TRUSTED_PROXIES; none by default. */
  trustedProxies: string[];
  /** The embedded development run: `npm start` (guichet.ts) on embedded defaults. */
  developmentRun: boolean;
  /** The development pages (/dev/mails, /dev/sms) exist: DEV_TOOLS, else the development run. */
  devTools: boolean;
  /** Which webhook targets may be called (WEBHOOK_ALLOW_*; loopback: also the development run) and the answer's timeout. */
  webhooks: { allowLoopback: boolean; allowPrivateNetworks: boolean; timeoutMs: number };
  /** Space slug → Redmine project identifier, from REDMINE_PROJECTS ("slug=identifier,…"). */
  redmineProjects: Map<string, string>;
  /** Absolute data directory (embedded PostgreSQL, Temporal dev server, generated secret). */
  dataDir: string;
  /** Absolute directory of the files clients deposit (STORAGE_DIR, else DATA_DIR/files). */
  storageDir: string;
  /** Where deposited files are kept: the local directory (storageDir), or the bucket of STORAGE_URL. */
  storage: StorageSetting;
  /** Base URL used in e-mails. */
  publicUrl: string;
  /** True when no DATABASE_URL: PGlite under the data directory. */
  embeddedDatabase: boolean;
  /** True when no TEMPORAL_ADDRESS: the run command starts a dev server. */
  embeddedTemporal: boolean;
  /** True when no SMTP_URL: mails stay in the outbox, listed on the development page. */
  mailOutboxOnly: boolean;
  /** Secure cookies: explicit setting, else when PUBLIC_URL is https. */
  cookieSecure: boolean;
  /** Seed demo data: explicit setting, else when running on embedded defaults. */
  demoData: boolean;
  /** How staff sign in: with their Redmine credentials when Redmine is configured, else local accounts. */
  staffLogin: 'redmine' | 'local';
  /** Vilogi service (lower case) → Redmine project identifier, from VILOGI_SERVICES; `*` for the rest. */
  vilogiServices: Map<string, string>;
}

export type StorageSetting =
  | { kind: 'local' }
  | {
      kind: 's3';
      url: string;
      /** S3_ACCESS_KEY_ID/S3_SECRET_ACCESS_KEY, else AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, else the SDK's chain. */
      credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
    };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** One TRUSTED_PROXIES entry: an IPv4 or IPv6 address, or a CIDR range of one (proxy-addr's forms
 * minus its named ranges and dotted masks, which are easy to get wrong). */
function proxyEntryProblem(entry: string): string | undefined {
  const [address = '', prefix, extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined)
    return `"${entry}" is not an IP address or CIDR range (e.g. 10.0.0.0/8, ::1)`;
  if (prefix === undefined) return undefined;
  const bits = /^\d{1,3}$/.test(prefix) ? Number(prefix) : Number.NaN;
  return Number.isInteger(bits) && bits >= 0 && bits <= (family === 4 ? 32 : 128)
    ? undefined
    : `"${entry}" has a bad prefix length`;
}

export interface LoadOptions {
  /** Set by the run command (guichet.ts): on embedded defaults this is the development run. */
  runCommand?: boolean;
}

/**
 * What a process of a deployment on an external PostgreSQL (DATABASE_URL) lacks among the
 * settings that must be equal in every process: a secret generated into one process's DATA_DIR
 * would differ from the next server's, and a form (CSRF cookie) signed by one server would be
 * refused by another. Only the embedded run, one process by construction, may generate it.
 * Returns lines in the ConfigError's format; none when nothing is missing.
 */
export function sharedSecretProblems(
  config: Pick<Config, 'embeddedDatabase' | 'SESSION_SECRET'>,
  roles: { server: boolean },
): string[] {
  if (config.embeddedDatabase || !roles.server || config.SESSION_SECRET) return [];
  return [
    '  SESSION_SECRET: required with DATABASE_URL: every server process of the deployment must sign its cookies with the same secret (at least 32 characters, e.g. `openssl rand -hex 32`)',
  ];
}

/** Validates an environment once; throws a ConfigError listing every bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: LoadOptions = {}): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const raw = parsed.data;
  const problems: string[] = [];
  const redmineProjects = new Map<string, string>();
  for (const pair of (raw.REDMINE_PROJECTS ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [slug, identifier] = pair.split('=').map((p) => p.trim());
    if (!slug || !identifier) problems.push(`  REDMINE_PROJECTS: "${pair}" is not space-slug=project-identifier`);
    else redmineProjects.set(slug, identifier);
  }
  const vilogiServices = new Map<string, string>();
  for (const pair of raw.VILOGI_SERVICES.split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [service, project] = pair.split('=').map((p) => p.trim());
    if (!service || !project) problems.push(`  VILOGI_SERVICES: "${pair}" is not service=project-identifier`);
    else vilogiServices.set(service.toLowerCase(), project);
  }
  if (raw.REDMINE_URL && !raw.REDMINE_API_KEY) problems.push('  REDMINE_API_KEY: required when REDMINE_URL is set');
  if (raw.REDMINE_URL && redmineProjects.size === 0)
    problems.push('  REDMINE_PROJECTS: required when REDMINE_URL is set');
  if (raw.SMS_PROVIDER === 'brevo' && !raw.BREVO_API_KEY)
    problems.push('  BREVO_API_KEY: required when SMS_PROVIDER=brevo (Brevo → SMTP & API → API keys)');
  if (raw.STAFF_LOGIN === 'redmine' && !raw.REDMINE_URL) problems.push('  STAFF_LOGIN: redmine needs REDMINE_URL');
  const trustedProxies = (raw.TRUSTED_PROXIES ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  for (const entry of trustedProxies) {
    const problem = proxyEntryProblem(entry);
    if (problem) problems.push(`  TRUSTED_PROXIES: ${problem}`);
  }
  if (raw.METRICS_PORT !== undefined && raw.METRICS_PORT !== 0 && raw.METRICS_PORT === raw.PORT)
    problems.push('  METRICS_PORT: must differ from PORT (the metrics listener is loopback-only)');
  if ((raw.S3_ACCESS_KEY_ID === undefined) !== (raw.S3_SECRET_ACCESS_KEY === undefined))
    problems.push('  S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY: give both or neither');
  if (
    raw.WORKER_METRICS_PORT !== undefined &&
    (raw.WORKER_METRICS_PORT === raw.PORT || raw.WORKER_METRICS_PORT === raw.METRICS_PORT)
  )
    problems.push('  WORKER_METRICS_PORT: must differ from PORT and METRICS_PORT');
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  const s3KeyId = raw.S3_ACCESS_KEY_ID ?? raw.AWS_ACCESS_KEY_ID;
  const s3Secret = raw.S3_ACCESS_KEY_ID ? raw.S3_SECRET_ACCESS_KEY : raw.AWS_SECRET_ACCESS_KEY;
  const storage: StorageSetting = raw.STORAGE_URL
    ? {
        kind: 's3',
        url: raw.STORAGE_URL,
        credentials: s3KeyId && s3Secret ? { accessKeyId: s3KeyId, secretAccessKey: s3Secret } : undefined,
      }
    : { kind: 'local' };
  const publicUrl = (raw.PUBLIC_URL ?? `http://localhost:${raw.PORT}`).replace(/\/$/, '');
  const dataDir = path.resolve(raw.DATA_DIR);
  const embeddedDatabase = raw.DATABASE_URL === undefined;
  const embeddedTemporal = raw.TEMPORAL_ADDRESS === undefined;
  const developmentRun = options.runCommand === true && embeddedDatabase && embeddedTemporal;
  return {
    ...raw,
    // The development run serves its outbox pages to whoever reaches it: it stays on this machine.
    HOST: raw.HOST ?? (developmentRun ? 'localhost' : '0.0.0.0'),
    trustedProxies,
    developmentRun,
    devTools: raw.DEV_TOOLS ?? developmentRun,
    webhooks: {
      allowLoopback: raw.WEBHOOK_ALLOW_LOOPBACK ?? developmentRun,
      allowPrivateNetworks: raw.WEBHOOK_ALLOW_PRIVATE_NETWORKS ?? false,
      timeoutMs: raw.WEBHOOK_TIMEOUT_SECONDS * 1000,
    },
    redmineProjects,
    dataDir,
    storageDir: raw.STORAGE_DIR ? path.resolve(raw.STORAGE_DIR) : path.join(dataDir, 'files'),
    storage,
    publicUrl,
    embeddedDatabase,
    embeddedTemporal,
    mailOutboxOnly: raw.SMTP_URL === undefined,
    cookieSecure: raw.COOKIE_SECURE ?? publicUrl.startsWith('https://'),
    demoData: raw.DEMO_DATA ?? (embeddedDatabase && embeddedTemporal),
    staffLogin: raw.STAFF_LOGIN ?? (raw.REDMINE_URL ? 'redmine' : 'local'),
    vilogiServices,
  };
}
