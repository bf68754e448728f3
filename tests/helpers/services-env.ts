// Reads what scripts/provision.sh wrote (.cache/services.env) without overriding the environment.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../runtime/temporal-dev-server.js';

export function loadServicesEnv(): void {
  let text: string;
  try {
    text = readFileSync(path.join(PROJECT_ROOT, '.cache/services.env'), 'utf8');
  } catch {
    return;
  }
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i <= 0) continue;
    const key = line.slice(0, i).trim();
    process.env[key] ??= line.slice(i + 1).trim();
  }
}

export function required(name: string, hint: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(
      `${name} is not set: ${hint}. Run \`bash scripts/provision.sh\` (tests never skip a missing service).`,
    );
  return value;
}
