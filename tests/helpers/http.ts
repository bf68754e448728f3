// A cookie-keeping client over app.inject, which reads forms like a browser would.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

/** A private address of its own per browser: rate limits count per address, as for people. */
function randomAddress(): string {
  const [a, b, c] = randomBytes(3);
  return `10.${a}.${b}.${Math.max(1, c!)}`;
}

export class Browser {
  private readonly cookies = new Map<string, string>();
  /** The address the server sees (request.ip). */
  readonly ip: string;
  constructor(
    private readonly app: FastifyInstance,
    options: { ip?: string } = {},
  ) {
    this.ip = options.ip ?? randomAddress();
  }

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
    const res = await this.app.inject({
      method: 'GET',
      url,
      remoteAddress: this.ip,
      headers: { cookie: this.header(), ...headers },
    });
    this.remember(res);
    return res;
  }

  /** Posts a form, with the CSRF token read from the page at formUrl unless one is given. */
  async post(
    url: string,
    fields: Record<string, string>,
    options: { formUrl?: string; csrf?: string | null } = {},
  ): Promise<LightMyRequestResponse> {
    let token = options.csrf;
    if (token === undefined) {
      const page = await this.get(options.formUrl ?? url);
      token = csrfToken(page.body);
    }
    const body = new URLSearchParams({ ...fields, ...(token ? { _csrf: token } : {}) }).toString();
    const res = await this.app.inject({
      method: 'POST',
      url,
      remoteAddress: this.ip,
      payload: body,
      headers: { cookie: this.header(), 'content-type': 'application/x-www-form-urlencoded' },
    });
    this.remember(res);
    return res;
  }

  /**
   * Posts a multipart form as a browser does: the CSRF token first (read from the page at formUrl
   * unless given; `csrfLast` puts it after the files), the fields in order, then the files.
   */
  async postMultipart(
    url: string,
    fields: Record<string, string>,
    files: UploadFile[],
    options: { formUrl?: string; csrf?: string | null; csrfLast?: boolean } = {},
  ): Promise<LightMyRequestResponse> {
    let token = options.csrf;
    if (token === undefined) {
      const page = await this.get(options.formUrl ?? url);
      token = csrfToken(page.body);
    }
    const tokenPart: FormPart[] = token ? [{ name: '_csrf', value: token }] : [];
    const parts: FormPart[] = [
      ...(options.csrfLast ? [] : tokenPart),
      ...Object.entries(fields).map(([name, value]) => ({ name, value })),
      ...files.map((f) => ({ name: f.field ?? 'files', file: f })),
      ...(options.csrfLast ? tokenPart : []),
    ];
    const { body, contentType } = multipartBody(parts);
    const res = await this.app.inject({
      method: 'POST',
      url,
      remoteAddress: this.ip,
      payload: body,
      headers: { cookie: this.header(), 'content-type': contentType },
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

export interface UploadFile {
  filename: string;
  content: Buffer;
  contentType?: string;
  /** The form field; `files` unless given. */
  field?: string;
}

export type FormPart = { name: string; value: string } | { name: string; file: UploadFile };

/** A multipart/form-data body as browsers write it (file names quoted, `"` CR LF percent-encoded). */
export function multipartBody(parts: FormPart[]): { body: Buffer; contentType: string } {
  const boundary = `----guichet-test-${randomBytes(12).toString('hex')}`;
  const quote = (text: string) => text.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const chunks: Buffer[] = [];
  for (const part of parts) {
    if ('value' in part) {
      chunks.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${quote(part.name)}"\r\n\r\n${part.value}\r\n`,
          'utf8',
        ),
      );
    } else {
      chunks.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${quote(part.name)}"; filename="${quote(part.file.filename)}"\r\n` +
            `Content-Type: ${part.file.contentType ?? 'application/octet-stream'}\r\n\r\n`,
          'utf8',
        ),
        part.file.content,
        Buffer.from('\r\n'),
      );
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}
