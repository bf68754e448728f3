// The request id every log line of a request carries (Fastify's `reqId`). A proxy's
// X-Request-Id is taken only when the connection comes from one of TRUSTED_PROXIES (anyone
// else could choose the id their requests are logged under and blur them into someone else's)
// and only when it looks like an id; otherwise an id is generated. Answers carry it back
// (X-Request-Id), so that a person reporting a problem can quote it.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

export const REQUEST_ID_HEADER = 'x-request-id';

/** What a forwarded request id may look like: short, no spaces, nothing a log viewer would interpret. */
const ACCEPTABLE_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** The addresses and ranges of TRUSTED_PROXIES (already checked by config.ts) as a lookup. */
export function trustedProxyList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return list;
}

function fromTrustedProxy(proxies: BlockList, address: string | undefined): boolean {
  if (!address) return false;
  // An IPv4 peer on a dual-stack socket shows as ::ffff:a.b.c.d.
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (v4) return proxies.check(v4, 'ipv4') || proxies.check(address, 'ipv6');
  return proxies.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}

/** Fastify's genReqId: the trusted proxy's id, else a new UUID. */
export function requestIdGenerator(trustedProxies: readonly string[]): (req: IncomingMessage) => string {
  if (trustedProxies.length === 0) return () => randomUUID();
  const proxies = trustedProxyList(trustedProxies);
  return (req) => {
    const given = req.headers[REQUEST_ID_HEADER];
    if (typeof given === 'string' && ACCEPTABLE_ID.test(given) && fromTrustedProxy(proxies, req.socket?.remoteAddress))
      return given;
    return randomUUID();
  };
}
