// Signing in and out: the client (e-mail and password, a password by e-mail) and staff (local
// accounts, or Redmine credentials when Redmine sign-in is configured).
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { setLocale } from '../../../db/accounts.js';
import { isLocale } from '../../../i18n/index.js';
import { verifyRedmineCredentials } from '../../../connectors/redmine/index.js';
import { authenticate, requestPassword } from '../../../app/accounts.js';
import { loginWithRedmine } from '../../../app/staff-login.js';
import { LANG_COOKIE, pageContext, sendPage, translator } from '../../context.js';
import { parseForm, typedForm } from '../../forms.js';
import { rateLimited } from '../../plugins/rate-limits.js';
import { signInLimit, signInSucceeded } from '../../sign-in.js';
import { PASSWORD_REQUEST_FIELDS, SIGN_IN_FIELDS, passwordRequestSchema, signInSchema } from './forms.js';
import { loginPage, passwordRequestPage } from './pages.js';
import { signInFlash, staffLoginRefusal } from './view-models.js';

/** A password request's answer never leaves sooner: well above a known address's work (a
 * scrypt hash, a transaction, a Temporal start), even on a loaded machine. */
export const PASSWORD_REQUEST_MIN_MS = 1000;
const hidden = { schema: { hide: true } };

/** The e-mail (or Redmine login) and password typed; both '' when the body is no form. */
function credentials(body: unknown): { email: string; password: string } {
  const parsed = parseForm(signInSchema, typedForm(body, SIGN_IN_FIELDS));
  return parsed.ok ? parsed.values : { email: '', password: '' };
}

export default function authRoutes(app: FastifyInstance) {
  clientSignInRoutes(app);
  passwordRequestRoutes(app);
  staffSignInRoutes(app);
}

function clientSignInRoutes(app: FastifyInstance) {
  const csrf = app.csrfProtection.bind(app);
  const { db } = app.deps;

  app.get<{ Querystring: { expire?: string; out?: string } }>(
    '/connexion',
    { ...hidden, config: { access: 'public' } },
    (request, reply) => {
      if (request.client) return reply.redirect('/conversations');
      const flash = signInFlash(translator(request), request.query);
      return sendPage(reply, loginPage(pageContext(request, reply, { flash }), {}));
    },
  );

  app.post(
    '/connexion',
    { ...hidden, config: { access: 'public' }, preHandler: [csrf, signInLimit(app)] },
    async (request, reply) => {
      const { email, password } = credentials(request.body);
      const account = email && password ? await authenticate(db, 'client', email, password, request.ip) : undefined;
      if (!account) {
        const t = translator(request);
        return sendPage(reply, loginPage(pageContext(request, reply), { email, errors: [t.login.failed] }), 401);
      }
      // A language chosen before logging in is the account's from now on: e-mails follow it.
      const chosen = request.cookies[LANG_COOKIE];
      if (isLocale(chosen) && chosen !== account.locale) await setLocale(db, account.id, chosen);
      await signInSucceeded(app, request);
      await app.startSession(reply, request, account);
      return reply.redirect('/conversations', 303);
    },
  );

  app.post('/deconnexion', { config: { access: 'public' }, ...hidden, preHandler: csrf }, async (request, reply) => {
    await app.endSession(reply, request, 'client');
    return reply.redirect('/connexion?out=1', 303);
  });
}

