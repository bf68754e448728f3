// The back-office's part: staff add a person to a case (a contributor of a role, or occasional
// access), send or resend their invitation, revoke them, and the administrator sets what each
// contributor role may do on the procedure editor. A case outside the staff member's spaces,
// and its people, do not exist for them.
import type { FastifyInstance } from 'fastify';
import { findAccountById } from '../../../db/accounts.js';
import { findMember, MemberError } from '../../../db/contributors.js';
import { contributorRoles } from '../../../domain/contributor-access.js';
import { saveRolePermissions } from '../../../db/contributor-pages.js';
import { findTemplate } from '../../../db/documents-admin.js';
import { findCase, findStaffCase } from '../../../db/documents.js';
import { addPerson, revokePerson, sendInvitation } from '../../../app/contributors.js';
import { pageContext, sendPage, translator } from '../../context.js';
import { parseForm } from '../../forms.js';
import { idParams } from '../../params.js';
import { staffOf } from '../../plugins/access.js';
import { rateLimited } from '../../plugins/rate-limits.js';
import { memberErrorText, memberParams, readPerson, type ContributorsKit } from './common.js';
import { rolePermissionsSchema } from './forms.js';
import { personFormPage } from './pages.js';
import { personFormView } from './view-models.js';

type StaffInvitations = ReturnType<typeof staffInvitationPreHandlers>;

/** Staff invitations are counted per staff member, whether a first one or sent again. */
function staffInvitationPreHandlers(app: FastifyInstance) {
  const csrf = app.csrfProtection.bind(app);
  return [csrf, rateLimited(app, 'invitation', (request) => request.staff?.id)];
}

export function staffContributorRoutes(app: FastifyInstance, kit: ContributorsKit) {
  const staffInvitations = staffInvitationPreHandlers(app);
  addPersonRoute(app, kit, staffInvitations);
  resendInvitationRoute(app, kit, staffInvitations);
  revocationRoute(app, kit);
  rolePermissionsRoute(app);
}

/** Staff add a person to a case: a contributor of a role, or occasional access; invited or not. */
function addPersonRoute(app: FastifyInstance, kit: ContributorsKit, staffInvitations: StaffInvitations) {
  const { db, workflows } = app.deps;
  const { mailRefusal, policy, templateOf, flash } = kit;
  app.post<{ Params: { id: string } }>(
    '/back-office/dossiers/:id/contributeurs',
    { config: { access: 'staff' }, schema: { hide: true, params: idParams }, preHandler: staffInvitations },
    async (request, reply) => {
      const staff = staffOf(request);
      const kase = await findStaffCase(db, request.staffScope, request.params.id);
      if (!kase) return reply.callNotFound();
      const t = translator(request, 'staff');
      const template = await templateOf(kase);
      const roles = contributorRoles(template);
      const form = readPerson(
        t,
        request.body,
        roles.map((r) => r.code),
        true,
      );
      const render = (errors: string[], status: number) =>
        sendPage(
          reply,
          personFormPage(pageContext(request, reply, { area: 'staff' }), {
            kase,
            roles,
            area: 'staff',
            values: form.values,
            errors,
          }),
          status,
        );
      if (!form.person) return render(form.errors, 400);
      const refused = form.person.notify ? await mailRefusal(reply, t, staff.id, form.person.email) : undefined;
      if (refused) return render([refused], 429);
      try {
        await addPerson(db, workflows, policy, { account: staff, ip: request.ip }, kase, form.person);
      } catch (err) {
        if (err instanceof MemberError) return render([memberErrorText(t, err)], 409);
        request.log.error({ err }, 'could not add a person to a case');
        return render([t.contributors.unavailable], 503);
      }
      return reply.redirect(
        flash(
          `/back-office/dossiers/${kase.id}`,
          form.person.notify ? 'person-invited' : 'person-added',
          form.person.name,
        ),
        303,
      );
    },
  );
}

