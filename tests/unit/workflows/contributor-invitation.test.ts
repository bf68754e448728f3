// The contributor invitation workflow with its activities replaced by in-test functions, on the
// time-skipping test server: the invitation at once, reminders on day 2 and 5, expiry on day 14;
// acceptance stops the reminders; revocation ends it. No database, no mail: the activities only
// record what they were asked.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Context } from '@temporalio/activity';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import type { ContributorInvitationInput } from '../../../domain/workflow-inputs.js';
import {
  acceptInvitationSignal,
  contributorInvitationWorkflow,
  invitationStateQuery,
  revokeInvitationSignal,
} from '../../../workflows/contributor-invitation.js';
import { loadServicesEnv } from '../../helpers/services-env.js';

const DAY = 86_400_000;
const here = path.dirname(fileURLToPath(import.meta.url));
const taskQueue = `unit-invite-${randomBytes(4).toString('hex')}`;

/** What the activities were asked, with the server's (skipped) time each call was scheduled at. */
const asked: Array<{ what: string; memberId: string; reminder?: number | null; at: number }> = [];
let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;

const scheduledAt = () => Context.current().info.currentAttemptScheduledTimestampMs;

const activities = {
  async sendContributorInvitation(input: { memberId: string; generation: number; reminder: number | null }) {
    asked.push({ what: 'send', memberId: input.memberId, reminder: input.reminder, at: scheduledAt() });
    return { notificationId: `n-${input.memberId}-${input.reminder ?? 'invite'}` };
  },
  async expireContributorInvitation(input: { memberId: string; generation: number }) {
    asked.push({ what: 'expire', memberId: input.memberId, at: scheduledAt() });
    return { notificationIds: [`n-${input.memberId}-expired`] };
  },
  async deliverNotification(notificationId: string) {
    asked.push({ what: 'deliver', memberId: notificationId, at: scheduledAt() });
  },
};

beforeAll(async () => {
  loadServicesEnv();
  const executable = process.env.TEMPORAL_TEST_SERVER_PATH;
  if (!executable) throw new Error('TEMPORAL_TEST_SERVER_PATH is not set: run `bash scripts/provision.sh`');
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // installed by another suite in this process
  }
  const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
  const [environment, bundle] = await Promise.all([
    TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: executable } } }),
    bundleWorkflowCode({
      workflowsPath: path.resolve(here, '../../../workflows/contributor-invitation.ts'),
      logger: quiet,
    }),
  ]);
  env = environment;
  worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: bundle,
    activities,
  });
  running = worker.run();
}, 120_000);

afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});

const input = (memberId: string): ContributorInvitationInput => ({
  memberId,
  generation: 1,
  reminderDays: [2, 5],
  expiryDays: 14,
});

describe('contributor invitation', () => {
  it('invites at once, reminds on day 2 and 5, and expires on day 14', async () => {
    const memberId = `m-${randomBytes(3).toString('hex')}`;
    const started = await env.client.workflow.start(contributorInvitationWorkflow, {
      taskQueue,
      workflowId: `unit-invitation-${memberId}`,
      args: [input(memberId)],
    });
    expect(await started.result()).toBe('expired');
    const mine = asked.filter((a) => a.memberId.includes(memberId));
    expect(mine.map((a) => (a.what === 'send' ? `send ${a.reminder ?? 'invite'}` : a.what))).toEqual([
      'send invite',
      'deliver',
      'send 0',
      'deliver',
      'send 1',
      'deliver',
      'expire',
      'deliver',
    ]);
    const t0 = mine[0]!.at;
    const day = (what: string, reminder?: number | null) =>
      Math.round(
        (mine.find((a) => a.what === what && (reminder === undefined || a.reminder === reminder))!.at - t0) / DAY,
      );
    expect(day('send', 0)).toBe(2);
    expect(day('send', 1)).toBe(5);
    expect(day('expire')).toBe(14);
  });

  it('stops reminding once accepted', async () => {
    const memberId = `m-${randomBytes(3).toString('hex')}`;
    const handle = await env.client.workflow.start(contributorInvitationWorkflow, {
      taskQueue,
      workflowId: `unit-invitation-${memberId}`,
      args: [input(memberId)],
    });
    await env.sleep(3 * DAY);
    expect((await handle.query(invitationStateQuery)).remindersSent).toBe(1);
    await handle.signal(acceptInvitationSignal);
    expect(await handle.result()).toBe('accepted');
    const mine = asked.filter((a) => a.memberId.includes(memberId));
    expect(mine.filter((a) => a.what === 'send').map((a) => a.reminder)).toEqual([null, 0]);
    expect(mine.some((a) => a.what === 'expire')).toBe(false);
  });

  it('ends on revocation, before any reminder', async () => {
    const memberId = `m-${randomBytes(3).toString('hex')}`;
    const handle = await env.client.workflow.start(contributorInvitationWorkflow, {
      taskQueue,
      workflowId: `unit-invitation-${memberId}`,
      args: [input(memberId)],
    });
    await env.sleep(DAY);
    await handle.signal(revokeInvitationSignal);
    expect(await handle.result()).toBe('revoked');
    const state = await handle.query(invitationStateQuery);
    expect(state).toMatchObject({ memberId, generation: 1, remindersSent: 0, sent: true, outcome: 'revoked' });
  });
});
