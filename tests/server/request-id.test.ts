// Request ids in the logs: every log line of a request carries `reqId`, taken from X-Request-Id
// only when the connection comes from a trusted proxy (TRUSTED_PROXIES) and the value looks like
// an id; otherwise generated. The answer carries it back.
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type RunningSystem } from '../../runtime/system.js';
import { testConfig } from '../helpers/system.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Captured {
  system: RunningSystem;
  lines: Array<Record<string, unknown>>;
}

async function serverWithLogs(trustedProxies: string): Promise<Captured> {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const config = await testConfig({ TRUSTED_PROXIES: trustedProxies, LOG_LEVEL: 'info' });
  const system = await startSystem({ config, server: true, worker: false, logger: pino({ level: 'info' }, sink) });
  return { system, lines };
}

let behindProxy: Captured;
let proxyElsewhere: Captured;

beforeAll(async () => {
  behindProxy = await serverWithLogs('127.0.0.1');
  proxyElsewhere = await serverWithLogs('10.0.0.0/8');
});

afterAll(async () => {
  await behindProxy?.system.stop();
  await proxyElsewhere?.system.stop();
});

function linesOf(captured: Captured, reqId: string) {
  return captured.lines.filter((l) => l.reqId === reqId);
}

describe('request ids', () => {
  it("takes a trusted proxy's X-Request-Id and logs every line of the request under it", async () => {
    const res = await behindProxy.system.app!.inject({
      url: '/health',
      remoteAddress: '127.0.0.1',
      headers: { 'x-request-id': 'proxy-4f2a-91' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-request-id']).toBe('proxy-4f2a-91');
    const logged = linesOf(behindProxy, 'proxy-4f2a-91');
    expect(logged.map((l) => l.msg)).toEqual(expect.arrayContaining(['incoming request', 'request completed']));
  });

  it('generates the id when the header does not come from a trusted proxy', async () => {
    const res = await proxyElsewhere.system.app!.inject({
      url: '/health',
      remoteAddress: '127.0.0.1',
      headers: { 'x-request-id': 'chosen-by-the-caller' },
    });
    const id = String(res.headers['x-request-id']);
    expect(id).toMatch(UUID);
    expect(linesOf(proxyElsewhere, id).length).toBeGreaterThan(0);
    expect(proxyElsewhere.lines.some((l) => JSON.stringify(l).includes('chosen-by-the-caller'))).toBe(false);
  });

  it("generates the id when a trusted proxy's value does not look like one", async () => {
    for (const value of ['two words', 'x'.repeat(129), 'a\u00e9b']) {
      const res = await behindProxy.system.app!.inject({
        url: '/health',
        remoteAddress: '127.0.0.1',
        headers: { 'x-request-id': value },
      });
      expect(String(res.headers['x-request-id']), value).toMatch(UUID);
    }
  });

  it('generates a different id per request without any header', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const res = await behindProxy.system.app!.inject({ url: '/health', remoteAddress: '127.0.0.1' });
      ids.add(String(res.headers['x-request-id']));
    }
    expect(ids.size).toBe(3);
    for (const id of ids) expect(id).toMatch(UUID);
  });
});
