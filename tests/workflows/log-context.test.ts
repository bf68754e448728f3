// Workflow and activity log lines carry the workflow id: the SDK's log metadata (workflowId,
// runId, workflowType, activityType…) reaches our logger as fields through
// installTemporalRuntime's forwarder (the SDK's own lines at debug level, forwarded at trace).
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startSystem, type RunningSystem } from '../../runtime/system.js';
import { sessionPurgeWorkflow } from '../../workflows/index.js';
import { testConfig } from '../helpers/system.js';

const lines: Array<Record<string, unknown>> = [];
let system: RunningSystem;
let connection: Connection;

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  // The first Temporal runtime of this test process: its logger is this one.
  system = await startSystem({
    config: await testConfig({ LOG_LEVEL: 'trace' }),
    server: false,
    worker: true,
    logger: pino({ level: 'trace' }, sink),
    workflowBundle: { code: inject('workflowBundleCode') },
  });
  connection = await Connection.connect({ address: inject('temporalAddress') });
});

afterAll(async () => {
  await connection?.close();
  await system?.stop();
});

describe('workflow logs', () => {
  it('carry the workflow id on the workflow and activity lines', async () => {
    const workflowId = `log-context-${randomUUID()}`;
    const client = new Client({ connection });
    await client.workflow.execute(sessionPurgeWorkflow, {
      taskQueue: system.config.TEMPORAL_TASK_QUEUE,
      workflowId,
      args: [{ idleMinutes: 30, maxHours: 12 }],
    });
    const deadline = Date.now() + 10_000;
    const ours = () => lines.filter((l) => l.component === 'temporal' && l.workflowId === workflowId);
    const activityLines = () => ours().filter((l) => l.activityType === 'purgeEndedSessions');
    while (activityLines().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(ours().map((l) => l.msg)).toContain('Workflow started');
    expect(activityLines().length).toBeGreaterThan(0);
    for (const line of ours()) expect(line.workflowType).toBe('sessionPurgeWorkflow');
  });
});
