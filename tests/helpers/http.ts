// A cookie-keeping client over app.inject, which reads forms like a browser would.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

export class Browser {
  private readonly cookies = new Map<string, string>();
  constructor(private readonly app: FastifyInstance) {}

  private remember(res: LightMyRequestResponse) {
    for (const c of res.cookies as Array<{ name: string; value: string; maxAge?: number; expires?: Date }>) {
      const expired = c.maxAge === 0 || (c.expires !== undefined && c.expires.getTime() < Date.now()) || c.value === '';
      if (expired) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  setCookie(name: string, value: string): void {
    this.cookies.set(name, value);
  }

  private header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const res = await this.app.inject({ method: 'GET', url, headers: { cookie: this.header(), ...headers } });
    this.remember(res);
    return res;
  }

  /** Posts a form, with the CSRF token read from the page at formUrl unless one is given. */
  async post(url: string, fields: Record<string, string>, options: { formUrl?: string; csrf?: string | null } = {}): Promise<LightMyRequestResponse> {
    let token = options.csrf;
    if (token === undefined) {
      const page = await this.get(options.formUrl ?? url);
      token = csrfToken(page.body);
    }
    const body = new URLSearchParams({ ...fields, ...(token ? { _csrf: token } : {}) }).toString();
    const res = await this.app.inject({
      method: 'POST',
      url,
      payload: body,
      headers: { cookie: this.header(), 'content-type': 'application/x-www-form-urlencoded' },
    });
    this.remember(res);
    return res;
  }

  async login(email: string, password: string, area: 'client' | 'staff' = 'client'): Promise<LightMyRequestResponse> {
    const url = area === 'client' ? '/connexion' : '/back-office/connexion';
    return this.post(url, { email, password });
  }
}

export function csrfToken(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no CSRF token on the page');
  return match[1];
}
