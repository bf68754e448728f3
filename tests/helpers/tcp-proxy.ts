// A TCP proxy on the loopback interface between Guichet and a real service (Redmine), which a
// test or a benchmark switches off and on to play an outage, and which counts the HTTP requests
// that go through it.
//
// - `cut()` plays "the service is down": every open connection is closed and new ones are
//   refused (the listening socket is closed: ECONNREFUSED), or, with `{ mode: 'reset' }`,
//   accepted and closed at once (the service's host answers but the service does not).
// - `restore()` listens again, on the same port.
// - `cutOnAnswer(match)` cuts the moment the service starts answering a request that matches:
//   the request was carried out, its answer never arrives. The hardest case for a client that
//   must neither lose nor double a write.
// - Requests are read with a small HTTP/1.1 parser (request line, Content-Length, chunked
//   bodies), per connection, so keep-alive and request bodies do not confuse the count.
import net from 'node:net';

export interface ProxiedRequest {
  method: string;
  /** Path without the query string (which may carry personal data). */
  path: string;
  at: number;
}

export interface TcpProxy {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  readonly up: boolean;
  /** Requests seen since the start or the last `resetCount()`. */
  readonly requests: readonly ProxiedRequest[];
  /** Connections accepted and forwarded since the start. */
  readonly connections: number;
  /** Connections accepted and closed at once while cut in `reset` mode (refused ones never reach us). */
  readonly refused: number;
  resetCount(): void;
  cut(options?: { mode?: 'refuse' | 'reset' }): Promise<void>;
  restore(): Promise<void>;
  /** Resolves with the request whose answer was swallowed, once the proxy is cut. */
  cutOnAnswer(match: (request: ProxiedRequest) => boolean): Promise<ProxiedRequest>;
  close(): Promise<void>;
}

/** Reads the request heads of one HTTP/1.1 connection as bytes arrive. */
class RequestReader {
  private buffer: Buffer = Buffer.alloc(0);
  private state: 'head' | 'body' | 'chunk-size' | 'chunk-data' | 'chunk-trailer' = 'head';
  private remaining = 0;
  /** Requests whose answer has not started yet, oldest first (no pipelining from Node clients). */
  readonly awaiting: ProxiedRequest[] = [];

  constructor(private readonly onRequest: (request: ProxiedRequest) => void) {}

  push(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (this.state === 'head') {
        const end = this.buffer.indexOf('\r\n\r\n');
        if (end < 0) {
          if (this.buffer.length > 64 * 1024) this.buffer = Buffer.alloc(0); // not HTTP: give up counting
          return;
        }
        const head = this.buffer.subarray(0, end).toString('latin1');
        this.buffer = this.buffer.subarray(end + 4);
        const [line = '', ...headers] = head.split('\r\n');
        const [method = '?', target = '?'] = line.split(' ');
        const request = { method, path: target.split('?')[0] ?? target, at: Date.now() };
        this.awaiting.push(request);
        this.onRequest(request);
        const header = (name: string) =>
          headers
            .find((h) => h.toLowerCase().startsWith(`${name}:`))
            ?.slice(name.length + 1)
            .trim();
        if (/chunked/i.test(header('transfer-encoding') ?? '')) this.state = 'chunk-size';
        else {
          this.remaining = Number(header('content-length') ?? '0') || 0;
          this.state = this.remaining > 0 ? 'body' : 'head';
        }
      } else if (this.state === 'body' || this.state === 'chunk-data') {
        const take = Math.min(this.remaining, this.buffer.length);
        this.buffer = this.buffer.subarray(take);
        this.remaining -= take;
        if (this.remaining > 0) return;
        // A chunk's data is followed by CRLF, read as part of the next size line.
        this.state = this.state === 'body' ? 'head' : 'chunk-size';
      } else if (this.state === 'chunk-size') {
        const end = this.buffer.indexOf('\r\n');
        if (end < 0) return;
        const line = this.buffer.subarray(0, end).toString('latin1').trim();
        this.buffer = this.buffer.subarray(end + 2);
        if (line === '') continue; // the CRLF after a chunk's data
        const size = Number.parseInt(line.split(';')[0] ?? '0', 16) || 0;
        if (size === 0) this.state = 'chunk-trailer';
        else {
          this.remaining = size;
          this.state = 'chunk-data';
        }
      } else {
        const end = this.buffer.indexOf('\r\n');
        if (end < 0) return;
        const empty = end === 0;
        this.buffer = this.buffer.subarray(end + 2);
        if (empty) this.state = 'head';
      }
      if (this.buffer.length === 0) return;
    }
  }
}

export async function startTcpProxy(options: { target: string | URL; host?: string }): Promise<TcpProxy> {
  const target = new URL(options.target);
  const targetHost = target.hostname;
  const targetPort = Number(target.port || (target.protocol === 'https:' ? 443 : 80));
  const host = options.host ?? '127.0.0.1';
  const sockets = new Set<net.Socket>();
  let requests: ProxiedRequest[] = [];
  let connections = 0;
  let refused = 0;
  let mode: 'up' | 'refuse' | 'reset' = 'up';
  let closed = false;
  let trap: { match: (r: ProxiedRequest) => boolean; fire: (r: ProxiedRequest) => void } | undefined;
  let port = 0;

  const destroyAll = () => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };

  const onConnection = (client: net.Socket) => {
    if (mode !== 'up') {
      refused++;
      client.destroy();
      return;
    }
    connections++;
    const upstream = net.connect({ host: targetHost, port: targetPort });
    sockets.add(client);
    sockets.add(upstream);
    const reader = new RequestReader((r) => requests.push(r));
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', close);
    client.on('data', (chunk: Buffer) => {
      reader.push(chunk);
      if (!upstream.write(chunk)) client.pause();
    });
    upstream.on('drain', () => client.resume());
    upstream.on('data', (chunk: Buffer) => {
      // The answer to the oldest request starts: it is no longer awaiting one.
      const answered = reader.awaiting.shift();
      if (answered && trap?.match(answered)) {
        const fired = trap;
        trap = undefined;
        mode = 'refuse';
        destroyAll();
        server.close();
        fired.fire(answered);
        return;
      }
      if (!client.write(chunk)) upstream.pause();
    });
    client.on('drain', () => upstream.resume());
  };

  let server = net.createServer(onConnection);
  const listen = (wanted: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(wanted, host, () => {
        server.off('error', reject);
        const address = server.address();
        port = typeof address === 'object' && address ? address.port : wanted;
        resolve();
      });
    });
  await listen(0);

  const closeServer = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
    });

  return {
    get url() {
      return `http://${host}:${port}`;
    },
    get port() {
      return port;
    },
    get up() {
      return mode === 'up';
    },
    get requests() {
      return requests;
    },
    get connections() {
      return connections;
    },
    get refused() {
      return refused;
    },
    resetCount() {
      requests = [];
    },
    async cut(cutOptions = {}) {
      mode = cutOptions.mode ?? 'refuse';
      destroyAll();
      // Refuse: no one listens on the port any more. Reset: accept, then close at once.
      if (mode === 'refuse') await closeServer();
    },
    async restore() {
      if (closed) throw new Error('the proxy is closed');
      mode = 'up';
      if (!server.listening) {
        server = net.createServer(onConnection);
        await listen(port);
      }
    },
    cutOnAnswer(match) {
      return new Promise((resolve) => {
        trap = {
          match,
          fire: (r) => resolve(r),
        };
      });
    },
    async close() {
      closed = true;
      trap = undefined;
      mode = 'refuse';
      destroyAll();
      await closeServer();
    },
  };
}
