// The Grafana dashboard (docs/grafana-dashboard.json) against real scrapes: a system with the
// server and the worker, Redmine mirrored and metrics on, some traffic (pages, a 404, a staff
// note mirrored from Redmine), then every metric any dashboard query reads must be in the
// server's /metrics or in the Temporal worker's Prometheus endpoint. Renaming a metric without
// updating the dashboard (or the other way round) fails here.
import { readFile } from 'node:fs/promises';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRedmineClient } from '../../connectors/redmine/index.js';
import { openDatabase } from '../../db/connect.js';
import { enqueueNotification } from '../../db/notifications.js';
import { freePort } from '../../runtime/ports.js';
import type { RunningSystem } from '../../runtime/system.js';
import { createClient, createSpace } from '../helpers/fixtures.js';
import { dashboardExpressions, metricNamesOf, scrapedNames, type Dashboard } from '../helpers/promql.js';
import { RedmineAdmin, redmineTestEnv, unique } from '../helpers/redmine.js';
import { startTestSystem } from '../helpers/system.js';
import { notificationWorkflow } from '../../workflows/notification.js';

const EMAIL_FIELD = 1;
let system: RunningSystem & { url: string };
let admin: RedmineAdmin;

async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  const env = redmineTestEnv();
  admin = new RedmineAdmin(env);
  const probe = await openDatabase({ url: inject('databaseUrl') });
  const space = await createSpace(probe.db, 'Métriques');
  const { account } = await createClient(probe.db, { space });
  await probe.close();
  system = await startTestSystem({
    REDMINE_URL: env.url,
    REDMINE_API_KEY: env.apiKey,
    STAFF_LOGIN: 'local',
    REDMINE_PROJECTS: `${space.slug}=guichet-demo`,
    REDMINE_POLL_SECONDS: '0.5',
    METRICS_PORT: '0',
    WORKER_METRICS_PORT: String(await freePort()),
  });
  // Traffic: pages, a route with an id pattern, a path nobody routes, a health check.
  for (const path of ['/health', '/sign-in', '/static/guichet.css', '/no-such-page-12345', '/health']) {
    await fetch(`${system.url}${path}`);
  }
  // A staff note in Redmine on an issue opened for the client: mirrored by the worker's poller.
  const staff = createRedmineClient({ baseUrl: env.url, apiKey: env.adminKey });
  const projectId = (await staff.listProjects()).find((p) => p.identifier === 'guichet-demo')!.id;
  const issue = await staff.createIssue({
    projectId,
    subject: unique('Métriques'),
    description: 'interne',
    customFields: [{ id: EMAIL_FIELD, value: account.email }],
  });
  admin.trackIssue(issue.id);
  await staff.addNote(issue.id, { notes: 'Votre dossier est ouvert.' });
  await eventually(
    () => system.database.db.selectFrom('messages').select('id').where('redmine_journal_id', 'is not', null).execute(),
    (rows) => rows.length > 0,
    'the mirrored note',
  );
  // The poller's activity runs for minutes at a time, so the worker may not have finished any
  // activity yet: one notification delivered to the end records the activity histograms.
  const notification = await enqueueNotification(system.database.db, {
    idempotencyKey: unique('metrics-dashboard'),
    recipient: account.email,
    subject: 'Métriques',
    bodyText: 'Un envoi pour mesurer.',
  });
  const connection = await Connection.connect({ address: system.temporalAddress });
  try {
    const client = new Client({ connection });
    const sent = await client.workflow.execute(notificationWorkflow, {
      workflowId: unique('metrics-dashboard-notification'),
      taskQueue: system.config.TEMPORAL_TASK_QUEUE,
      args: [{ notificationId: notification.id }],
    });
    expect(sent).toBe('sent');
  } finally {
    await connection.close();
  }
});

afterAll(async () => {
  await system?.stop();
  await admin?.cleanUp();
});

describe('the Grafana dashboard', () => {
  it('reads only metrics that a real scrape of the server and the worker exposes', async () => {
    expect(system.metricsUrl).toBeDefined();
    expect(system.workerMetricsUrl).toBeDefined();
    const dashboard = JSON.parse(
      await readFile(new URL('../../docs/grafana-dashboard.json', import.meta.url), 'utf8'),
    ) as Dashboard;
    const expressions = dashboardExpressions(dashboard);
    expect(expressions.length).toBeGreaterThan(15);
    const wanted = [...new Set(expressions.flatMap(({ expr }) => metricNamesOf(expr)))];

    const server = await fetch(`${system.metricsUrl}/metrics`);
    expect(server.status).toBe(200);
    expect(server.headers.get('content-type')).toMatch(/^text\/plain/);
    const serverNames = scrapedNames(await server.text());
    // The SDK exports a histogram once something was measured: wait (bounded) for the worker's
    // first workflow tasks and activities, then compare whatever is there.
    let scraped = serverNames;
    for (const deadline = Date.now() + 30_000; ;) {
      const worker = await (await fetch(`${system.workerMetricsUrl}/metrics`)).text();
      scraped = new Set([...serverNames, ...scrapedNames(worker)]);
      if (wanted.every((name) => scraped.has(name)) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const missing = expressions.flatMap(({ panel, expr }) =>
      metricNamesOf(expr)
        .filter((name) => !scraped.has(name))
        .map((name) => `${panel}: ${name}`),
    );
    expect(missing).toEqual([]);
  });

  it('labels requests by route pattern and status class, never by raw URL', async () => {
    const text = await (await fetch(`${system.metricsUrl}/metrics`)).text();
    expect(text).toMatch(/guichet_http_request_duration_seconds_count\{[^}]*route="\/health"[^}]*status_class="2xx"/);
    expect(text).toMatch(/guichet_http_request_duration_seconds_count\{[^}]*route="unmatched"[^}]*status_class="4xx"/);
    expect(text).not.toContain('no-such-page-12345');
    expect(text).toMatch(/guichet_redmine_calls_total\{[^}]*kind="issues_read"[^}]*outcome="ok"[^}]*\} [1-9]/);
    expect(text).toMatch(/^guichet_redmine_mirror_lag_seconds \d/m);
    expect(text).toMatch(/^guichet_notifications_pending \d+$/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds \d/m);
  });
});