function passwordRequestRoutes(app: FastifyInstance) {
  const csrf = app.csrfProtection.bind(app);
  const { db, workflows, config } = app.deps;

  app.get('/mot-de-passe', { ...hidden, config: { access: 'public' } }, (request, reply) =>
    sendPage(reply, passwordRequestPage(pageContext(request, reply), {})),
  );

  const passwordLimit = rateLimited(
    app,
    'passwordRequest',
    (request) => typedForm(request.body, PASSWORD_REQUEST_FIELDS).email,
  );
  app.post(
    '/mot-de-passe',
    { ...hidden, config: { access: 'public' }, preHandler: [csrf, passwordLimit] },
    async (request, reply) => {
      const t = translator(request);
      const typed = typedForm(request.body, PASSWORD_REQUEST_FIELDS);
      const parsed = parseForm(passwordRequestSchema(t), typed);
      if (!parsed.ok) {
        const email = typed.email.trim();
        return sendPage(reply, passwordRequestPage(pageContext(request, reply), { email, errors: parsed.errors }), 400);
      }
      const started = performance.now();
      const { email } = parsed.values;
      await requestPassword(db, workflows, { email, ip: request.ip, loginUrl: `${config.publicUrl}/connexion` });
      // A known address writes and signals Temporal, an unknown one does not: both answers leave
      // after the same minimum time, so timing does not tell which addresses have an account.
      await sleep(Math.max(0, PASSWORD_REQUEST_MIN_MS - (performance.now() - started)));
      return sendPage(reply, passwordRequestPage(pageContext(request, reply), { sent: true }));
    },
  );
}

function staffSignInRoutes(app: FastifyInstance) {
  const csrf = app.csrfProtection.bind(app);
  const { db, config } = app.deps;
  // With Redmine configured, staff sign in with their Redmine credentials (the form's `email`
  // field then holds a Redmine login); otherwise with local accounts.
  const redmineLogin = config.staffLogin === 'redmine' && config.REDMINE_URL !== undefined;
  const verify = (login: string, password: string) =>
    verifyRedmineCredentials({ baseUrl: config.REDMINE_URL ?? '' }, login, password);

  app.get<{ Querystring: { expire?: string } }>(
    '/back-office/connexion',
    { ...hidden, config: { access: 'public' } },
    (request, reply) => {
      if (request.staff) return reply.redirect('/back-office');
      const t = translator(request, 'staff');
      const flash = request.query.expire ? { kind: 'info' as const, text: t.login.expired } : undefined;
      return sendPage(
        reply,
        loginPage(pageContext(request, reply, { area: 'staff', flash }), { staff: true, redmine: redmineLogin }),
      );
    },
  );

  /** Through Redmine: a refusal says whether Redmine refused, did not answer, or cannot check. */
  async function redmineSignIn(request: FastifyRequest, reply: FastifyReply) {
    const { email, password } = credentials(request.body);
    const result =
      email && password
        ? await loginWithRedmine(db, verify, app.deps.staffAccess, email, password, request.ip)
        : ({ ok: false, reason: 'refused' } as const);
    if (!result.ok) {
      const { message, status } = staffLoginRefusal(translator(request, 'staff'), result.reason);
      if (result.reason === 'unavailable') request.log.warn('Redmine did not answer a staff login');
      if (result.reason === 'misconfigured')
        request.log.error('staff sign-in through Redmine needs an administrator’s REDMINE_API_KEY: nobody can sign in');
      const ctx = pageContext(request, reply, { area: 'staff' });
      return sendPage(reply, loginPage(ctx, { email, errors: [message], staff: true, redmine: true }), status);
    }
    await signInSucceeded(app, request);
    await app.startSession(reply, request, result.account);
    return reply.redirect('/back-office', 303);
  }

  /** With a local staff account. */
  async function localSignIn(request: FastifyRequest, reply: FastifyReply) {
    const { email, password } = credentials(request.body);
    const account = email && password ? await authenticate(db, 'staff', email, password, request.ip) : undefined;
    if (!account) {
      const t = translator(request, 'staff');
      const ctx = pageContext(request, reply, { area: 'staff' });
      return sendPage(reply, loginPage(ctx, { email, errors: [t.login.failed], staff: true }), 401);
    }
    await signInSucceeded(app, request);
    await app.startSession(reply, request, account);
    return reply.redirect('/back-office', 303);
  }

  app.post(
    '/back-office/connexion',
    { ...hidden, config: { access: 'public' }, preHandler: [csrf, signInLimit(app)] },
    (request, reply) => (redmineLogin ? redmineSignIn(request, reply) : localSignIn(request, reply)),
  );

  app.post(
    '/back-office/deconnexion',
    { config: { access: 'public' }, ...hidden, preHandler: csrf },
    async (request, reply) => {
      await app.endSession(reply, request, 'staff');
      return reply.redirect('/back-office/connexion', 303);
    },
  );
}
