// The main client's part: where the procedure allows it, they invite contributors of its roles
// (never occasional access) from their case; the invitation always goes at once. Anyone else's
// case is "not found".
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { caseAccessFor, MemberError } from '../../../db/contributors.js';
import { contributorRoles } from '../../../domain/contributor-access.js';
import { addPerson } from '../../../app/contributors.js';
import { pageContext, sendPage, translator } from '../../context.js';
import { idParams } from '../../params.js';
import { clientOf } from '../../plugins/access.js';
import { rateLimited } from '../../plugins/rate-limits.js';
import { memberErrorText, readPerson, type ContributorsKit } from './common.js';
import { personFormPage } from './pages.js';
import { personFormView } from './view-models.js';

export function ownerContributorRoutes(app: FastifyInstance, kit: ContributorsKit) {
  const csrf = app.csrfProtection.bind(app);
  const clientInvitations = [csrf, rateLimited(app, 'invitation', (request) => request.client?.id)];
  const { db, workflows } = app.deps;
  const { mailRefusal, policy, templateOf, flash } = kit;

  /** The owner's case whose template lets them invite; 404 for anyone else (not their case). */
  async function ownerCase(request: FastifyRequest<{ Params: { id: string } }>) {
    const access = await caseAccessFor(db, clientOf(request).id, request.params.id);
    if (access?.kind !== 'owner') return undefined;
    return { kase: access.kase, template: await templateOf(access.kase) };
  }

  app.get<{ Params: { id: string } }>(
    '/dossiers/:id/contributeurs',
    { config: { access: 'client' }, schema: { hide: true, params: idParams } },
    async (request, reply) => {
      const owned = await ownerCase(request);
      if (!owned) return reply.callNotFound();
      const t = translator(request);
      const allowed = owned.template.contributors_invitable && owned.kase.status !== 'closed';
      return sendPage(
        reply,
        personFormPage(
          pageContext(request, reply),
          personFormView(owned.kase, owned.template, 'owner', {}, allowed ? [] : [t.contributors.notAllowed]),
        ),
        allowed ? 200 : 403,
      );
    },
  );

  app.post<{ Params: { id: string } }>(
    '/dossiers/:id/contributeurs',
    { config: { access: 'client' }, schema: { hide: true, params: idParams }, preHandler: clientInvitations },
    async (request, reply) => {
      const client = clientOf(request);
      const owned = await ownerCase(request);
      if (!owned) return reply.callNotFound();
      const { kase, template } = owned;
      const t = translator(request);
      const roles = contributorRoles(template);
      const form = readPerson(
        t,
        request.body,
        roles.map((r) => r.code),
        false,
      );
      const render = (errors: string[], status: number) =>
        sendPage(
          reply,
          personFormPage(pageContext(request, reply), { kase, roles, area: 'owner', values: form.values, errors }),
          status,
        );
      if (!template.contributors_invitable || kase.status === 'closed') return render([t.contributors.notAllowed], 403);
      if (!form.person) return render(form.errors, 400);
      const refused = await mailRefusal(reply, t, client.id, form.person.email);
      if (refused) return render([refused], 429);
      try {
        // The main client's invitation always goes at once: they have no "send" button later.
        await addPerson(db, workflows, policy, { account: client, ip: request.ip }, kase, {
          ...form.person,
          notify: true,
        });
      } catch (err) {
        if (err instanceof MemberError) return render([memberErrorText(t, err)], 409);
        request.log.error({ err }, 'could not invite a contributor');
        return render([t.contributors.unavailable], 503);
      }
      return reply.redirect(flash(`/dossiers/${kase.id}`, 'person-invited', form.person.name), 303);
    },
  );
}
