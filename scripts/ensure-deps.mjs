// Installs npm dependencies when they are missing or older than the lockfile, so that the run
// and test commands work on a fresh clone. Quick when nothing changed.
import { existsSync, statSync } from 'node:fs';
import { execSync } from 'node:child_process';

const marker = 'node_modules/.package-lock.json';
const lock = 'package-lock.json';
const stale = !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs);
if (stale) {
  process.stderr.write('Installing npm dependencies…\n');
  // Not `npm ci`: npm 11 leaves other platforms' optional binaries out of the lockfile, and
  // `npm ci` then refuses it; `npm install` follows the lockfile as it is.
  execSync('npm install --no-audit --no-fund', { stdio: 'inherit' });
}
