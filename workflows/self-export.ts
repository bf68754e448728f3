// The export a client asked for from their space, from the ask to its expiry (id
// `self-export-<export id>`): build the archive and store it (one activity: large exports never
// run in a request), put the e-mail with the link in the outbox and deliver it, then a timer of
// SELF_EXPORT_DAYS days after which the archive and the row are deleted. An export that cannot be
// built, or whose e-mail cannot be delivered, is still deleted: nothing is kept past its time.
import { proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { SELF_EXPORT_DAYS } from '../domain/self-export.js';

const { buildSelfExport } = proxyActivities<Activities>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '2 minutes',
  // The first retries come soon: the ask's transaction may not be committed at the first attempt.
  retry: { initialInterval: '1 second', maximumInterval: '10 minutes', backoffCoefficient: 3, maximumAttempts: 10 },
});

const { queueSelfExportMail, expireSelfExport, deliverNotification } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumInterval: '10 minutes', backoffCoefficient: 2, maximumAttempts: 60 },
});

export type SelfExportResult = 'expired' | 'gone' | 'failed';

export function selfExportWorkflowId(exportId: string): string {
  return `self-export-${exportId}`;
}

export async function selfExportWorkflow(input: { exportId: string; accountId: string }): Promise<SelfExportResult> {
  let built: Awaited<ReturnType<typeof buildSelfExport>>;
  try {
    built = await buildSelfExport(input);
  } catch {
    // Nothing half kept: the row (and any archive) goes, and the client may ask again.
    await expireSelfExport(input.exportId);
    return 'failed';
  }
  if (built.outcome === 'gone') return 'gone';
  const readyAt = Date.now();
  try {
    const notificationId = await queueSelfExportMail(input.exportId);
    if (notificationId) await deliverNotification(notificationId);
  } catch {
    // Undeliverable after every retry: the page of the client's data still shows the link until
    // expiry, and the timer below still runs.
  }
  await sleep(Math.max(0, readyAt + SELF_EXPORT_DAYS * 86_400_000 - Date.now()));
  await expireSelfExport(input.exportId);
  return 'expired';
}
