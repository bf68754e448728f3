// The worker alone (`npm run worker`), for deployments that run server and worker apart.
import { getHeapStatistics } from 'node:v8';
import { ConfigError, loadConfig } from './config.js';
import { createLogger, startSystem, stopOnSignals } from './runtime/system.js';
import { heapLimitAdvice } from './runtime/worker.js';

try {
  const config = loadConfig();
  if (!config.DATABASE_URL || !config.TEMPORAL_ADDRESS) {
    throw new ConfigError(
      'The worker alone needs DATABASE_URL and TEMPORAL_ADDRESS; `npm start` runs everything on embedded defaults.',
    );
  }
  const log = createLogger(config);
  const heapAdvice = heapLimitAdvice(config.WORKER_MEMORY_MB, getHeapStatistics().heap_size_limit);
  if (heapAdvice) log.warn(heapAdvice);
  const system = await startSystem({ config, server: false, worker: true, logger: log });
  stopOnSignals(system, log);
  log.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, temporal: system.temporalAddress }, 'worker running');
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
