// Every feature of the HTTP server, registered from here in this order. A feature owns its routes,
// form schemas (zod, server/forms.ts), view models and pages, under server/features/<name>/.
// Each route declares who may call it (config.access); the access plugin refuses to start otherwise.
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.js';
import healthRoutes from '../routes/health.js';
import metricsRoutes from '../routes/metrics.js';
import devRoutes, { devSmsRoutes } from '../routes/dev.js';
import apiRoutes from '../routes/api.js';
import clientRoutes from '../routes/client.js';

import staffRoutes from '../routes/staff.js';
import slaRoutes from '../routes/sla.js';
import clientRecordRoutes from '../routes/clients.js';
import templateRoutes from '../routes/templates.js';
import settingsRoutes from '../routes/settings.js';
import spaceRoutes from '../routes/spaces.js';
import teamRoutes from '../routes/team.js';
import vilogiRoutes from '../routes/vilogi.js';

import documentRoutes from '../routes/documents.js';
import contributorRoutes from '../routes/contributors.js';

import { caseAdminRoutes, caseListRoutes, caseRecordRoutes } from './cases/index.js';

export interface Feature {
  /** What the feature is, for people reading this list. */
  name: string;
  /** Adds the feature's routes (a plugin's encapsulation is the feature's own choice). */
  register(app: FastifyInstance): void | Promise<void>;
  /** Whether this run serves the feature at all (default: always). */
  enabled?(config: Config): boolean;
}

export const features: readonly Feature[] = [
  // Operations and the client space.
  { name: 'health', register: healthRoutes },
  { name: 'metrics', register: metricsRoutes },
  { name: 'client JSON API', register: apiRoutes },
  { name: 'client space', register: clientRoutes },
  // The development pages exist only in the development run or with DEV_TOOLS=true.
  { name: 'development outbox', register: devRoutes, enabled: (c) => c.devTools && c.mailOutboxOnly },
  { name: 'development SMS', register: devSmsRoutes, enabled: (c) => c.devTools && c.SMS_PROVIDER === 'development' },

  // The back-office: conversations, clients, administration.
  { name: 'back-office conversations', register: staffRoutes },
  { name: 'SLA', register: slaRoutes },
  { name: 'client record', register: clientRecordRoutes },
  { name: 'templates', register: templateRoutes },
  { name: 'settings', register: settingsRoutes },
  { name: 'spaces', register: spaceRoutes },
  { name: 'team', register: teamRoutes },
  { name: 'Vilogi', register: vilogiRoutes },

  // Documents and contributors.
  { name: 'documents', register: (app) => app.register(documentRoutes) },
  { name: 'contributors', register: contributorRoutes },

  // Cases.
  { name: 'case administration', register: caseAdminRoutes },
  { name: 'case list', register: caseListRoutes },
  { name: 'case record', register: caseRecordRoutes },
];

/** Registers every feature this run serves. */
export async function registerFeatures(app: FastifyInstance, config: Config): Promise<void> {
  for (const feature of features) {
    if (feature.enabled && !feature.enabled(config)) continue;
    await feature.register(app);
  }
}
