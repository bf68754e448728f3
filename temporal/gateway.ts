// The WorkflowGateway on Temporal: each call a start or a signal-with-start, idempotent by workflow
// id; any failure to reach Temporal is a WorkflowUnavailableError.
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import {
  askSatisfactionSignal,
  clientMessageSignal,
  satisfactionAnswerSignal,
  conversationWorkflow,
  conversationWorkflowId,
  notificationWorkflow,
  notificationWorkflowId,
  redmineSyncWorkflowId,
  redmineSyncWorkflow,
  redmineSyncPaceSignal,
  paceOf,
  staffAnswerSignal,
  closeSignal,
  commentSignal,
  depositSignal,
  documentCollectionWorkflow,
  documentCollectionWorkflowId,
  policySignal,
  reviewSignal,
  acceptInvitationSignal,
  contributorInvitationWorkflow,
  contributorInvitationWorkflowId,
  reinviteSignal,
  revokeInvitationSignal,
  caseNoteWorkflow,
  caseNoteWorkflowId,
  answerSignal,
  notifierWorkflow,
  notifierWorkflowId,
  webhookDeliveryWorkflow,
  wakeSignal,
  selfExportWorkflow,
  selfExportWorkflowId,
} from '../workflows/index.js';
import { webhookDeliveryWorkflowId } from '../domain/webhook-workflow.js';
import { WorkflowUnavailableError, type InvitationEvent, type WorkflowGateway } from '../app/workflow-gateway.js';

