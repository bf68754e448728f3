// Back-office: the Vilogi sync's recent runs and triage list, and "sync now". Staff only.
import type { FastifyInstance } from 'fastify';
import { syncVilogiNow } from '../../../app/vilogi-sync.js';
import { firstSpaceId, spaceIdWithSlug } from '../../../db/spaces.js';
import { recentRuns, triageRequests } from '../../../db/vilogi.js';
import { pageContext, sendPage, translator } from '../../context.js';
import { staffOf } from '../../plugins/access.js';
import { vilogiPage } from './pages.js';
import { triageItemOf, vilogiRunViewOf } from './view-models.js';

export default function vilogiRoutes(app: FastifyInstance) {
  const csrf = app.csrfProtection.bind(app);
  const { db, config } = app.deps;

  /**
   * The space whose staff sort the triage list, found as the sync finds a service's space: the
   * space mapped to VILOGI_TRIAGE_PROJECT in REDMINE_PROJECTS, else the space of that slug, else
   * (no Redmine at all: the demo) the first space.
   */
  async function triageSpaceId(): Promise<string | undefined> {
    const mapped = [...config.redmineProjects]
      .filter(([, project]) => project === config.VILOGI_TRIAGE_PROJECT)
      .map(([slug]) => slug);
    const candidates = [...mapped, config.VILOGI_TRIAGE_PROJECT];
    const space = await spaceIdWithSlug(db, candidates);
    if (space) return space;
    if (config.REDMINE_URL) return undefined;
    return firstSpaceId(db);
  }

  app.get<{ Querystring: { lance?: string; erreur?: string } }>(
    '/back-office/vilogi',
    { config: { access: 'staff' }, schema: { hide: true } },
    async (request, reply) => {
      const t = translator(request, 'staff');
      const flash = request.query.lance
        ? { kind: 'info' as const, text: t.vilogi.started }
        : request.query.erreur
          ? { kind: 'error' as const, text: t.vilogi.unavailable }
          : undefined;
      const [runs, triage] = await Promise.all([
        recentRuns(db, 30),
        triageRequests(db, request.staffScope, await triageSpaceId(), 50),
      ]);
      const open = runs.filter((r) => r.status === 'running').map((r) => r.id);
      const interrupted =
        open.length > 0 && app.deps.vilogi ? await app.deps.vilogi.stoppedRuns(open) : new Set<string>();
      return sendPage(
        reply,
        vilogiPage(pageContext(request, reply, { area: 'staff', flash }), {
          configured: app.deps.vilogi !== undefined,
          everyMinutes: config.VILOGI_SYNC_MINUTES,
          runs: runs.map((run) => vilogiRunViewOf(run, interrupted)),
          triage: triage.map(triageItemOf),
        }),
      );
    },
  );

  app.post(
    '/back-office/vilogi/synchroniser',
    { config: { access: 'staff' }, schema: { hide: true }, preHandler: csrf },
    async (request, reply) => {
      const staff = staffOf(request);
      const vilogi = app.deps.vilogi;
      if (!vilogi) return reply.redirect('/back-office/vilogi', 303);
      try {
        await syncVilogiNow(db, { id: staff.id, ip: request.ip }, vilogi);
        return reply.redirect('/back-office/vilogi?lance=1', 303);
      } catch (err) {
        request.log.warn({ err }, 'Vilogi sync could not be started');
        return reply.redirect('/back-office/vilogi?erreur=1', 303);
      }
    },
  );
}
