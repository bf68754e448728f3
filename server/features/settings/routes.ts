// Settings: logo, primary colour, rows per page, languages. Pages get them through the theme
// stylesheet (a CSS custom property: the Content-Security-Policy allows no inline style) and the
// logo route; only administrators change them.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { getSettings, isHexColor } from '../../../db/settings.js';
import { saveAppSettings } from '../../../app/settings.js';
import { isStoredObjectNotFound } from '../../../connectors/storage/index.js';
import { pageContext, sendPage, translator } from '../../context.js';
import { getUnpaidMode } from '../../../db/case-record.js';
import { refusalMessage } from '../../../domain/files.js';
import { discardFiles, readFormFields, receiveFiles } from '../../uploads.js';
import { parseForm, typedForm } from '../../forms.js';
import { inkFor } from '../../../domain/colour.js';
import { staffOf } from '../../plugins/access.js';
import { SETTINGS_FIELDS, settingsSchema, tickedLocales } from './forms.js';
import { settingsPage } from './pages.js';
import { settingsViewOf, type SettingsView } from './view-models.js';

const hidden = { schema: { hide: true } };
export const LOGO_MAX_BYTES = 1024 * 1024;
/** The logo goes through the one inspection, narrowed to these kinds and that size. */
const LOGO_RULES = { kinds: ['png', 'jpeg', 'gif'], maxBytes: LOGO_MAX_BYTES } as const;

export default function settingsRoutes(app: FastifyInstance) {
  themeRoutes(app);
  settingsPageRoute(app);
  saveSettingsRoute(app);
}

/** What every page reads: the theme stylesheet and the logo. */
function themeRoutes(app: FastifyInstance) {
  const { db, storage } = app.deps;

  app.get('/theme.css', { ...hidden, config: { access: 'public' } }, async (request, reply) => {
    const settings = request.settings ?? (await getSettings(db));
    const color = isHexColor(settings.primaryColor) ? settings.primaryColor : '#0b5cab';
    return reply
      .header('content-type', 'text/css; charset=utf-8')
      .header('cache-control', 'public, max-age=86400')
      .send(`:root { --brand: ${color}; --brand-ink: ${inkFor(color)}; }\n`);
  });

  app.get('/logo', { ...hidden, config: { access: 'public' } }, async (request, reply) => {
    const settings = request.settings ?? (await getSettings(db));
    if (!settings.logo) return reply.callNotFound();
    try {
      const stream = await storage.get(settings.logo.key);
      return reply
        .header('content-type', settings.logo.contentType)
        .header('cache-control', 'public, max-age=86400')
        .send(stream);
    } catch (err) {
      if (isStoredObjectNotFound(err)) return reply.callNotFound();
      throw err;
    }
  });
}

/** The settings page, with the notice after a save. */
function settingsPageRoute(app: FastifyInstance) {
  const { db } = app.deps;
  app.get<{ Querystring: { enregistre?: string; impayes?: string } }>(
    '/back-office/reglages',
    { ...hidden, config: { access: 'staff' } },
    async (request, reply) => {
      const t = translator(request, 'staff');
      const flash = request.query.enregistre
        ? { kind: 'info' as const, text: t.settings.saved }
        : request.query.impayes
          ? { kind: 'info' as const, text: t.caseRecord.unpaidSaved }
          : undefined;
      return sendPage(
        reply,
        settingsPage(
          pageContext(request, reply, { area: 'staff', flash }),
          settingsViewOf(await getSettings(db), await getUnpaidMode(db)),
          [],
        ),
      );
    },
  );
}

/** Administrators save the settings: a refused form keeps no logo file; a replaced logo is removed. */
function saveSettingsRoute(app: FastifyInstance) {
  const csrf = app.csrfProtection.bind(app);
  const { db, storage } = app.deps;
  app.post(
    '/back-office/reglages',
    { config: { access: 'admin' }, ...hidden, preHandler: [readFormFields, csrf] },
    async (request: FastifyRequest, reply: FastifyReply) => {
      const staff = staffOf(request);
      const t = translator(request, 'staff').settings;
      const received = await receiveFiles(app, request, storage, LOGO_RULES);
      const parsed = parseForm(settingsSchema(translator(request, 'staff')), request.body);
      const errors = parsed.ok ? [] : [...parsed.errors];
      const logoFile = received.files[0];
      if (received.refusals.length > 0 || received.files.length > 1) {
        errors.push(t.logoInvalid, ...received.refusals.map((r) => refusalMessage(translator(request, 'staff'), r)));
      }
      if (!parsed.ok || errors.length > 0) {
        await discardFiles(storage, received.files);
        const typed = typedForm(request.body, SETTINGS_FIELDS);
        const form: SettingsView = {
          primaryColor: typed.primaryColor,
          rowsPerPage: typed.rowsPerPage.trim(),
          locales: tickedLocales(typed),
          hasLogo: (await getSettings(db)).logo !== null,
          unpaidMode: await getUnpaidMode(db),
        };
        return sendPage(reply, settingsPage(pageContext(request, reply, { area: 'staff' }), form, errors), 400);
      }
      const { primaryColor, rowsPerPage, locales, removeLogo } = parsed.values;
      const logo = logoFile
        ? { key: logoFile.storageKey, contentType: logoFile.contentType }
        : removeLogo
          ? null
          : undefined;
      let replaced: string | null;
      try {
        replaced = await saveAppSettings(
          db,
          { id: staff.id, ip: request.ip },
          { primaryColor, rowsPerPage, locales: [...locales], ...(logo !== undefined ? { logo } : {}) },
        );
      } catch (err) {
        await discardFiles(storage, received.files);
        throw err;
      }
      if (replaced) await storage.delete(replaced);
      app.settingsChanged();
      return reply.redirect('/back-office/reglages?enregistre=1', 303);
    },
  );
}
