// An in-memory WorkflowGateway for unit tests of the use cases: it records every call (in order,
// with its arguments) instead of starting or signalling Temporal workflows, and can be made to
// refuse, as Temporal does when it cannot be reached.
import { WorkflowUnavailableError, type WorkflowGateway } from '../../../app/workflow-gateway.js';

export type GatewayCall = {
  [K in keyof WorkflowGateway]: { method: K; args: Parameters<WorkflowGateway[K]> };
}[keyof WorkflowGateway];

export interface MemoryWorkflowGateway extends WorkflowGateway {
  /** Every call received, in order (refused ones included). */
  readonly calls: GatewayCall[];
  /** While true, every call throws a WorkflowUnavailableError (after being recorded). */
  unavailable: boolean;
  /** The calls of one method, their arguments only. */
  callsOf<K extends keyof WorkflowGateway>(method: K): Array<Parameters<WorkflowGateway[K]>>;
}

export function memoryWorkflowGateway(): MemoryWorkflowGateway {
  const calls: GatewayCall[] = [];
  const gateway = {
    calls,
    unavailable: false,
    callsOf<K extends keyof WorkflowGateway>(method: K) {
      return calls.filter((c) => c.method === method).map((c) => c.args as Parameters<WorkflowGateway[K]>);
    },
  };
  const record =
    <K extends keyof WorkflowGateway>(method: K) =>
    async (...args: Parameters<WorkflowGateway[K]>): Promise<void> => {
      calls.push({ method, args } as GatewayCall);
      if (gateway.unavailable) throw new WorkflowUnavailableError('Temporal is unavailable (test)');
    };
  return Object.assign(gateway, {
    clientMessage: record('clientMessage'),
    staffAnswer: record('staffAnswer'),
    askSatisfaction: record('askSatisfaction'),
    satisfactionAnswer: record('satisfactionAnswer'),
    deliverNotification: record('deliverNotification'),
    notifyStaffAnswer: record('notifyStaffAnswer'),
    ensureRedmineSync: record('ensureRedmineSync'),
    check: record('check'),
    documentCollection: record('documentCollection'),
    contributorInvitation: record('contributorInvitation'),
    caseNote: record('caseNote'),
    webhookEndpoint: record('webhookEndpoint'),
    selfExport: record('selfExport'),
  });
}
