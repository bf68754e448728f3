// Which connections may name their request id: the TRUSTED_PROXIES lookup behind genReqId, with
// IPv4, IPv6, ranges and IPv4-mapped addresses (a dual-stack socket's view of an IPv4 proxy).
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { requestIdGenerator } from '../../../server/request-id.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function request(remoteAddress: string, id?: string): IncomingMessage {
  return { headers: id === undefined ? {} : { 'x-request-id': id }, socket: { remoteAddress } } as IncomingMessage;
}

describe('requestIdGenerator', () => {
  const generate = requestIdGenerator(['10.0.0.0/24', '192.168.1.7', 'fd00::/8']);

  it('takes the id from a trusted proxy, an address or a range, IPv4-mapped included', () => {
    expect(generate(request('10.0.0.42', 'abc-1'))).toBe('abc-1');
    expect(generate(request('::ffff:10.0.0.42', 'abc-2'))).toBe('abc-2');
    expect(generate(request('192.168.1.7', 'abc-3'))).toBe('abc-3');
    expect(generate(request('fd12::1', 'abc-4'))).toBe('abc-4');
  });

  it('generates one for anybody else, or for a value that is not an id', () => {
    expect(generate(request('10.0.1.1', 'abc'))).toMatch(UUID);
    expect(generate(request('192.168.1.8', 'abc'))).toMatch(UUID);
    expect(generate(request('::1', 'abc'))).toMatch(UUID);
    expect(generate(request('10.0.0.1', 'a b'))).toMatch(UUID);
    expect(generate(request('10.0.0.1', 'x'.repeat(129)))).toMatch(UUID);
    expect(generate(request('10.0.0.1', 'line\nbreak'))).toMatch(UUID);
    expect(generate(request('10.0.0.1'))).toMatch(UUID);
  });

  it('trusts nobody without TRUSTED_PROXIES', () => {
    expect(requestIdGenerator([])(request('127.0.0.1', 'abc'))).toMatch(UUID);
  });
});
