import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Locale } from '../db/database.js';
import { formatDateTime, isLocale, messages, type Messages } from '../i18n/index.js';
import type { PageContext } from './views/layout.js';

export const LANG_COOKIE = 'guichet_lang';

/** The visitor's language: their explicit choice, their account's, their browser's, else French. */
export function resolveLocale(request: FastifyRequest, area: 'client' | 'staff' = 'client'): Locale {
  // Only the languages the settings offer.
  const enabled: readonly Locale[] = request.settings?.locales.length ? request.settings.locales : ['fr', 'en'];
  const usable = (value: unknown): value is Locale => isLocale(value) && enabled.includes(value);
  const chosen = request.cookies[LANG_COOKIE];
  if (usable(chosen)) return chosen;
  const account = area === 'staff' ? request.staff : request.client;
  if (account && usable(account.locale)) return account.locale;
  const accept = request.headers['accept-language'];
  if (typeof accept === 'string') {
    for (const part of accept.split(',')) {
      const tag = part.split(';')[0]?.trim().slice(0, 2).toLowerCase();
      if (usable(tag)) return tag;
    }
  }
  const fallback = request.server.deps.config.DEFAULT_LOCALE;
  return usable(fallback) ? fallback : (enabled[0] ?? fallback);
}

export function translator(request: FastifyRequest, area: 'client' | 'staff' = 'client'): Messages {
  return messages(resolveLocale(request, area));
}

export function pageContext(
  request: FastifyRequest,
  reply: FastifyReply,
  options: { area?: 'client' | 'staff'; flash?: PageContext['flash'] } = {},
): PageContext {
  const area = options.area ?? 'client';
  const locale = resolveLocale(request, area);
  const account = area === 'staff' ? request.staff : request.client;
  return {
    locale,
    t: messages(locale),
    path: request.url,
    csrfToken: reply.generateCsrf(),
    branding: brandingOf(request),
    user: account ? { name: account.full_name, kind: area, admin: area === 'staff' && account.is_admin } : undefined,
    flash: options.flash,
    view:
      area === 'client' && request.clientView
        ? {
            id: request.clientView.id,
            clientName: request.clientView.client.full_name,
            reason: request.clientView.reason,
            until: formatDateTime(request.clientView.expiresAt, locale),
          }
        : undefined,
  };
}

function brandingOf(request: FastifyRequest): PageContext['branding'] {
  const settings = request.settings;
  if (!settings) return undefined;
  const version = settings.updatedAt.getTime().toString(36);
  return { version, logo: settings.logo !== null, languageSwitch: settings.locales.length > 1 };
}

export function sendPage(reply: FastifyReply, page: { toString(): string }, status = 200): FastifyReply {
  return reply
    .status(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(page.toString());
}
