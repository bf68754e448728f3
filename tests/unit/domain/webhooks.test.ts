// The webhook rules: which targets an administrator may register (SSRF), the retry schedule
// (covering 3 days), the 24-hour pause, and the Standard Webhooks signature, checked against the
// independent `standardwebhooks` package.
import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import {
  addressAllowed,
  addressKind,
  PAUSE_AFTER_FAILING_MS,
  RETRY_WINDOW_MS,
  retryDelayMs,
  shouldPause,
  urlProblem,
} from '../../../domain/webhooks.js';
import { newWebhookSecret, webhookSignature } from '../../../connectors/webhooks/index.js';

const strict = { allowLoopback: false, allowPrivateNetworks: false };
const dev = { allowLoopback: true, allowPrivateNetworks: false };

describe('webhook targets', () => {
  it('accepts public https URLs only, by default', () => {
    expect(urlProblem('https://erp.example.com/hooks', strict)).toBeNull();
    expect(urlProblem('https://93.184.216.34/hooks', strict)).toBeNull();
    expect(urlProblem('http://erp.example.com/hooks', strict)).toBe('scheme');
    expect(urlProblem('ftp://erp.example.com/hooks', strict)).toBe('scheme');
    expect(urlProblem('javascript:alert(1)', strict)).toBe('scheme');
    expect(urlProblem('not a url', strict)).toBe('invalid');
    expect(urlProblem('https://a:b@erp.example.com/', strict)).toBe('credentials');
    for (const host of [
      '127.0.0.1',
      'localhost',
      'api.localhost',
      '[::1]',
      '10.0.0.8',
      '192.168.1.2',
      '172.20.0.1',
      '169.254.169.254',
      '[fd00::1]',
      '[::ffff:10.0.0.1]',
      '0.0.0.0',
      '100.64.0.1',
    ])
      expect(urlProblem(`https://${host}/hooks`, strict), host).toBe('address');
  });

  it('allows http to loopback only when the run says so, never to other private addresses', () => {
    expect(urlProblem('http://127.0.0.1:4000/hooks', dev)).toBeNull();
    expect(urlProblem('http://localhost:4000/hooks', dev)).toBeNull();
    expect(urlProblem('http://10.0.0.8/hooks', dev)).toBe('scheme');
    expect(urlProblem('https://10.0.0.8/hooks', dev)).toBe('address');
    expect(urlProblem('https://10.0.0.8/hooks', { ...strict, allowPrivateNetworks: true })).toBeNull();
  });

  it('classifies resolved addresses', () => {
    expect(addressKind('8.8.8.8')).toBe('public');
    expect(addressKind('2001:4860:4860::8888')).toBe('public');
    expect(addressKind('127.0.0.53')).toBe('loopback');
    expect(addressKind('::1')).toBe('loopback');
    expect(addressKind('fe80::1')).toBe('private');
    expect(addressKind('224.0.0.1')).toBe('private');
    expect(addressAllowed('127.0.0.1', strict)).toBe(false);
    expect(addressAllowed('127.0.0.1', dev)).toBe(true);
    expect(addressAllowed('192.168.0.1', dev)).toBe(false);
  });
});

describe('retries and pause', () => {
  it('backs off from 30 s, doubling, to 4 h at most, and keeps trying through 3 days', () => {
    expect([1, 2, 3, 4].map(retryDelayMs)).toEqual([30_000, 60_000, 120_000, 240_000]);
    expect(retryDelayMs(30)).toBe(4 * 3600_000);
    let elapsed = 0;
    let attempts = 0;
    while (elapsed < RETRY_WINDOW_MS) elapsed += retryDelayMs(++attempts);
    expect(attempts).toBeGreaterThan(20);
    expect(attempts).toBeLessThan(40);
  });

  it('pauses after 24 hours of failures only', () => {
    const since = new Date('2026-12-01T10:00:00Z');
    expect(shouldPause(null, new Date())).toBe(false);
    expect(shouldPause(since, new Date(since.getTime() + PAUSE_AFTER_FAILING_MS - 1))).toBe(false);
    expect(shouldPause(since, new Date(since.getTime() + PAUSE_AFTER_FAILING_MS))).toBe(true);
  });
});

describe('signature', () => {
  it('is what the standardwebhooks package signs and verifies', () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const body = JSON.stringify({
      type: 'piece.deposited',
      timestamp: '2026-12-06T10:00:00.000Z',
      data: { caseId: 'c' },
    });
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = webhookSignature(secret, 'evt-1', timestamp, body);
    const reference = new Webhook(secret);
    expect(signature).toBe(reference.sign('evt-1', new Date(timestamp * 1000), body));
    const headers = { 'webhook-id': 'evt-1', 'webhook-timestamp': String(timestamp), 'webhook-signature': signature };
    expect(reference.verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow();
    expect(() => reference.verify(body.replace('"c"', '"d"'), headers)).toThrow();
  });
});
