// The webhook sender against real sockets: a name that resolves to a refused address is never
// connected to (the check runs on the resolved address, not on the name typed), a silent receiver
// is given up after the timeout, and an answer is read without following redirects.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postWebhook } from '../../connectors/webhooks/index.js';
import { addressAllowed } from '../../domain/webhooks.js';

let hits = 0;
let server: http.Server;
let port = 0;

beforeAll(async () => {
  server = http.createServer((request, response) => {
    hits++;
    if (request.url === '/silent') return; // never answers
    if (request.url === '/redirect') return response.writeHead(302, { location: 'http://169.254.169.254/' }).end();
    response.writeHead(204).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const post = (path: string, allowLoopback: boolean, timeoutMs = 2000) =>
  postWebhook({
    url: `http://localhost:${port}${path}`,
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    id: 'evt-1',
    timestampSeconds: Math.floor(Date.now() / 1000),
    body: '{}',
    timeoutMs,
    addressAllowed: (a) => addressAllowed(a, { allowLoopback, allowPrivateNetworks: false }),
  });

describe('webhook sender', () => {
  it('refuses a name that resolves to loopback unless allowed, without connecting', async () => {
    const before = hits;
    const refused = await post('/ok', false);
    expect(refused).toMatchObject({ ok: false, status: null });
    expect(refused.error).toContain('not allowed');
    expect(hits).toBe(before);
    const literal = await postWebhook({
      url: `http://127.0.0.1:${port}/ok`,
      secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      id: 'evt-1',
      timestampSeconds: 0,
      body: '{}',
      timeoutMs: 2000,
      addressAllowed: () => false,
    });
    expect(literal.ok).toBe(false);
    expect(hits).toBe(before);
    expect(await post('/ok', true)).toMatchObject({ ok: true, status: 204, error: null });
    expect(hits).toBe(before + 1);
  });

  it('gives up on a silent receiver after the timeout, and follows no redirect', async () => {
    const silent = await post('/silent', true, 300);
    expect(silent.ok).toBe(false);
    expect(silent.error).toContain('no answer within 300 ms');
    const redirected = await post('/redirect', true);
    expect(redirected).toMatchObject({ ok: false, status: 302 });
  });
});
