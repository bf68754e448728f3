// Contributors and occasional access: staff add, (re-)invite and revoke people on the staff case
// page; the main client invites contributors where the template allows; the invitation link
// signs the person in. Who may do what is decided here and in db/contributors.ts.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { findAccountById } from '../../db/accounts.js';
import { audit } from '../../db/audit.js';
import { caseAccessFor, findInvitation, findMember, MemberError } from '../../db/contributors.js';
import type { Case, DocumentTemplate } from '../../db/database.js';
import {
  contributorRoles,
  invitationPolicy,
  type CaseMemberKind,
  type RolePermissions,
} from '../../domain/contributor-access.js';
import { findCase, findStaffCase } from '../../db/documents.js';
import type { Messages } from '../../i18n/index.js';
import { pageContext, sendPage, translator } from '../context.js';
import { requestPassword } from '../../app/accounts.js';
import { acceptPerson, addPerson, revokePerson, sendInvitation } from '../../app/contributors.js';
import { field, isEmail } from '../../domain/validation.js';
import {
  invitationInvalidPage,
  invitationPage,
  OCCASIONAL,
  PERMISSION_KEYS,
  personFormPage,
  roleLabel,
  type PersonForm,
} from '../views/contributor-pages.js';
import { idParams } from '../params.js';
import { clientOf, staffOf } from '../plugins/access.js';
import { consumeMailTargets, rateLimited } from '../plugins/rate-limits.js';
import { RateLimitedError, rateLimitText } from '../../app/rate-limits.js';

const memberParams = {
  type: 'object',
  properties: { id: { type: 'string', format: 'uuid' }, memberId: { type: 'string', format: 'uuid' } },
  required: ['id', 'memberId'],
} as const;
const tokenParams = {
  type: 'object',
  properties: { token: { type: 'string', pattern: '^[A-Za-z0-9_-]{20,100}$' } },
  required: ['token'],
} as const;

interface ValidPerson {
  name: string;
  email: string;
  kind: CaseMemberKind;
  role: string | null;
  notify: boolean;
}

/** Reads the add form; errors in the reader's language, nothing stored while there are any. */
function readPerson(
  t: Messages,
  body: unknown,
  allowedRoles: readonly string[],
  occasionalAllowed: boolean,
): { values: PersonForm; errors: string[]; person?: ValidPerson } {
  const name = field(body, 'name').trim();
  const email = field(body, 'email').trim();
  const role = field(body, 'role');
  const values: PersonForm = { name: field(body, 'name'), email, role, notify: field(body, 'notify') === '1' };
  const errors: string[] = [];
  if (name === '') errors.push(t.contributors.nameRequired);
  else if (name.length > 200) errors.push(t.contributors.nameTooLong);
  if (!isEmail(email)) errors.push(t.errors.emailInvalid);
  const occasional = occasionalAllowed && role === OCCASIONAL;
  if (!occasional && !allowedRoles.includes(role)) errors.push(t.contributors.roleInvalid);
  if (errors.length > 0) return { values, errors };
  return {
    values,
    errors,
    person: {
      name,
      email,
      kind: occasional ? 'occasional' : 'contributor',
      role: occasional ? null : role,
      notify: values.notify ?? false,
    },
  };
}

function memberErrorText(t: Messages, err: MemberError): string {
  return err.code === 'is_owner' ? t.contributors.isOwner : t.contributors.alreadyMember;
}

export default function contributorRoutes(app: FastifyInstance) {
  const csrf = app.csrfProtection.bind(app);
  const staffInvitations = [csrf, rateLimited(app, 'invitation', (request) => request.staff?.id)];
  const clientInvitations = [csrf, rateLimited(app, 'invitation', (request) => request.client?.id)];
  /** The refusal to show when the invitee had all their e-mails from this account today. */
  const mailRefusal = async (
    reply: FastifyReply,
    t: Messages,
    accountId: string,
    address: string,
  ): Promise<string | undefined> => {
    try {
      await consumeMailTargets(app, accountId, [address]);
      return undefined;
    } catch (err) {
      if (!(err instanceof RateLimitedError)) throw err;
      void reply.header('retry-after', String(err.retryAfterSeconds));
      return rateLimitText(t, err);
    }
  };
  const { db, workflows, config } = app.deps;
  const policy = invitationPolicy(config);

  const templateOf = (kase: Case): Promise<DocumentTemplate> =>
    db.selectFrom('document_templates').selectAll().where('id', '=', kase.template_id).executeTakeFirstOrThrow();
  const flash = (base: string, ok: string, name: string) =>
    `${base}?${new URLSearchParams({ ok, name }).toString()}#people`;

  // ---- Back-office ----

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
          personFormPage(pageContext(request, reply, { area: 'staff' }), {
            kase,
            roles: contributorRoles(await templateOf(kase)),
            area: 'staff',
            values: {},
            errors: [refused],
          }),
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

  /** The administrator's permissions per contributor role (seed 002), beside the procedure editor. */
  app.post<{ Params: { id: string } }>(
    '/back-office/procedures/:id/contributeurs',
    { config: { access: 'admin' }, schema: { hide: true, params: idParams }, preHandler: csrf },
    async (request, reply) => {
      const staff = staffOf(request);
      const template = await db
        .selectFrom('document_templates')
        .selectAll()
        .where('id', '=', request.params.id)
        .executeTakeFirst();
      if (!template) return reply.callNotFound();
      const checked = (name: string) => field(request.body, name) === '1';
      const roles = template.roles.map((r, i) => {
        // The main client's role keeps everything.
        if (i === 0) return r;
        const view = checked(`${r.code}-view`);
        const permissions = Object.fromEntries(
          PERMISSION_KEYS.map((k) => [k, view && checked(`${r.code}-${k}`)]),
        ) as Record<keyof RolePermissions, boolean>;
        return { ...r, permissions };
      });
      const invitable = checked('invitable');
      await db.transaction().execute(async (tx) => {
        await tx
          .updateTable('document_templates')
          .set({ roles: JSON.stringify(roles), contributors_invitable: invitable })
          .where('id', '=', template.id)
          .execute();
        await audit(tx, {
          actorAccountId: staff.id,
          actorKind: 'staff',
          action: 'document_template.permissions',
          subjectType: 'document_template',
          subjectId: template.id,
          ip: request.ip,
          details: { roles: roles.map((r) => ({ code: r.code, permissions: r.permissions ?? null })), invitable },
        });
      });
      return reply.redirect(`/back-office/procedures/${template.id}?ok=1#permissions`, 303);
    },
  );

  // ---- The main client ----

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
        personFormPage(pageContext(request, reply), {
          kase: owned.kase,
          roles: contributorRoles(owned.template),
          area: 'owner',
          values: {},
          errors: allowed ? [] : [t.contributors.notAllowed],
        }),
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
      const kase = await findCase(db, member.case_id);
      if (!kase) return sendPage(reply, invitationInvalidPage(ctx), 404);
      const [template, owner] = await Promise.all([templateOf(kase), findAccountById(db, kase.client_account_id)]);
      return sendPage(
        reply,
        invitationPage(ctx, {
          token: request.params.token,
          caseTitle: kase.title,
          caseNumber: kase.number,
          role: roleLabel(ctx, template.roles, member.kind === 'occasional' ? null : member.role),
          occasional: member.kind === 'occasional',
          inviterName: owner?.full_name ?? '',
          expiresAt: member.invitation_expires_at,
        }),
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
