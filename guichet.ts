// The run command (`npm start`): the whole system in one process, on embedded defaults when
// nothing is configured (PGlite and a Temporal dev server under ./data, mails in an outbox).
import { ConfigError, loadConfig } from './config.js';
import { createLogger, startSystem, stopOnSignals } from './runtime/system.js';

try {
  // The run command: on embedded defaults, the development run (its outbox pages, loopback only).
  const config = loadConfig(undefined, { runCommand: true });
  const log = createLogger(config);
  const system = await startSystem({ config, server: true, worker: true, logger: log });
  stopOnSignals(system, log);
  const lines = [
    '',
    `  Guichet is running: ${system.url}`,
    `    client space   ${system.url}/connexion`,
    `    back-office    ${system.url}/back-office`,
    `    health         ${system.url}/health    API: ${system.url}/openapi.json`,
    config.devTools && config.mailOutboxOnly
      ? `    mail outbox    ${system.url}/dev/mails (no SMTP_URL: e-mails stay here)`
      : '',
    system.temporalUiUrl
      ? `    Temporal UI    ${system.temporalUiUrl}`
      : `    Temporal       ${system.temporalAddress}`,
    system.vilogiSimulatorUrl
      ? `    Vilogi         ${system.vilogiSimulatorUrl}/_simulator/requests (SIMULATOR with demo requests; set VILOGI_URL for a real gateway)`
      : '',
    system.demo ? `  Demo client: ${system.demo.client.email} / ${system.demo.client.password}` : '',
    system.demo ? `  Demo staff:  ${system.demo.staff.email} / ${system.demo.staff.password}` : '',
    '',
  ];
  process.stdout.write(lines.filter((l, i, all) => l !== '' || i === 0 || i === all.length - 1).join('\n') + '\n');
} catch (err) {
  if (err instanceof ConfigError || (err instanceof Error && err.name === 'TemporalUnavailableError')) {
    process.stderr.write(`\n${err.message}\n`);
  } else {
    process.stderr.write(
      `\nGuichet could not start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
  }
  process.exit(1);
}
