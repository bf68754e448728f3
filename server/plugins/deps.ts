import fp from 'fastify-plugin';
import type { Config } from '../../config.js';
import type { Db } from '../../db/connect.js';
import type { RedmineMirrorContext } from '../../connectors/redmine/mirror-context.js';
import type { FileStorage } from '../../app/file-storage.js';
import type { WorkflowGateway } from '../../app/workflow-gateway.js';
import type { StaffAccessSettings } from '../../app/staff-access.js';
import type { GuichetMetrics } from './metrics.js';

export interface AppDeps {
  config: Config;
  db: Db;
  workflows: WorkflowGateway;
  /** The files clients deposit (STORAGE_DIR). */
  storage: FileStorage;
  /** Set when Redmine is configured: attachments of mirrored notes are streamed from it. */
  redmine?: RedmineMirrorContext | undefined;
  /** Set when staff sign in through Redmine: who may, read with the integration user's key. */
  staffAccess?: StaffAccessSettings | undefined;
  /** Set when the Vilogi sync runs: "sync now" starts a run and gives its workflow id. */
  vilogi?: { syncNow(): Promise<string>; stoppedRuns(runIds: readonly string[]): Promise<Set<string>> } | undefined;
  /** The process's metrics (runtime/system.ts): requests are timed into it, /metrics exposes it. */
  metrics?: GuichetMetrics | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDeps;
  }
}

export default fp<{ deps: AppDeps }>(
  async (app, opts) => {
    app.decorate('deps', opts.deps);
  },
  { name: 'deps' },
);
