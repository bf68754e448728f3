// /back-office/jetons-api: administrators create, list and revoke the integration API's tokens.
// A new token is shown once, in the answer to the form (never in a URL, never stored in clear);
// a revoked token is refused by the very next API request.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createApiToken, revokeToken } from '../../../app/integration-api/tokens.js';
import { listApiTokens } from '../../../db/api-tokens.js';
import { listSpaces } from '../../../db/spaces.js';
import { pageContext, resolveLocale, sendPage, translator } from '../../context.js';
import { parseForm } from '../../forms.js';
import { idParams } from '../../params.js';
import { staffOf } from '../../plugins/access.js';
import { BLANK_TOKEN_FORM, newTokenSchema, typedTokenForm, type TokenForm } from './forms.js';
import { apiTokensPage } from './pages.js';
import { tokenRowOf } from './view-models.js';

const hidden = { schema: { hide: true } };

export default function apiTokenRoutes(app: FastifyInstance) {
  const csrf = app.csrfProtection.bind(app);
  const { db } = app.deps;

  async function render(
    request: FastifyRequest,
    reply: FastifyReply,
    options: { form?: TokenForm; errors?: string[]; created?: { name: string; token: string }; flash?: string } = {},
    status = 200,
  ) {
    const locale = resolveLocale(request, 'staff');
    const [tokens, spaces] = await Promise.all([listApiTokens(db), listSpaces(db)]);
    const ctx = pageContext(request, reply, {
      area: 'staff',
      flash: options.flash ? { kind: 'info', text: options.flash } : undefined,
    });
    // The page may hold a token shown once: no cache keeps it.
    reply.header('cache-control', 'no-store');
    return sendPage(
      reply,
      apiTokensPage(ctx, {
        tokens: tokens.map((row) => tokenRowOf(row, locale)),
        spaces: spaces.map((s) => ({ id: s.id, name: s.name })),
        form: options.form ?? BLANK_TOKEN_FORM,
        errors: options.errors ?? [],
        ...(options.created ? { created: options.created } : {}),
      }),
      status,
    );
  }

  app.get<{ Querystring: { fait?: string } }>(
    '/back-office/jetons-api',
    { config: { access: 'admin' }, ...hidden },
    async (request, reply) => {
      const t = translator(request, 'staff').apiTokens;
      const done = request.query.fait;
      return render(request, reply, {
        ...(done === 'revoque' ? { flash: t.revoked } : done === 'deja' ? { flash: t.alreadyRevoked } : {}),
      });
    },
  );

  app.post(
    '/back-office/jetons-api',
    { config: { access: 'admin' }, ...hidden, preHandler: csrf },
    async (request, reply) => {
      const t = translator(request, 'staff');
      const form = typedTokenForm(request.body);
      const spaces = await listSpaces(db);
      const parsed = parseForm(newTokenSchema(t, new Set(spaces.map((s) => s.id))), request.body);
      if (!parsed.ok)
        return render(request, reply, { form, errors: [...parsed.errors, t.apiTokens.nothingSaved] }, 400);
      const { token } = await createApiToken(db, { id: staffOf(request).id, ip: request.ip }, parsed.values);
      return render(request, reply, { created: { name: parsed.values.name, token } }, 201);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/back-office/jetons-api/:id/revocation',
    { config: { access: 'admin' }, schema: { hide: true, params: idParams }, preHandler: csrf },
    async (request, reply) => {
      const revoked = await revokeToken(db, { id: staffOf(request).id, ip: request.ip }, request.params.id);
      return reply.redirect(`/back-office/jetons-api?fait=${revoked ? 'revoque' : 'deja'}`, 303);
    },
  );
}
