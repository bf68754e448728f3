// The client's notification preferences: the page, saving it, confirming the phone number with the
// code sent by SMS, and asking for a new code. Client access only (a head of service's read-only
// view of the space does not reach it), CSRF on every form, rate limits per address and account:
// saves and code tries under `preferences`, every code sent under `phoneCode` (an SMS costs money
// and reaches someone's phone). Logs name no number and no code.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { configuredSmsProvider } from '../../../app/sms.js';
import { PHONE_CODE_MINUTES, confirmPhoneCode, type PhoneCodeDeps } from '../../../app/phone-confirmation.js';
import { resendPhoneCode, saveNotificationPreferences } from '../../../app/notification-preferences.js';
import { RateLimitedError, rateLimitText, requestKeys } from '../../../app/rate-limits.js';
import { notificationPreferences, pendingPhoneConfirmation } from '../../../db/notification-preferences.js';
import { isLocale } from '../../../i18n/index.js';
import { pageContext, sendPage, translator } from '../../context.js';
import { parseForm, typedForm } from '../../forms.js';
import { clientOf } from '../../plugins/access.js';
import { rateLimited } from '../../plugins/rate-limits.js';
import { CODE_FIELDS, PREFERENCE_FIELDS, codeSchema, preferencesSchema } from './forms.js';
import { preferencesPage } from './pages.js';
import { preferencesView, type PreferencesForm } from './view-models.js';

export const PREFERENCES_PATH = '/preferences';
const hidden = { schema: { hide: true } };
/** The notice of the page after a redirect, by its `fait` value. */
const NOTICES = ['enregistre', 'code', 'renvoye', 'confirme'] as const;
type Notice = (typeof NOTICES)[number];

/** The language of the client's notifications: their account's. */
function notificationLocale(request: FastifyRequest) {
  const locale = clientOf(request).locale;
  return isLocale(locale) ? locale : 'fr';
}

export default function preferencesRoutes(app: FastifyInstance) {
  const csrf = app.csrfProtection.bind(app);
  const { db, config } = app.deps;
  const deps: PhoneCodeDeps = { db, sms: configuredSmsProvider(db, config), secret: config.SESSION_SECRET ?? '' };
  if (deps.secret.length < 32) throw new Error('the notification preferences need the session secret');
  const signedIn = (request: FastifyRequest) => request.client?.id;
  const countCode = (request: FastifyRequest) => () =>
    app.rateLimits.consume('phoneCode', requestKeys(request.ip, clientOf(request).id));

  /** The page from what is stored, with what was typed and the problems of a refused form. */
  async function render(
    request: FastifyRequest,
    reply: FastifyReply,
    options: {
      status?: number;
      notice?: Notice | undefined;
      typed?: PreferencesForm;
      errors?: { form?: string[]; code?: string[] };
      code?: string;
    } = {},
  ) {
    const t = translator(request);
    const accountId = clientOf(request).id;
    const [prefs, pending] = await Promise.all([
      notificationPreferences(db, accountId),
      pendingPhoneConfirmation(db, accountId),
    ]);
    const locale = notificationLocale(request);
    const view = preferencesView(prefs, locale, pending?.phone, PHONE_CODE_MINUTES);
    if (options.typed) view.form = options.typed;
    const notices: Record<Notice, string> = {
      enregistre: t.preferences.saved,
      code: t.preferences.codeSentNotice,
      renvoye: t.preferences.resentNotice,
      confirme: t.preferences.confirmedNotice,
    };
    const ctx = pageContext(request, reply, {
      flash: options.notice ? { kind: 'info', text: notices[options.notice] } : undefined,
    });
    return sendPage(reply, preferencesPage(ctx, view, options.errors, options.code ?? ''), options.status ?? 200);
  }

  const done = (reply: FastifyReply, notice: Notice) =>
    reply.redirect(`${PREFERENCES_PATH}?fait=${notice}${notice === 'enregistre' ? '' : '#confirmation'}`, 303);

  app.get<{ Querystring: { fait?: string } }>(
    PREFERENCES_PATH,
    { ...hidden, config: { access: 'client' } },
    async (request, reply) => {
      const notice = NOTICES.find((n) => n === request.query.fait);
      return render(request, reply, { notice });
    },
  );

  app.post(
    PREFERENCES_PATH,
    { ...hidden, config: { access: 'client' }, preHandler: [csrf, rateLimited(app, 'preferences', signedIn)] },
    async (request, reply) => {
      const t = translator(request);
      const typed = typedForm(request.body, PREFERENCE_FIELDS);
      const parsed = parseForm(preferencesSchema(t), typed);
      if (!parsed.ok) return render(request, reply, { status: 400, typed, errors: { form: parsed.errors } });
      try {
        const outcome = await saveNotificationPreferences(
          deps,
          clientOf(request).id,
          parsed.values,
          countCode(request),
        );
        return done(reply, outcome.codeSent ? 'code' : 'enregistre');
      } catch (err) {
        if (err instanceof RateLimitedError) {
          void reply.header('retry-after', String(err.retryAfterSeconds));
          return render(request, reply, { status: 429, typed, errors: { form: [rateLimitText(t, err)] } });
        }
        request.log.error({ err }, 'a phone confirmation code could not be sent');
        return render(request, reply, { status: 503, typed, errors: { form: [t.preferences.errors.smsFailed] } });
      }
    },
  );

  app.post(
    `${PREFERENCES_PATH}/telephone/confirmation`,
    { ...hidden, config: { access: 'client' }, preHandler: [csrf, rateLimited(app, 'preferences', signedIn)] },
    async (request, reply) => {
      const t = translator(request);
      const e = t.preferences.errors;
      const typed = typedForm(request.body, CODE_FIELDS);
      const parsed = parseForm(codeSchema(t), typed);
      if (!parsed.ok) return render(request, reply, { status: 400, code: typed.code, errors: { code: parsed.errors } });
      const outcome = await confirmPhoneCode(deps, clientOf(request).id, parsed.values.code);
      switch (outcome.kind) {
        case 'confirmed':
          return done(reply, 'confirme');
        case 'wrong':
          return render(request, reply, {
            status: 400,
            code: typed.code,
            errors: { code: [e.codeWrong(outcome.triesLeft)] },
          });
        case 'expired':
          return render(request, reply, { status: 400, errors: { code: [e.codeExpired] } });
        case 'none':
          return render(request, reply, { status: 400, errors: { form: [e.noPending] } });
      }
    },
  );

  app.post(
    `${PREFERENCES_PATH}/telephone/code`,
    { ...hidden, config: { access: 'client' }, preHandler: csrf },
    async (request, reply) => {
      const t = translator(request);
      try {
        const sent = await resendPhoneCode(deps, clientOf(request).id, notificationLocale(request), countCode(request));
        if (!sent) return render(request, reply, { status: 400, errors: { form: [t.preferences.errors.noPending] } });
        return done(reply, 'renvoye');
      } catch (err) {
        if (err instanceof RateLimitedError) {
          void reply.header('retry-after', String(err.retryAfterSeconds));
          return render(request, reply, { status: 429, errors: { code: [rateLimitText(t, err)] } });
        }
        request.log.error({ err }, 'a phone confirmation code could not be sent');
        return render(request, reply, { status: 503, errors: { code: [t.preferences.errors.smsFailed] } });
      }
    },
  );
}