async function guard<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw new WorkflowUnavailableError(
      `Temporal: ${what} failed: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
}

/** A start that may have happened already: the workflow id makes it idempotent. */
async function startOnce(start: () => Promise<unknown>): Promise<void> {
  try {
    await start();
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

/** The start half of a conversation's signal-with-start: its workflow id, queue and input. */
function conversationStart(taskQueue: string, input: Parameters<typeof conversationWorkflow>[0]) {
  return {
    workflowId: conversationWorkflowId(input.conversationId),
    taskQueue,
    args: [input] as [Parameters<typeof conversationWorkflow>[0]],
  };
}

/** Starts a case's document collection (once), or signals it an event, starting it if needed. */
function documentCollection(
  client: Client,
  taskQueue: string,
  caseId: string,
  event: Parameters<WorkflowGateway['documentCollection']>[1],
): Promise<void> {
  return guard('signal document collection', async () => {
    const base = {
      workflowId: documentCollectionWorkflowId(caseId),
      taskQueue,
      args: [{ caseId }] as [{ caseId: string }],
    };
    switch (event.type) {
      case 'start':
        await startOnce(() => client.workflow.start(documentCollectionWorkflow, base));
        return;
      case 'deposit':
        await client.workflow.signalWithStart(documentCollectionWorkflow, {
          ...base,
          signal: depositSignal,
          signalArgs: [{ documentIds: event.documentIds }],
        });
        return;
      case 'review':
        await client.workflow.signalWithStart(documentCollectionWorkflow, {
          ...base,
          signal: reviewSignal,
          signalArgs: [{ documentId: event.documentId }],
        });
        return;
      case 'comment':
        await client.workflow.signalWithStart(documentCollectionWorkflow, {
          ...base,
          signal: commentSignal,
          signalArgs: [{ commentId: event.commentId }],
        });
        return;
      case 'close':
        await client.workflow.signalWithStart(documentCollectionWorkflow, {
          ...base,
          signal: closeSignal,
          signalArgs: [],
        });
        return;
      case 'policy':
        await client.workflow.signalWithStart(documentCollectionWorkflow, {
          ...base,
          signal: policySignal,
          signalArgs: [],
        });
        return;
    }
  });
}

/** Sends (or re-sends) a contributor's invitation, or tells it of an acceptance or revocation. */
function contributorInvitation(client: Client, taskQueue: string, event: InvitationEvent): Promise<void> {
  return guard('signal contributor invitation', async () => {
    if (event.type === 'invite') {
      // A running invitation restarts with the new generation; otherwise a new run starts.
      await client.workflow.signalWithStart(contributorInvitationWorkflow, {
        workflowId: contributorInvitationWorkflowId(event.input.memberId),
        taskQueue,
        args: [event.input],
        signal: reinviteSignal,
        signalArgs: [{ generation: event.input.generation }],
      });
      return;
    }
    try {
      await client.workflow
        .getHandle(contributorInvitationWorkflowId(event.memberId))
        .signal(event.type === 'accept' ? acceptInvitationSignal : revokeInvitationSignal);
    } catch (err) {
      // Never sent, or already over: nothing waits that could be told.
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  });
}

/** The gateway: one short method per workflow signal or start, sharing the client. */
export function createTemporalGateway(client: Client, taskQueue: string): WorkflowGateway {
  return {
    clientMessage: (conversationId, messageId) =>
      guard('signal conversation', async () => {
        await client.workflow.signalWithStart(conversationWorkflow, {
          ...conversationStart(taskQueue, { conversationId }),
          signal: clientMessageSignal,
          signalArgs: [{ messageId }],
        });
      }),
    staffAnswer: (conversationId, messageId, options) =>
      guard('signal conversation', async () => {
        await client.workflow.signalWithStart(conversationWorkflow, {
          ...conversationStart(taskQueue, { conversationId }),
          signal: staffAnswerSignal,
          signalArgs: [{ messageId, fromRedmine: options?.fromRedmine ?? false }],
        });
      }),
    deliverNotification: (key, notificationId) =>
      guard('start notification', () =>
        startOnce(() =>
          client.workflow.start(notificationWorkflow, {
            workflowId: notificationWorkflowId(key),
            taskQueue,
            args: [{ notificationId }],
          }),
        ),
      ),
    notifyStaffAnswer: (accountId, messageId, { graceSeconds }) =>
      guard('signal notifier', async () => {
        await client.workflow.signalWithStart(notifierWorkflow, {
          workflowId: notifierWorkflowId(accountId),
          taskQueue,
          args: [{ accountId, graceSeconds }],
          signal: answerSignal,
          signalArgs: [{ messageId, graceSeconds }],
        });
      }),
    askSatisfaction: (conversationId, ref) =>
      guard('signal conversation', async () => {
        await client.workflow.signalWithStart(conversationWorkflow, {
          ...conversationStart(taskQueue, { conversationId, acknowledged: true }),
          signal: askSatisfactionSignal,
          signalArgs: [{ ref }],
        });
      }),
    satisfactionAnswer: (conversationId, ref, resolved) =>
      guard('signal conversation', async () => {
        await client.workflow.signalWithStart(conversationWorkflow, {
          ...conversationStart(taskQueue, { conversationId, acknowledged: true }),
          signal: satisfactionAnswerSignal,
          signalArgs: [{ ref, resolved }],
        });
      }),
    // Started unless it runs; a running poller is told this start-up's settings (it ignores the
    // same ones), so that a changed REDMINE_POLL_* applies without resetting it.
    ensureRedmineSync: (input) =>
      guard('start the Redmine poller', async () => {
        await client.workflow.signalWithStart(redmineSyncWorkflow, {
          workflowId: redmineSyncWorkflowId(taskQueue),
          taskQueue,
          args: [input],
          signal: redmineSyncPaceSignal,
          signalArgs: [paceOf(input)],
        });
      }),
    check: () =>
      guard('health check', async () => {
        await client.workflowService.getSystemInfo({});
      }),
    documentCollection: (caseId, event) => documentCollection(client, taskQueue, caseId, event),
    caseNote: (caseId, ref, text) =>
      guard('start case note', () =>
        startOnce(() =>
          client.workflow.start(caseNoteWorkflow, {
            workflowId: caseNoteWorkflowId(caseId, ref),
            taskQueue,
            args: [{ caseId, ref, text }],
          }),
        ),
      ),
    contributorInvitation: (event) => contributorInvitation(client, taskQueue, event),
    webhookEndpoint: (endpointId) =>
      guard('signal webhook delivery', async () => {
        await client.workflow.signalWithStart(webhookDeliveryWorkflow, {
          workflowId: webhookDeliveryWorkflowId(endpointId),
          taskQueue,
          args: [{ endpointId }],
          signal: wakeSignal,
          signalArgs: [],
        });
      }),
    selfExport: (exportId, accountId) =>
      guard('start self export', () =>
        startOnce(() =>
          client.workflow.start(selfExportWorkflow, {
            workflowId: selfExportWorkflowId(exportId),
            taskQueue,
            args: [{ exportId, accountId }],
          }),
        ),
      ),
  };
}
