// schemathesis (PyPI, installed by scripts/provision.sh into .cache/schemathesis/venv) against
// /openapi.json with a write token of every space: generated and mutated requests to every
// operation; 0 server errors, 0 answers outside their documented status codes, content types and
// schemas. Bounded (examples per operation, time budget) so that it takes well under 2 minutes.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSystem } from '../../runtime/system.js';
import { PROJECT_ROOT } from '../../runtime/temporal-dev-server.js';
import { createClient, createSpace, createStaff } from '../helpers/fixtures.js';
import { cloneTemplate, makeCase } from '../helpers/documents.js';
import { loadServicesEnv, required } from '../helpers/services-env.js';
import { startTestSystem } from '../helpers/system.js';
import { makeToken } from './api-client.js';

let system: RunningSystem & { url: string };
let token: string;

function schemathesisPath(): string {
  loadServicesEnv();
  const local = path.join(PROJECT_ROOT, '.cache/schemathesis/venv/bin/schemathesis');
  if (!process.env.SCHEMATHESIS_PATH && existsSync(local)) return local;
  return required('SCHEMATHESIS_PATH', 'schemathesis is installed by scripts/install-schemathesis.sh');
}

beforeAll(async () => {
  system = await startTestSystem();
  const db = system.database.db;
  const space = await createSpace(db, 'Schemathesis');
  const { account: client } = await createClient(db, { space });
  await makeCase(db, { space, client, template: await cloneTemplate(db, 'credit-bail-vehicule'), number: 'ST-1' });
  const admin = (await createStaff(db, { admin: true })).account;
  token = (await makeToken(db, admin, { scope: 'write', spaces: 'all', name: 'schemathesis' })).token;
});
afterAll(() => system?.stop());

function run(bin: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env: { ...process.env, NO_COLOR: '1', SCHEMATHESIS_TELEMETRY: 'false' } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('schemathesis', () => {
  it('finds no server error and no answer breaking the OpenAPI document', async () => {
    const { code, output } = await run(schemathesisPath(), [
      'run',
      `${system.url}/openapi.json`,
      '--header',
      `Authorization: Bearer ${token}`,
      '--checks',
      'not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance',
      '--phases',
      'examples,coverage,fuzzing',
      '--max-examples',
      '15',
      // One worker: Python 3.11's ast module keeps one recursion counter for every thread, so two
      // workers describing Hypothesis strategies at once crash the run ("AST constructor recursion
      // depth mismatch"), a tool error that says nothing about the API.
      '--workers',
      '1',
      '--request-timeout',
      '20',
      '--seed',
      '1',
      '--suppress-health-check',
      'all',
    ]);
    if (code !== 0) console.log(output.replaceAll(token, '[token]'));
    expect(output).toMatch(/operations? tested|Summary|passed/i);
    expect(code).toBe(0);
  }, 150_000);
});
