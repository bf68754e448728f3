// The Guichet HTTP app as a plugin: external plugins, then app plugins, then routes.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import { pageContext, sendPage, translator } from './context.js';
import access, { withAccess } from './plugins/access.js';
import auth from './plugins/auth.js';
import rateLimits from './plugins/rate-limits.js';
import clientView from './plugins/client-view.js';
import depsPlugin, { type AppDeps } from './plugins/deps.js';
import httpMetrics from './plugins/metrics.js';
import { REQUEST_ID_HEADER, requestIdGenerator } from './request-id.js';
import settingsPlugin from './plugins/settings.js';
import { registerFeatures } from './features/index.js';
import { BAD_FORM, MULTIPART_LIMITS, drainUnreadForm } from './uploads.js';
import { closeInspection } from '../app/inspection/index.js';
import { errorPage } from './views/layout.js';
import { cookieNames, hstsHeader } from './cookies.js';
import { RateLimitedError, rateLimitText } from '../app/rate-limits.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Log redaction: no passwords, tokens or cookies in the logs. */
export const LOG_REDACT = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-redmine-api-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
];

/** The request as the logs show it: the path without its query string, which holds search terms,
 * e-mail addresses and tokens (a name searched for is personal data, and logs are kept longer). */
export function logRequest(req: FastifyRequest): Record<string, unknown> {
  return {
    method: req.method,
    url: req.url.split('?')[0],
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

export const LOG_SERIALIZERS = { req: logRequest };

export function loggerOptions(level: string): FastifyServerOptions['logger'] {
  return { level, redact: { paths: LOG_REDACT, censor: '[redacted]' }, serializers: LOG_SERIALIZERS };
}

export async function buildApp(deps: AppDeps, options: { logger?: FastifyBaseLogger } = {}): Promise<FastifyInstance> {
  const cookies = cookieNames(deps.config);
  const hsts = hstsHeader(deps.config);
  const app = Fastify({
    // A given logger gets our request serializer too: it overrides Fastify's, which logs the query.
    ...(options.logger
      ? { loggerInstance: options.logger.child({}, { serializers: LOG_SERIALIZERS }) }
      : { logger: loggerOptions(deps.config.LOG_LEVEL) }),
    // X-Forwarded-* is believed only from TRUSTED_PROXIES (proxy-addr: request.ip is the nearest
    // address in the chain that is not a trusted proxy); with none, the socket's address.
    trustProxy: deps.config.trustedProxies.length > 0 ? deps.config.trustedProxies : false,
    // Every log line of a request carries `reqId`: a trusted proxy's X-Request-Id, else a new one.
    genReqId: requestIdGenerator(deps.config.trustedProxies),
    bodyLimit: 256 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Guichet API',
        version: '0.2.0',
        description:
          "The client space's JSON API (session cookie, tag `client`) and the integration API for business software (API tokens, tag `integration`; docs/api.md).",
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: cookies.session.client },
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API token (gch_…) made in the back-office' },
        },
      },
    },
    // Shared schemas keep their $id as their component name (Problem, Case…).
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
  });
  await app.register(depsPlugin, { deps });
  if (deps.metrics) await app.register(httpMetrics, { metrics: deps.metrics });
  await app.register(cookie, { secret: deps.config.SESSION_SECRET });
  await app.register(csrf, {
    cookieKey: cookies.csrf,
    cookieOpts: { path: '/', httpOnly: true, sameSite: 'strict', secure: deps.config.cookieSecure, signed: true },
    getToken: (request) => {
      const body = request.body as Record<string, unknown> | undefined;
      return typeof body?._csrf === 'string' ? body._csrf : undefined;
    },
  });
  await app.register(formbody);
  // Forms with files: parsed by the routes that take them (server/uploads.ts), never buffered.
  // preservePath: names are made safe in files.ts, which also refuses names climbing directories.
  await app.register(multipart, { limits: MULTIPART_LIMITS, throwFileSizeLimit: false, preservePath: true });
  app.addHook('onResponse', drainUnreadForm);
  // The inspection's worker threads (started on the first file) stop with the app.
  app.addHook('onClose', closeInspection);
  await app.register(rateLimits);
  await app.register(auth);
  await app.register(settingsPlugin);
  await app.register(clientView);
  // Before any route (a route without an access declaration stops the start), after the
  // client-view plugin (an ended view is sent back to the back-office, not to a sign-in).
  await app.register(access);
  await withAccess(app, 'public', async (scope) => {
    await scope.register(fastifyStatic, {
      root: path.join(here, 'static'),
      prefix: '/static/',
      maxAge: '1h',
    });
  });

  app.addHook('onSend', securityHeaders(hsts));
  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });

  app.setErrorHandler(handleError);
  app.setNotFoundHandler(handleNotFound);

  app.get('/openapi.json', { schema: { hide: true }, config: { access: 'public' } }, () => app.swagger());
  await registerFeatures(app, deps.config);

  return app;
}

/** The security headers every answer carries (HSTS only when the configuration asks for it). */
function securityHeaders(hsts: string | undefined) {
  return async (_request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    reply.header('x-frame-options', 'DENY');
    if (hsts) reply.header('strict-transport-security', hsts);
    reply.header(
      'content-security-policy',
      "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'",
    );
    return payload;
  };
}

/** Errors: an error page for people, JSON for the API and the health check, a 404 for a malformed id. */
function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
  if (status >= 500) request.log.error({ err: error }, 'request failed');
  else request.log.info({ code: error.code, status }, 'request refused');
  const area = request.url.startsWith('/back-office') ? 'staff' : 'client';
  const t = translator(request, area);
  let message = status >= 500 ? t.errors.internal : error.message;
  if (error instanceof RateLimitedError) {
    // When to try again: in the header for programs, in words for people.
    reply.header('retry-after', String(error.retryAfterSeconds));
    message = rateLimitText(t, error);
    if (!request.url.startsWith('/api/') && (request.headers.accept ?? '').includes('application/json')) {
      return reply.status(status).send({ ok: false, message, errors: [message] });
    }
  } else if (error.code?.startsWith('FST_CSRF')) message = t.errors.csrf;
  else if (error.code === BAD_FORM) message = t.errors.badForm;
  else if (error.validation && error.validationContext === 'params') {
    // A malformed id is a page that does not exist, not a form error.
    return reply.callNotFound();
  }
  if (request.url.startsWith('/api/') || request.url === '/health') return reply.status(status).send({ message });
  return sendPage(reply, errorPage(pageContext(request, reply, { area }), String(status), message), status);
}

/** No such page: JSON under /api/, the error page elsewhere. */
function handleNotFound(request: FastifyRequest, reply: FastifyReply) {
  const t = translator(request);
  if (request.url.startsWith('/api/')) return reply.status(404).send({ message: t.errors.notFound });
  return sendPage(reply, errorPage(pageContext(request, reply), '404', t.errors.notFound), 404);
}
