// The HTTP server alone (`npm run server`), for deployments that run server and worker apart.
import { ConfigError, loadConfig } from './config.js';
import { createLogger, startSystem, stopOnSignals } from './runtime/system.js';

try {
  const config = loadConfig();
  if (!config.DATABASE_URL || !config.TEMPORAL_ADDRESS) {
    throw new ConfigError(
      'The server alone needs DATABASE_URL and TEMPORAL_ADDRESS; `npm start` runs everything on embedded defaults.',
    );
  }
  const log = createLogger(config);
  const system = await startSystem({ config, server: true, worker: false, logger: log });
  stopOnSignals(system, log);
  log.info({ url: system.url }, 'server listening');
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
