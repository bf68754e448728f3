// The rules of signed webhooks, pure: the events, when a failed delivery is tried again, when an
// endpoint that keeps failing is paused, and which target addresses are refused (SSRF).
import { isIP } from 'node:net';

export const WEBHOOK_EVENT_TYPES = [
  'piece.deposited',
  'piece.validated',
  'piece.refused',
  'case.completed',
  'message.received',
  'conversation.resolved',
  'satisfaction.answered',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export function isWebhookEventType(value: string): value is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
}

/** A delivery is retried for this long after its event (or its replay, or the endpoint's resume). */
export const RETRY_WINDOW_MS = 3 * 24 * 3600_000;
/** An endpoint whose every attempt failed for this long is paused and the administrators told. */
export const PAUSE_AFTER_FAILING_MS = 24 * 3600_000;
const FIRST_RETRY_MS = 30_000;
const LONGEST_RETRY_MS = 4 * 3600_000;

/** The wait after the `attempts`-th failed attempt: 30 s, 1 min, 2 min… doubling, at most 4 h. */
export function retryDelayMs(attempts: number): number {
  return Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1));
}

/** Whether an endpoint failing since `failingSince` is to be paused at `now`. */
export function shouldPause(failingSince: Date | null, now: Date): boolean {
  return failingSince !== null && now.getTime() - failingSince.getTime() >= PAUSE_AFTER_FAILING_MS;
}

/** What is known of a target once its host is resolved. */
export type AddressKind = 'public' | 'loopback' | 'private';

/** Loopback, private, link-local, unique-local, CGNAT, unspecified and multicast: not public. */
export function addressKind(address: string): AddressKind {
  const v = isIP(address);
  if (v === 4) return ipv4Kind(address);
  if (v === 6) {
    const a = address.toLowerCase();
    if (a === '::1') return 'loopback';
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
    if (mapped) return ipv4Kind(mapped[1]!);
    // The same, as URL parsers write it: ::ffff:a00:1 is 10.0.0.1.
    const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(a);
    if (hex) {
      const [high, low] = [parseInt(hex[1]!, 16), parseInt(hex[2]!, 16)];
      return ipv4Kind(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`);
    }
    if (a === '::' || /^f[cd]/.test(a) || /^fe[89ab]/.test(a) || a.startsWith('ff')) return 'private';
    return 'public';
  }
  return 'private';
}

function ipv4Kind(address: string): AddressKind {
  const [a = 0, b = 0] = address.split('.').map(Number);
  if (a === 127) return 'loopback';
  if (
    a === 0 ||
    a === 10 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 198 && (b === 18 || b === 19)) ||
    a >= 224
  )
    return 'private';
  return 'public';
}

export interface TargetPolicy {
  /** http:// and loopback targets (development, tests). */
  allowLoopback: boolean;
  /** Targets on private networks (an intranet receiver). */
  allowPrivateNetworks: boolean;
}

/** Whether a resolved address may be called. */
export function addressAllowed(address: string, policy: TargetPolicy): boolean {
  const kind = addressKind(address);
  if (kind === 'public') return true;
  if (kind === 'loopback') return policy.allowLoopback;
  return policy.allowPrivateNetworks;
}

export type UrlProblem = 'invalid' | 'scheme' | 'credentials' | 'address';

/** What is wrong with a URL an administrator typed, before any resolution (null: nothing). */
export function urlProblem(raw: string, policy: TargetPolicy): UrlProblem | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'invalid';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'scheme';
  if (url.username || url.password) return 'credentials';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const literal = isIP(host) !== 0;
  const loopbackName = host === 'localhost' || host.endsWith('.localhost');
  const isLoopback = loopbackName || (literal && addressKind(host) === 'loopback');
  if (url.protocol === 'http:' && !(policy.allowLoopback && isLoopback)) return 'scheme';
  if (isLoopback) return policy.allowLoopback ? null : 'address';
  if (literal && !addressAllowed(host, policy)) return 'address';
  return null;
}
