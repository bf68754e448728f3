// The invitation link: the page that names the case and the inviter, and its acceptance, which
// signs the person in (and sends a first password to whoever has none yet).
import type { FastifyInstance } from 'fastify';
import { findAccountById } from '../../../db/accounts.js';
import { findInvitation } from '../../../db/contributors.js';
import { findCase } from '../../../db/documents.js';
import { requestPassword } from '../../../app/accounts.js';
import { acceptPerson } from '../../../app/contributors.js';
import { pageContext, sendPage } from '../../context.js';
import type { ContributorsKit } from './common.js';
import { invitationInvalidPage, invitationPage } from './pages.js';
import { invitationView } from './view-models.js';

const tokenParams = {
  type: 'object',
  properties: { token: { type: 'string', pattern: '^[A-Za-z0-9_-]{20,100}$' } },
  required: ['token'],
} as const;

export function invitationRoutes(app: FastifyInstance, kit: ContributorsKit) {
  const csrf = app.csrfProtection.bind(app);
  const { db, workflows, config } = app.deps;
  const { templateOf } = kit;

  // ---- The invitation link ----
  // The token is in the URL: these routes log at warn level only, so that the request log line
  // (which carries the URL) never holds a live invitation link. Tested in contributors-matrix.

  app.get<{ Params: { token: string } }>(
    '/invitation/:token',
    { config: { access: 'public' }, schema: { hide: true, params: tokenParams }, logLevel: 'warn' },
    async (request, reply) => {
      const member = await findInvitation(db, request.params.token);
      const ctx = pageContext(request, reply);
      if (!member?.invitation_expires_at) return sendPage(reply, invitationInvalidPage(ctx), 404);
      const expiring = { ...member, invitation_expires_at: member.invitation_expires_at };
      const kase = await findCase(db, member.case_id);
      if (!kase) return sendPage(reply, invitationInvalidPage(ctx), 404);
      const [template, owner] = await Promise.all([templateOf(kase), findAccountById(db, kase.client_account_id)]);
      return sendPage(
        reply,
        invitationPage(
          ctx,
          invitationView(ctx.t, ctx.locale, request.params.token, kase, template, expiring, owner?.full_name ?? ''),
        ),
      );
    },
  );

  app.post<{ Params: { token: string } }>(
    '/invitation/:token',
    { config: { access: 'public' }, schema: { hide: true, params: tokenParams }, preHandler: csrf, logLevel: 'warn' },
    async (request, reply) => {
      const log = (err: unknown) => request.log.warn({ err }, 'acceptance not told to its workflow');
      const member = await acceptPerson(db, workflows, request.params.token, request.ip, log);
      if (!member) return sendPage(reply, invitationInvalidPage(pageContext(request, reply)), 404);
      const account = await findAccountById(db, member.account_id);
      if (!account || account.disabled_at)
        return sendPage(reply, invitationInvalidPage(pageContext(request, reply)), 404);
      // The link came to their mailbox: it signs them in. Without a password yet, one is sent the
      // usual way (generated, by e-mail) for the next visits.
      let ok = 'invitation-accepted';
      if (!account.password_hash) {
        try {
          await requestPassword(db, workflows, {
            email: account.email,
            ip: request.ip,
            loginUrl: `${config.publicUrl}/connexion`,
          });
          ok = 'invitation-password';
        } catch (err) {
          request.log.error({ err }, 'could not send a first password');
        }
      }
      await app.startSession(reply, request, account);
      return reply.redirect(`/dossiers/${member.case_id}?ok=${ok}`, 303);
    },
  );
}
