// A real webhook receiver for the tests (node:http on loopback): it checks every request's
// signature with the independent `standardwebhooks` package, keeps what it received, and answers
// as the test says (200, 503, or not listening at all: connection refused).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Received {
  id: string;
  /** The answer given. */
  status: number;
  /** The signature checked out with the endpoint's secret at that time. */
  verified: boolean;
  body: { type: string; timestamp: string; data: Record<string, unknown> };
}

export class Receiver {
  readonly received: Received[] = [];
  /** The status given to requests; a function decides per request when set. */
  answer: number | ((body: Received['body']) => number) = 200;
  secret = '';
  private server: http.Server | undefined;
  private portNumber = 0;

  get url(): string {
    return `http://127.0.0.1:${this.portNumber}/hooks`;
  }

  /** Listens (again on the same port after `stop`). */
  async start(): Promise<void> {
    const server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const headers = Object.fromEntries(
          Object.entries(request.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]),
        );
        let verified = false;
        try {
          new Webhook(this.secret).verify(raw, headers);
          verified = true;
        } catch {
          verified = false;
        }
        const body = JSON.parse(raw) as Received['body'];
        const status = typeof this.answer === 'function' ? this.answer(body) : this.answer;
        this.received.push({ id: headers['webhook-id'] ?? '', status, verified, body });
        response.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'unavailable');
      });
    });
    await new Promise<void>((resolve) => server.listen(this.portNumber, '127.0.0.1', resolve));
    this.portNumber = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops listening: requests are refused (ECONNREFUSED) until `start`. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The ids that were answered 2xx, with how many times each. */
  successes(): Map<string, number> {
    const out = new Map<string, number>();
    for (const r of this.received) if (r.status < 300) out.set(r.id, (out.get(r.id) ?? 0) + 1);
    return out;
  }
}
