// Assembling the Vilogi sync: the connector (or, on the demo, the simulator with demo requests),
// the mapping checked against Redmine, the Temporal schedule (created or updated at start-up,
// overlaps skipped, bounded catch-up) and "sync now".
import { randomBytes } from 'node:crypto';
import { ScheduleOverlapPolicy, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Config } from '../config.js';
import type { RedmineMirrorContext } from '../connectors/redmine/mirror-context.js';
import { createVilogiClient } from '../connectors/vilogi/index.js';
import { demoRequests, startVilogiSimulator, type VilogiSimulator } from '../connectors/vilogi/simulator.js';
import type { VilogiSettings } from '../activities/index.js';
import type { WorkflowGateway } from '../app/workflow-gateway.js';
import { vilogiScheduleId, vilogiSyncWorkflow } from '../workflows/index.js';
import { DEMO_CLIENT_EMAIL } from './demo-data.js';
import { ensureSchedule } from './schedules.js';

export class VilogiSetupError extends Error {
  override name = 'VilogiSetupError';
}

/** The simulator the run command starts when no VILOGI_URL is configured (demo only). */
export function startDemoVilogi(): Promise<VilogiSimulator> {
  return startVilogiSimulator({ requests: demoRequests(DEMO_CLIENT_EMAIL) });
}

export async function resolveVilogiSettings(
  config: Config,
  url: string,
  redmine: RedmineMirrorContext | undefined,
  conversations: Pick<WorkflowGateway, 'clientMessage'>,
): Promise<VilogiSettings> {
  const problems: string[] = [];
  let triageProjectId: number | undefined;
  if (redmine) {
    const mapped = new Set(config.redmineProjects.values());
    for (const [service, project] of config.vilogiServices) {
      if (!mapped.has(project))
        problems.push(
          `VILOGI_SERVICES: project "${project}" (service ${service}) is mapped to no space in REDMINE_PROJECTS`,
        );
    }
    const projects = await redmine.client.listProjects();
    const triage = projects.find(
      (p) => p.identifier === config.VILOGI_TRIAGE_PROJECT || String(p.id) === config.VILOGI_TRIAGE_PROJECT,
    );
    if (!triage) {
      problems.push(
        `VILOGI_TRIAGE_PROJECT: project "${config.VILOGI_TRIAGE_PROJECT}" does not exist or is not visible to the API user`,
      );
    } else {
      const can = await redmine.client.checkNotePermissions(triage.id);
      if (!can.canSetPrivate || !can.canAddNotes || !can.canViewPrivate) {
        problems.push(
          `VILOGI_TRIAGE_PROJECT: the API user may not add, set private and view private notes in "${config.VILOGI_TRIAGE_PROJECT}"`,
        );
      }
      triageProjectId = triage.id;
    }
  }
  if (problems.length > 0) throw new VilogiSetupError(`The Vilogi sync cannot start:\n  - ${problems.join('\n  - ')}`);
  return {
    client: createVilogiClient({
      baseUrl: url,
      apiKey: config.VILOGI_API_KEY,
      timeoutMs: config.VILOGI_TIMEOUT_SECONDS * 1000,
    }),
    services: config.vilogiServices,
    redmineProjects: config.redmineProjects,
    triageProjectId,
    conversations,
    importConcurrency: config.VILOGI_IMPORT_CONCURRENCY,
  };
}

export interface VilogiScheduleOptions {
  taskQueue: string;
  everyMinutes: number;
  catchupMinutes: number;
}

/** Creates the schedule, or brings an existing one to the configured interval and policies. */
export async function ensureVilogiSchedule(client: Client, options: VilogiScheduleOptions): Promise<string> {
  const scheduleId = vilogiScheduleId(options.taskQueue);
  const spec = { intervals: [{ every: `${options.everyMinutes}m` as const }] };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: vilogiSyncWorkflow,
    workflowId: scheduleId,
    taskQueue: options.taskQueue,
    args: [{ trigger: 'schedule' as const }] as [{ trigger: 'schedule' }],
  };
  // A run still going when the next is due: the next is skipped (exactly-once does not depend
  // on it, but two runs would only compete). After downtime, one catch-up run at most.
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: `${options.catchupMinutes}m` as const };
  return ensureSchedule(client, { scheduleId, spec, action, policies });
}

/** "Sync now": a run of its own, with a unique id (it may overlap a scheduled one safely). */
/** Of these run ids (each a workflow id), those whose workflow is no longer running: a run that
 * was terminated, timed out or lost never recorded its end, and shows as interrupted. */
export async function stoppedVilogiRuns(client: Client, runIds: readonly string[]): Promise<Set<string>> {
  const stopped = new Set<string>();
  await Promise.all(
    runIds.map(async (id) => {
      try {
        const { status } = await client.workflow.getHandle(id).describe();
        if (status.name !== 'RUNNING') stopped.add(id);
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) stopped.add(id);
        // Temporal unreachable: say nothing rather than guess.
      }
    }),
  );
  return stopped;
}

export async function startVilogiSyncNow(client: Client, taskQueue: string): Promise<string> {
  const workflowId = `vilogi-sync-now-${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`;
  await client.workflow.start(vilogiSyncWorkflow, { workflowId, taskQueue, args: [{ trigger: 'manual' }] });
  return workflowId;
}
