// Cookie names and the transport headers that go with them. Over https the security cookies carry
// the `__Host-` prefix: the browser then keeps them only if they are Secure, for Path=/ and
// without Domain, so a sibling subdomain or a plain-http page cannot plant or overwrite them.
// The embedded run over http keeps plain names (a browser refuses `__Host-` without Secure).
import type { Config } from '../config.js';
import type { AccountKind } from '../db/database.js';

export interface CookieNames {
  session: Record<AccountKind, string>;
  /** A head of service's confidential view of a client's space. */
  view: string;
  csrf: string;
}

export function cookieNames(config: Pick<Config, 'cookieSecure'>): CookieNames {
  const prefix = config.cookieSecure ? '__Host-' : '';
  return {
    session: { client: `${prefix}guichet_session`, staff: `${prefix}guichet_staff` },
    view: `${prefix}guichet_view`,
    csrf: `${prefix}guichet_csrf`,
  };
}

/** Strict-Transport-Security when the public address is https: a year, subdomains included. */
export function hstsHeader(config: Pick<Config, 'publicUrl'>): string | undefined {
  return config.publicUrl.startsWith('https://') ? 'max-age=31536000; includeSubDomains' : undefined;
}
