// The webhook sender: signs a JSON body with the Standard Webhooks scheme and POSTs it once, with a
// timeout, following no redirect. The caller decides which resolved addresses may be called (the
// check runs on the address actually connected to, so a name that resolves to an intranet address
// later is refused too). One attempt per call: retries are the delivery workflow's.
import { createHmac, randomBytes } from 'node:crypto';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';

export const SECRET_PREFIX = 'whsec_';

/** A new endpoint secret: `whsec_` + 32 random bytes in base64. */
export function newWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, keyed by the secret's base64-decoded bytes. */
export function webhookSignature(secret: string, id: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`;
}

export interface WebhookPost {
  url: string;
  secret: string;
  /** The `webhook-id`: the same for every attempt of one event, so receivers can drop doubles. */
  id: string;
  timestampSeconds: number;
  body: string;
  timeoutMs: number;
  /** Whether the resolved address may be called. */
  addressAllowed: (address: string) => boolean;
}

export interface WebhookResult {
  /** A 2xx answer. */
  ok: boolean;
  status: number | null;
  durationMs: number;
  /** What went wrong, short (no header, no secret): for the attempts shown in the back-office. */
  error: string | null;
}

const EXCERPT = 200;

export class BlockedAddressError extends Error {
  override name = 'BlockedAddressError';
}

function guardedLookup(allowed: (address: string) => boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const usable = addresses.filter((a) => allowed(a.address));
      if (usable.length === 0)
        return callback(new BlockedAddressError('the address is not allowed for webhooks'), '', 0);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, usable);
      const first = usable[0]!;
      callback(null, first.address, first.family);
    });
  };
}

/** One signed POST; never throws: every outcome is a result. */
export async function postWebhook(post: WebhookPost): Promise<WebhookResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let url: URL;
  try {
    url = new URL(post.url);
  } catch {
    return { ok: false, status: null, durationMs: 0, error: 'invalid URL' };
  }
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  if (/^[\d.]+$|:/.test(literal) && !post.addressAllowed(literal))
    return { ok: false, status: null, durationMs: 0, error: 'the address is not allowed for webhooks' };
  const transport = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : undefined;
  if (!transport) return { ok: false, status: null, durationMs: 0, error: 'unsupported scheme' };
  const body = Buffer.from(post.body, 'utf8');
  return new Promise<WebhookResult>((resolve) => {
    const request = transport.request(
      url,
      {
        method: 'POST',
        lookup: guardedLookup(post.addressAllowed),
        timeout: post.timeoutMs,
        headers: {
          'content-type': 'application/json',
          'content-length': String(body.length),
          'user-agent': 'Guichet-Webhooks/1',
          'webhook-id': post.id,
          'webhook-timestamp': String(post.timestampSeconds),
          'webhook-signature': webhookSignature(post.secret, post.id, post.timestampSeconds, post.body),
        },
      },
      (response) => {
        const status = response.statusCode ?? 0;
        const ok = status >= 200 && status < 300;
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          if (size < EXCERPT) chunks.push(chunk);
          size += chunk.length;
        });
        response.on('end', () => {
          const excerpt = Buffer.concat(chunks).toString('utf8').slice(0, EXCERPT).replace(/\s+/g, ' ').trim();
          const error = ok ? null : `HTTP ${status}${excerpt ? `: ${excerpt}` : ''}`;
          resolve({ ok, status, durationMs: elapsed(), error });
        });
        response.on('error', (err) => resolve({ ok: false, status, durationMs: elapsed(), error: brief(err) }));
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${post.timeoutMs} ms`)));
    request.on('error', (err) => resolve({ ok: false, status: null, durationMs: elapsed(), error: brief(err) }));
    request.end(body);
  });
}

function brief(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  return (code ? `${code}: ` : '') + err.message.slice(0, EXCERPT);
}
