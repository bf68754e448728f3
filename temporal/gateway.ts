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
} from '../workflows/index.js';
import { WorkflowUnavailableError, type WorkflowGateway } from '../app/workflow-gateway.js';

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

// Long as a whole: one short method per workflow signal or start, sharing the client.
export function createTemporalGateway(client: Client, taskQueue: string): WorkflowGateway {
  return {
    clientMessage: (conversationId, messageId) =>
      guard('signal conversation', async () => {
        await client.workflow.signalWithStart(conversationWorkflow, {
          workflowId: conversationWorkflowId(conversationId),
          taskQueue,
          args: [{ conversationId }],
          signal: clientMessageSignal,
          signalArgs: [{ messageId }],
        });
      }),
    staffAnswer: (conversationId, messageId, options) =>
      guard('signal conversation', async () => {
        await client.workflow.signalWithStart(conversationWorkflow, {
          workflowId: conversationWorkflowId(conversationId),
          taskQueue,
          args: [{ conversationId }],
          signal: staffAnswerSignal,
          signalArgs: [{ messageId, fromRedmine: options?.fromRedmine ?? false }],
        });
      }),
    deliverNotification: (key, notificationId) =>
      guard('start notification', async () => {
        try {
          await client.workflow.start(notificationWorkflow, {
            workflowId: notificationWorkflowId(key),
            taskQueue,
            args: [{ notificationId }],
          });
        } catch (err) {
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        }
      }),
    askSatisfaction: (conversationId, ref) =>
      guard('signal conversation', async () => {
        await client.workflow.signalWithStart(conversationWorkflow, {
          workflowId: conversationWorkflowId(conversationId),
          taskQueue,
          args: [{ conversationId, acknowledged: true }],
          signal: askSatisfactionSignal,
          signalArgs: [{ ref }],
        });
      }),
    satisfactionAnswer: (conversationId, ref, resolved) =>
      guard('signal conversation', async () => {
        await client.workflow.signalWithStart(conversationWorkflow, {
          workflowId: conversationWorkflowId(conversationId),
          taskQueue,
          args: [{ conversationId, acknowledged: true }],
          signal: satisfactionAnswerSignal,
          signalArgs: [{ ref, resolved }],
        });
      }),
    ensureRedmineSync: (input) =>
      guard('start the Redmine poller', async () => {
        try {
          await client.workflow.start(redmineSyncWorkflow, {
            workflowId: redmineSyncWorkflowId(taskQueue),
            taskQueue,
            args: [input],
          });
        } catch (err) {
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        }
      }),
    check: () =>
      guard('health check', async () => {
        await client.workflowService.getSystemInfo({});
      }),
    documentCollection: (caseId, event) =>
      guard('signal document collection', async () => {
        const base = {
          workflowId: documentCollectionWorkflowId(caseId),
          taskQueue,
          args: [{ caseId }] as [{ caseId: string }],
        };
        switch (event.type) {
          case 'start':
            try {
              await client.workflow.start(documentCollectionWorkflow, base);
            } catch (err) {
              if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
            }
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
      }),
    caseNote: (caseId, ref, text) =>
      guard('start case note', async () => {
        try {
          await client.workflow.start(caseNoteWorkflow, {
            workflowId: caseNoteWorkflowId(caseId, ref),
            taskQueue,
            args: [{ caseId, ref, text }],
          });
        } catch (err) {
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        }
      }),
    contributorInvitation: (event) =>
      guard('signal contributor invitation', async () => {
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
      }),
  };
}
