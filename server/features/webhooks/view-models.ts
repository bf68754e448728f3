// What the webhook pages show, made from the rows: an endpoint's summary, and its latest
// deliveries with their attempts (times in the administrator's language).
import type { WebhookEndpoint } from '../../../db/database.js';
import type { DeliveryWithAttempts } from '../../../db/webhooks.js';
import { formatDateTime, type Locale } from '../../../i18n/index.js';

export interface EndpointView {
  id: string;
  url: string;
  description: string;
  events: string[];
  /** Names of the spaces it is limited to; empty: every space. */
  spaces: string[];
  paused: boolean;
  pausedAt: string | null;
  secret: string;
}

export interface DeliveryView {
  id: string;
  type: string;
  status: string;
  created: string;
  attempts: Array<{ when: string; status: number | null; ms: number; ok: boolean; error: string | null }>;
}

export function endpointViewOf(e: WebhookEndpoint, spaceNames: Map<string, string>, locale: Locale): EndpointView {
  return {
    id: e.id,
    url: e.url,
    description: e.description,
    events: e.events,
    spaces: (e.space_ids ?? []).map((id) => spaceNames.get(id) ?? id),
    paused: e.status === 'paused',
    pausedAt: e.paused_at ? formatDateTime(e.paused_at, locale) : null,
    secret: e.secret,
  };
}

export function deliveryViewOf(d: DeliveryWithAttempts, locale: Locale): DeliveryView {
  return {
    id: d.id,
    type: d.type,
    status: d.status,
    created: formatDateTime(d.created_at, locale),
    attempts: d.attemptList.map((a) => ({
      when: formatDateTime(a.attempted_at, locale),
      status: a.status_code,
      ms: a.duration_ms,
      ok: a.ok,
      error: a.error,
    })),
  };
}
