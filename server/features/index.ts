// Every feature of the HTTP server, registered from here in this order. A feature owns its routes,
// form schemas (zod, server/forms.ts), view models and pages, under server/features/<name>/.
// Each route declares who may call it (config.access); the access plugin refuses to start otherwise.
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.js';
import { devMailRoutes, devSmsRoutes, healthRoutes } from './operations/routes.js';
import { metricsRoutes } from './operations/metrics.js';
import apiRoutes from './client-api/routes.js';
import integrationApiRoutes from './integration-api/routes.js';
import apiTokenRoutes from './api-tokens/routes.js';
import authRoutes from './auth/routes.js';
import clientRoutes from './client-space/routes.js';
import preferencesRoutes from './notification-preferences/routes.js';
import selfExportRoutes from './self-export/routes.js';

import staffRoutes from './back-office-conversations/routes.js';
import slaRoutes from './sla/routes.js';
import clientRecordRoutes from './client-records/routes.js';
import templateRoutes from './templates/routes.js';
import settingsRoutes from './settings/routes.js';
import spaceRoutes from './spaces/routes.js';
import teamRoutes from './team/routes.js';
import vilogiRoutes from './vilogi/routes.js';
import webhookRoutes from './webhooks/routes.js';

import documentRoutes from './documents/routes.js';
import contributorRoutes from './contributors/routes.js';
import notificationRoutes from './notifications/routes.js';

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
  { name: 'integration API', register: integrationApiRoutes },
  { name: 'sign-in', register: authRoutes },
  { name: 'client space', register: clientRoutes },
  { name: 'one-click unsubscribe', register: notificationRoutes },
  { name: 'notification preferences', register: preferencesRoutes },
  { name: 'own data export', register: selfExportRoutes },
  // The development pages exist only in the development run or with DEV_TOOLS=true.
  { name: 'development outbox', register: devMailRoutes, enabled: (c) => c.devTools && c.mailOutboxOnly },
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
  { name: 'API tokens', register: apiTokenRoutes },
  { name: 'webhooks', register: webhookRoutes },

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
