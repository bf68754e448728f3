// The anchor of bench/sla-scale.ts: the cheapest possible clock, one timer and one activity, run
// by a bare worker on the same Temporal server in the same run. What Guichet's reminders cost is
// read against it. Workflow code (bundled by the bench's anchor worker): no I/O here.
import { proxyActivities, sleep } from '@temporalio/workflow';

export interface AnchorActivities {
  /** Records that this clock's activity ran (and when) in the bench process. */
  anchorTouch(id: string): Promise<void>;
}

const { anchorTouch } = proxyActivities<AnchorActivities>({ startToCloseTimeout: '1 minute' });

export async function slaAnchorWorkflow(input: { id: string; dueAt: number }): Promise<void> {
  await sleep(Math.max(1, input.dueAt - Date.now()));
  await anchorTouch(input.id);
}
