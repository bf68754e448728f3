// `npm run storage:migrate`: copies the local store of deposited files (STORAGE_DIR, else
// DATA_DIR/files) into the bucket of STORAGE_URL, with the configuration Guichet itself reads
// (S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY or the AWS_* variables). Resumable and verified by
// checksum (runtime/storage-migration.ts); never deletes the local copy.
//
//   STORAGE_URL=s3://bucket?endpoint=… S3_ACCESS_KEY_ID=… S3_SECRET_ACCESS_KEY=… \
//     npm run storage:migrate [-- --from=DIR] [--dry-run] [--concurrency=4]
//
// Prints the counts; exits 1 when an object could not be copied (run it again: what is already
// there is skipped), 2 when it could not run at all (configuration, bucket).
import path from 'node:path';
import { ConfigError, loadConfig } from '../config.js';
import { createLocalStorage, createS3Storage, StorageConfigError } from '../connectors/storage/index.js';
import { migrateStorage } from '../runtime/storage-migration.js';

function option(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

// The migration stores bytes that Guichet already admitted when they were deposited.
const anyFile = { admits: (f: unknown): f is { bytes: Buffer } => typeof f === 'object' && f !== null, refusal: '' };

async function main(): Promise<number> {
  const config = loadConfig();
  if (config.storage.kind !== 's3')
    throw new ConfigError('STORAGE_URL is not set: say which bucket to copy into (s3://bucket?endpoint=…&region=…)');
  const from = path.resolve(option('from') ?? config.storageDir);
  const concurrency = Number(option('concurrency') ?? '4');
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
    throw new ConfigError('--concurrency must be a whole number from 1 to 64');
  const dryRun = process.argv.includes('--dry-run');

  const source = createLocalStorage(from, anyFile);
  const target = createS3Storage({ url: config.storage.url, credentials: config.storage.credentials, guard: anyFile });
  try {
    await target.check();
    process.stdout.write(`storage:migrate: ${from} → ${target.description}${dryRun ? ' (dry run)' : ''}\n`);
    const started = performance.now();
    let lastReport = started;
    const counts = await migrateStorage({
      source,
      target,
      concurrency,
      dryRun,
      onObject: (key, outcome, c) => {
        if (outcome === 'failed') process.stderr.write(`  failed: ${key}: ${c.failures.at(-1)?.reason ?? ''}\n`);
        if (performance.now() - lastReport > 5000) {
          lastReport = performance.now();
          process.stdout.write(`  … ${c.found} found, ${c.copied} copied, ${c.skipped} already there\n`);
        }
      },
    });
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(
      `storage:migrate: ${counts.found} found, ${counts.copied} ${dryRun ? 'to copy' : 'copied'}, ` +
        `${counts.skipped} already there, ${counts.failed} failed; ` +
        `${(counts.bytes / 1024 / 1024).toFixed(1)} MB in ${seconds.toFixed(1)} s. The local copy is left as it is.\n`,
    );
    return counts.failed > 0 ? 1 : 0;
  } finally {
    target.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const known = err instanceof ConfigError || err instanceof StorageConfigError;
    process.stderr.write(
      `storage:migrate: ${known ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(2);
  },
);
