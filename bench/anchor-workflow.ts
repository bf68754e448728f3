// The anchor of bench/sla-scale.ts: the cheapest possible clock, one timer and one activity, run
// by a bare worker on the same Temporal server in the same run. What Guichet's starts and
// reminders cost is read against it. Workflow code (bundled by the bench's anchor worker): no I/O
// here; the sink tells the bench when a workflow ran its first task (its start rate).
import { proxyActivities, proxySinks, sleep, type Sinks } from '@temporalio/workflow';

export interface AnchorActivities {
  /** Records that this clock's activity ran (and when) in the bench process. */
  anchorTouch(id: string): Promise<void>;
}

export interface AnchorSinks extends Sinks {
  bench: { started(id: string): void };
}

const { anchorTouch } = proxyActivities<AnchorActivities>({ startToCloseTimeout: '1 minute' });
const { bench } = proxySinks<AnchorSinks>();

export async function slaAnchorWorkflow(input: { id: string; dueAt: number }): Promise<void> {
  bench.started(input.id);
  await sleep(Math.max(1, input.dueAt - Date.now()));
  await anchorTouch(input.id);
}