/** Staff send an invitation again (or for the first time, to someone added without one). */
function resendInvitationRoute(app: FastifyInstance, kit: ContributorsKit, staffInvitations: StaffInvitations) {
  const { db, workflows } = app.deps;
  const { mailRefusal, policy, templateOf, flash } = kit;
  app.post<{ Params: { id: string; memberId: string } }>(
    '/back-office/dossiers/:id/contributeurs/:memberId/invitation',
    { config: { access: 'staff' }, schema: { hide: true, params: memberParams }, preHandler: staffInvitations },
    async (request, reply) => {
      const staff = staffOf(request);
      // The case first, in the staff member's spaces: another space's people do not exist for them.
      const scoped = await findStaffCase(db, request.staffScope, request.params.id);
      const member = scoped ? await findMember(db, scoped.id, request.params.memberId) : undefined;
      if (!member) return reply.callNotFound();
      const account = await findAccountById(db, member.account_id);
      const refused = account
        ? await mailRefusal(reply, translator(request, 'staff'), staff.id, account.email)
        : undefined;
      if (refused) {
        const kase = await findCase(db, member.case_id);
        if (!kase) return reply.callNotFound();
        return sendPage(
          reply,
          personFormPage(
            pageContext(request, reply, { area: 'staff' }),
            personFormView(kase, await templateOf(kase), 'staff', {}, [refused]),
          ),
          429,
        );
      }
      let sent: boolean;
      try {
        sent = await sendInvitation(db, workflows, policy, { account: staff, ip: request.ip }, member);
      } catch (err) {
        request.log.error({ err }, 'could not send an invitation');
        const t = translator(request, 'staff');
        const kase = await findCase(db, member.case_id);
        const roles = kase ? contributorRoles(await templateOf(kase)) : [];
        if (!kase) return reply.callNotFound();
        return sendPage(
          reply,
          personFormPage(pageContext(request, reply, { area: 'staff' }), {
            kase,
            roles,
            area: 'staff',
            values: {},
            errors: [t.contributors.unavailable],
          }),
          503,
        );
      }
      // Accepted or revoked meanwhile: nothing to send, the list says where they stand.
      if (!sent) return reply.redirect(`/back-office/dossiers/${member.case_id}#people`, 303);
      return reply.redirect(
        flash(`/back-office/dossiers/${member.case_id}`, 'person-invited', account?.full_name ?? ''),
        303,
      );
    },
  );
}

/** Staff revoke a person's access to a case. */
function revocationRoute(app: FastifyInstance, kit: ContributorsKit) {
  const csrf = app.csrfProtection.bind(app);
  const { db, workflows } = app.deps;
  const { flash } = kit;
  app.post<{ Params: { id: string; memberId: string } }>(
    '/back-office/dossiers/:id/contributeurs/:memberId/revocation',
    { config: { access: 'staff' }, schema: { hide: true, params: memberParams }, preHandler: csrf },
    async (request, reply) => {
      const staff = staffOf(request);
      const scoped = await findStaffCase(db, request.staffScope, request.params.id);
      const member = scoped ? await findMember(db, scoped.id, request.params.memberId) : undefined;
      if (!member) return reply.callNotFound();
      const account = await findAccountById(db, member.account_id);
      await revokePerson(db, workflows, { account: staff, ip: request.ip }, member, (err) =>
        request.log.warn({ err }, 'revocation not told to its workflow'),
      );
      return reply.redirect(
        flash(`/back-office/dossiers/${member.case_id}`, 'person-revoked', account?.full_name ?? ''),
        303,
      );
    },
  );
}

/** The administrator's permissions per contributor role (seed 002), beside the procedure editor. */
function rolePermissionsRoute(app: FastifyInstance) {
  const csrf = app.csrfProtection.bind(app);
  const { db } = app.deps;
  app.post<{ Params: { id: string } }>(
    '/back-office/procedures/:id/contributeurs',
    { config: { access: 'admin' }, schema: { hide: true, params: idParams }, preHandler: csrf },
    async (request, reply) => {
      const staff = staffOf(request);
      const template = await findTemplate(db, request.params.id);
      if (!template) return reply.callNotFound();
      const parsed = parseForm(rolePermissionsSchema(contributorRoles(template).map((r) => r.code)), request.body);
      // Every box may be left unticked: the form always reads (this branch only narrows the type).
      if (!parsed.ok) return reply.callNotFound();
      // The main client's role keeps everything.
      const roles = template.roles.map((r, i) =>
        i === 0 ? r : { ...r, permissions: parsed.values.permissions[r.code] },
      );
      const invitable = parsed.values.invitable;
      await saveRolePermissions(db, { accountId: staff.id, ip: request.ip }, template.id, roles, invitable);
      return reply.redirect(`/back-office/procedures/${template.id}?ok=1#permissions`, 303);
    },
  );
}
