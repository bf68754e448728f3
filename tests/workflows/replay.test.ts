// Replay safety of conversationWorkflow: histories recorded by real runs (bench/sla-scale.ts
// with BENCH_SLA_SAVE_HISTORY, a conversation started by a client message, acknowledged, then
// reminded) replay without a nondeterminism error on today's workflow code. One was written
// before the acknowledgement became one local activity (patch `acknowledgement-local-mail`: the
// e-mail was a second activity task and workflow task), one after, one after a request was opened
// in one local activity (patch `request-opening-one-step`: clock, acknowledgement and the
// mirror's question, where there were four). A change to the command sequence of running
// conversations without patched(...) fails here.
import { readFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import proto, { type temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { installTestRuntime } from '../helpers/worker.js';

type History = temporal.api.history.v1.History;

function recorded(name: string): History {
  const bytes = readFileSync(new URL(`./histories/${name}`, import.meta.url));
  return proto.temporal.api.history.v1.History.decode(bytes);
}

/** A marker's detail, as the SDK's core writes it (one JSON payload). */
function markerDetail(
  event: temporal.api.history.v1.IHistoryEvent,
  key: string,
): { id?: string; activity_type?: string } {
  const data = event.markerRecordedEventAttributes?.details?.[key]?.payloads?.[0]?.data;
  return data ? (JSON.parse(Buffer.from(data).toString('utf8')) as { id?: string; activity_type?: string }) : {};
}

/** The activity tasks a history scheduled, its local activities, and the patches it recorded. */
function shape(history: History) {
  const events = history.events ?? [];
  const activities = events
    .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
    .filter((name): name is string => Boolean(name));
  const markers = (name: string) => events.filter((e) => e.markerRecordedEventAttributes?.markerName === name);
  const patches = markers('core_patch').map((e) => markerDetail(e, 'patch-data').id ?? '');
  const localActivities = markers('core_local_activity').map((e) => markerDetail(e, 'data').activity_type ?? '');
  return { activities, localActivities, patches, timers: events.filter((e) => e.timerStartedEventAttributes).length };
}

async function replay(history: History): Promise<void> {
  installTestRuntime();
  await Worker.runReplayHistory({ workflowBundle: { code: inject('workflowBundleCode') } }, history);
}

describe('conversationWorkflow replays the histories of running conversations', () => {
  it('replays a conversation acknowledged before the acknowledgement became one local activity', async () => {
    const history = recorded('conversation-before-ack-local-mail.bin');
    // The old path: the acknowledgement's e-mail as an activity task of its own.
    expect(shape(history).activities).toEqual(['deliverNotification']);
    expect(shape(history).patches).not.toContain('acknowledgement-local-mail');
    await replay(history);
  });

  it('replays a conversation acknowledged in one local activity, with no activity task', async () => {
    const history = recorded('conversation-after-ack-local-mail.bin');
    const { activities, patches, timers } = shape(history);
    expect(activities).toEqual([]);
    expect(patches).toContain('acknowledgement-local-mail');
    // The reminder's timer and the next (pre-breach) one.
    expect(timers).toBeGreaterThanOrEqual(2);
    await replay(history);
  });

  it('replays a conversation whose request was opened in one local activity, then reminded', async () => {
    const history = recorded('conversation-opening-one-step.bin');
    const { activities, localActivities, patches, timers } = shape(history);
    expect(activities).toEqual([]);
    expect(patches).toContain('request-opening-one-step');
    // The whole start is one local activity (it was four), the reminder one more.
    expect(localActivities).toEqual(['openRequest', 'slaAlertMail']);
    expect(timers).toBeGreaterThanOrEqual(2);
    await replay(history);
  });
});
