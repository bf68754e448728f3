// /back-office/espaces: administrators name the spaces and set each one's answer SLA policy.
// A refused form says what is wrong, in the administrator's language, and stores nothing.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  createSpaceWithPolicy,
  findSpace,
  listSpaces,
  policyOf,
  saveSpacePolicy,
  type SpacePolicy,
} from '../../db/spaces.js';
import type { Messages } from '../../i18n/index.js';
import { pageContext, sendPage, translator } from '../context.js';
import { field, isEmail } from '../../domain/validation.js';
import { formOf, spaceListPage, spacePage, type SpaceForm } from '../views/space-pages.js';
import { idParams } from '../params.js';
import { staffOf } from '../plugins/access.js';

const HOURS = /^\d{1,4}(?:[.,]\d{1,2})?$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

function typedForm(body: unknown): SpaceForm {
  const f = (name: string) => field(body, name).trim();
  return {
    name: f('name'),
    slug: f('slug').toLowerCase(),
    target: f('target'),
    max: f('max'),
    calendar: f('calendar'),
    opens: f('opens'),
    closes: f('closes'),
    teamEmail: f('teamEmail').toLowerCase(),
    managerEmail: f('managerEmail').toLowerCase(),
    satisfaction: f('satisfaction'),
    retention: f('retention'),
  };
}

/** The policy a form says, or every problem with it. */
export function validateSpaceForm(
  t: Messages,
  form: SpaceForm,
  creating: boolean,
): { policy: SpacePolicy } | { errors: string[] } {
  const s = t.spaces;
  const errors: string[] = [];
  const hours = (typed: string, label: string): number => {
    const value = HOURS.test(typed) ? Number(typed.replace(',', '.')) : Number.NaN;
    if (!(value >= 0.1 && value <= 8760)) {
      errors.push(s.hoursInvalid(label));
      return Number.NaN;
    }
    return value;
  };
  if (!form.name || form.name.length > 100) errors.push(s.nameRequired);
  if (creating && (!SLUG.test(form.slug) || form.slug.length > 60)) errors.push(s.slugInvalid);
  const target = hours(form.target, s.target);
  const max = hours(form.max, s.max);
  if (target > max) errors.push(s.maxBelowTarget);
  const calendar = form.calendar === 'business' ? 'business' : form.calendar === 'calendar' ? 'calendar' : null;
  if (!calendar) errors.push(t.errors.badForm);
  const opensOk = TIME.test(form.opens);
  const closesOk = TIME.test(form.closes);
  if (!opensOk) errors.push(s.timeInvalid(s.opens));
  if (!closesOk) errors.push(s.timeInvalid(s.closes));
  if (opensOk && closesOk && form.opens >= form.closes) errors.push(s.opensAfterCloses);
  if (form.teamEmail && !isEmail(form.teamEmail)) errors.push(s.emailInvalid(s.teamEmail));
  if (form.managerEmail && !isEmail(form.managerEmail)) errors.push(s.emailInvalid(s.managerEmail));
  const satisfaction = hours(form.satisfaction, s.satisfaction);
  const retention =
    form.retention === '' ? null : /^\d{1,3}$/.test(form.retention) ? Number(form.retention) : Number.NaN;
  if (retention !== null && !(retention >= 1 && retention <= 600)) errors.push(s.retentionInvalid);
  if (errors.length > 0 || !calendar) return { errors: [...errors, s.nothingSaved] };
  return {
    policy: {
      name: form.name,
      slaTargetHours: target,
      slaMaxHours: max,
      slaCalendar: calendar,
      slaOpens: form.opens,
      slaCloses: form.closes,
      teamEmail: form.teamEmail || null,
      managerEmail: form.managerEmail || null,
      satisfactionTimeoutHours: satisfaction,
      retentionMonths: retention,
    },
  };
}

export default function spaceRoutes(app: FastifyInstance) {
  const csrf = app.csrfProtection.bind(app);
  const { db } = app.deps;
  const blank: SpaceForm = {
    name: '',
    slug: '',
    target: '24',
    max: '48',
    calendar: 'calendar',
    opens: '09:00',
    closes: '18:00',
    teamEmail: '',
    managerEmail: '',
    satisfaction: '72',
    retention: '',
  };

  async function renderList(
    request: FastifyRequest,
    reply: FastifyReply,
    create = { form: blank, errors: [] as string[] },
    status = 200,
    flash?: string,
  ) {
    const ctx = pageContext(request, reply, {
      area: 'staff',
      flash: flash ? { kind: 'info', text: flash } : undefined,
    });
    return sendPage(reply, spaceListPage(ctx, await listSpaces(db), create), status);
  }

  app.get<{ Querystring: { fait?: string } }>(
    '/back-office/espaces',
    { config: { access: 'admin' }, schema: { hide: true } },
    async (request, reply) => {
      return renderList(
        request,
        reply,
        undefined,
        200,
        request.query.fait === 'cree' ? translator(request, 'staff').spaces.created : undefined,
      );
    },
  );

  app.post(
    '/back-office/espaces',
    { config: { access: 'admin' }, schema: { hide: true }, preHandler: csrf },
    async (request, reply) => {
      const t = translator(request, 'staff');
      const form = typedForm(request.body);
      const checked = validateSpaceForm(t, form, true);
      if ('errors' in checked) return renderList(request, reply, { form, errors: checked.errors }, 400);
      const space = await createSpaceWithPolicy(
        db,
        { id: staffOf(request).id, ip: request.ip },
        form.slug,
        checked.policy,
      );
      if (!space) return renderList(request, reply, { form, errors: [t.spaces.slugTaken, t.spaces.nothingSaved] }, 400);
      return reply.redirect('/back-office/espaces?fait=cree', 303);
    },
  );

  app.get<{ Params: { id: string }; Querystring: { fait?: string } }>(
    '/back-office/espaces/:id',
    { config: { access: 'admin' }, schema: { hide: true, params: idParams } },
    async (request, reply) => {
      const space = await findSpace(db, request.params.id);
      if (!space) return reply.callNotFound();
      const ctx = pageContext(request, reply, {
        area: 'staff',
        flash:
          request.query.fait === '1' ? { kind: 'info', text: translator(request, 'staff').spaces.saved } : undefined,
      });
      return sendPage(reply, spacePage(ctx, space, formOf(policyOf(space), space.slug, ctx.locale), []));
    },
  );

  app.post<{ Params: { id: string } }>(
    '/back-office/espaces/:id',
    { config: { access: 'admin' }, schema: { hide: true, params: idParams }, preHandler: csrf },
    async (request, reply) => {
      const space = await findSpace(db, request.params.id);
      if (!space) return reply.callNotFound();
      const form = { ...typedForm(request.body), slug: space.slug };
      const checked = validateSpaceForm(translator(request, 'staff'), form, false);
      if ('errors' in checked)
        return sendPage(
          reply,
          spacePage(pageContext(request, reply, { area: 'staff' }), space, form, checked.errors),
          400,
        );
      await saveSpacePolicy(db, { id: staffOf(request).id, ip: request.ip }, space, checked.policy);
      return reply.redirect(`/back-office/espaces/${space.id}?fait=1`, 303);
    },
  );
}
