// Back-office: e-mail templates. Every staff member may read them; administrators edit.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../../db/connect.js';
import type { Locale } from '../../../db/database.js';
import { resetEmailTemplate, saveEmailTemplate } from '../../../app/templates.js';
import {
  editedTemplates,
  getTemplate,
  isTemplateKey,
  renderText,
  sampleVars,
  validateTemplate,
  TemplateValidationError,
  type TemplateKey,
  type TemplateText,
} from '../../../db/templates.js';
import { isLocale } from '../../../i18n/index.js';
import { pageContext, resolveLocale, sendPage, translator } from '../../context.js';
import { staffOf } from '../../plugins/access.js';
import { readTemplateForm } from './forms.js';
import { templateEditorPage, templateListPage } from './pages.js';
import { templateEditorViewOf } from './view-models.js';

const hidden = { schema: { hide: true } };
type Params = { key: string; locale: string };

/** The template and language of the URL, if both exist. */
function target(request: FastifyRequest<{ Params: Params }>): { key: TemplateKey; locale: Locale } | undefined {
  const { key, locale } = request.params;
  return isTemplateKey(key) && isLocale(locale) ? { key, locale } : undefined;
}

/** The editor of one template in one language: what was typed (or stored), its preview or its errors. */
async function render(
  db: Db,
  request: FastifyRequest<{ Params: Params }>,
  reply: FastifyReply,
  key: TemplateKey,
  locale: Locale,
  typed: { text?: TemplateText; errors?: string[]; flash?: string } = {},
  status = 200,
) {
  const stored = await getTemplate(db, key, locale);
  const text = typed.text ?? stored;
  const errors = typed.errors ?? [];
  const preview = errors.length === 0 ? renderText(text, sampleVars(key, locale)) : undefined;
  const flash = typed.flash ? { kind: 'info' as const, text: typed.flash } : undefined;
  return sendPage(
    reply,
    templateEditorPage(
      pageContext(request, reply, { area: 'staff', flash }),
      templateEditorViewOf({ key, locale, stored, text, preview, errors }),
    ),
    status,
  );
}

export default function templateRoutes(app: FastifyInstance) {
  const { db } = app.deps;

  app.get('/back-office/modeles', { ...hidden, config: { access: 'staff' } }, async (request, reply) => {
    return sendPage(reply, templateListPage(pageContext(request, reply, { area: 'staff' }), await editedTemplates(db)));
  });

  app.get<{ Params: Params; Querystring: { fait?: string } }>(
    '/back-office/modeles/:key/:locale',
    { ...hidden, config: { access: 'staff' } },
    async (request, reply) => {
      const found = target(request);
      if (!found) return reply.callNotFound();
      const t = translator(request, 'staff').templates;
      const done =
        request.query.fait === 'enregistre' ? t.saved : request.query.fait === 'origine' ? t.resetDone : undefined;
      return render(db, request, reply, found.key, found.locale, done ? { flash: done } : {});
    },
  );

  saveTemplateRoute(app);
}

/** Administrators reset a template to its original, save it, or preview what they typed. */
function saveTemplateRoute(app: FastifyInstance) {
  const csrf = app.csrfProtection.bind(app);
  const { db } = app.deps;
  app.post<{ Params: Params }>(
    '/back-office/modeles/:key/:locale',
    { config: { access: 'admin' }, ...hidden, preHandler: csrf },
    async (request, reply) => {
      const actor = { id: staffOf(request).id, ip: request.ip };
      const found = target(request);
      if (!found) return reply.callNotFound();
      const { key, locale } = found;
      const uiLocale = resolveLocale(request, 'staff');
      const { action, subject, body } = readTemplateForm(request.body);
      const url = `/back-office/modeles/${key}/${locale}`;
      if (action === 'reset') {
        await resetEmailTemplate(db, actor, { key, locale });
        return reply.redirect(`${url}?fait=origine`, 303);
      }
      const text = { subject, body };
      if (action === 'save') {
        try {
          await saveEmailTemplate(db, actor, { key, locale }, text, uiLocale);
        } catch (err) {
          if (err instanceof TemplateValidationError)
            return render(db, request, reply, key, locale, { text, errors: err.problems }, 400);
          throw err;
        }
        return reply.redirect(`${url}?fait=enregistre`, 303);
      }
      // Preview: what was typed, checked as a save would check it, nothing stored.
      const errors = validateTemplate(key, text, uiLocale);
      return render(db, request, reply, key, locale, { text, errors }, errors.length > 0 ? 400 : 200);
    },
  );
}
