// One workflow per person invited to a case (id `contributor-invitation-<memberId>`): the
// invitation e-mail, reminders (day 2 and 5 by default), expiry after 14 days that the case's
// owner and the agency hear of. Acceptance and revocation arrive as signals and end it; a
// re-invitation (a new generation: new link, old ones dead) starts the clock and reminders again.
import { condition, defineQuery, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';

import type { ContributorInvitationInput } from '../domain/workflow-inputs.js';

export type { ContributorInvitationInput };

export type InvitationOutcome = 'accepted' | 'revoked' | 'expired';

export interface InvitationState {
  memberId: string;
  generation: number;
  remindersSent: number;
  sent: boolean;
  expiresAt: number;
  outcome: InvitationOutcome | null;
}

export const acceptInvitationSignal = defineSignal('acceptInvitation');
export const revokeInvitationSignal = defineSignal('revokeInvitation');
export const reinviteSignal = defineSignal<[{ generation: number }]>('reinvite');
export const invitationStateQuery = defineQuery<InvitationState>('invitationState');

export function contributorInvitationWorkflowId(memberId: string): string {
  return `contributor-invitation-${memberId}`;
}

const DAY_MS = 86_400_000;

const { sendContributorInvitation, expireContributorInvitation } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2, maximumAttempts: 30 },
});
const { deliverNotification } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '10 minutes', backoffCoefficient: 2 },
});

export async function contributorInvitationWorkflow(input: ContributorInvitationInput): Promise<InvitationOutcome> {
  const { memberId } = input;
  let generation = input.generation;
  let startedAt = Date.now();
  let remindersSent = 0;
  let sent = false;
  let outcome: InvitationOutcome | null = null;
  const reminderDays = input.reminderDays.filter((d) => d > 0 && d < input.expiryDays).sort((a, b) => a - b);

  setHandler(acceptInvitationSignal, () => void (outcome ??= 'accepted'));
  setHandler(revokeInvitationSignal, () => void (outcome ??= 'revoked'));
  setHandler(reinviteSignal, ({ generation: next }) => {
    // A signal-with-start of a new run carries the generation the run started with: ignored.
    if (next <= generation || outcome !== null) return;
    generation = next;
    startedAt = Date.now();
    remindersSent = 0;
    sent = false;
  });
  const expiresAt = () => startedAt + input.expiryDays * DAY_MS;
  setHandler(invitationStateQuery, () => ({
    memberId,
    generation,
    remindersSent,
    sent,
    expiresAt: expiresAt(),
    outcome,
  }));

  async function deliver(ids: Array<string | null>): Promise<void> {
    for (const id of ids) if (id) await deliverNotification(id);
  }

  for (;;) {
    if (outcome !== null) return outcome;
    const current = generation;
    if (!sent) {
      const { notificationId } = await sendContributorInvitation({ memberId, generation: current, reminder: null });
      sent = true;
      await deliver([notificationId]);
      continue;
    }
    const reminderAt =
      remindersSent < reminderDays.length ? startedAt + (reminderDays[remindersSent] ?? 0) * DAY_MS : Infinity;
    const next = Math.min(reminderAt, expiresAt());
    const woken = await condition(() => outcome !== null || generation !== current, Math.max(1, next - Date.now()));
    if (woken) continue;
    if (Date.now() >= expiresAt()) {
      const { notificationIds } = await expireContributorInvitation({ memberId, generation: current });
      await deliver(notificationIds);
      // Accepted or re-sent while the expiry ran: the newer state wins.
      if (outcome === null && generation === current) return 'expired';
      continue;
    }
    const index = remindersSent++;
    const { notificationId } = await sendContributorInvitation({ memberId, generation: current, reminder: index });
    await deliver([notificationId]);
  }
}
