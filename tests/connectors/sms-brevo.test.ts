// The Brevo SMS provider against a local HTTP server standing in for Brevo (no Brevo server is
// reachable from the development machines): the server checks the documented request (POST
// /v3/transactionalSMS/sms, `api-key` header, JSON body with sender, recipient as international
// digits, content, type transactional, unicodeEnabled matching the text's encoding) and answers
// Brevo's documented success (201) and error bodies (400, 401, 402, 5xx), which the provider turns
// into ConnectorErrors, retryable or not.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConnectorError } from '../../connectors/errors.js';
import { createBrevoSmsProvider, createSmsProvider, type SmsProvider } from '../../connectors/sms/index.js';
import { capSms, smsMessage, smsSegments } from '../../domain/sms-segments.js';
import { loadConfig, ConfigError } from '../../config.js';

const API_KEY = 'xkeysib-test-0123456789abcdef';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

/** The next answer the fake Brevo gives, and every request it received. */
let answer: { status: number; body: unknown } = { status: 201, body: {} };
let received: Received[] = [];
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        body = { unparsable: text };
      }
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      // Brevo's own checks, as documented: the key, the path, the JSON content type.
      if (req.headers['api-key'] !== API_KEY) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: 'unauthorized', message: 'Key not found' }));
        return;
      }
      if (req.method !== 'POST' || req.url !== '/v3/transactionalSMS/sms') {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: 'not_found', message: 'Not found' }));
        return;
      }
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v3`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  received = [];
  answer = { status: 201, body: {} };
});

function brevo(apiKey = API_KEY): SmsProvider {
  return createBrevoSmsProvider({ apiKey, sender: 'Guichet', baseUrl, timeoutMs: 2_000 });
}

/** Documented 201 body, with Brevo's count of parts for the text. */
function sent(content: string) {
  return {
    reference: 'ab1cde2fgh3i4jklmno',
    messageId: 1511882900176220,
    smsCount: smsSegments(content).parts,
    usedCredits: 0.7,
    remainingCredits: 82.85,
  };
}

async function failure(promise: Promise<unknown>): Promise<ConnectorError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConnectorError);
  return err as ConnectorError;
}

describe('Brevo transactional SMS', () => {
  it('sends the documented request for a GSM-7 text and reads the 201 answer', async () => {
    const text = capSms('Guichet : nouvelle réponse à "Relevé de charges 2026". Connectez-vous pour la lire.');
    expect(smsSegments(text)).toMatchObject({ encoding: 'gsm7', parts: 1 });
    answer = { status: 201, body: sent(text) };
    const result = await brevo().send(smsMessage('+33612345678', text));
    expect(result.id).toBe('brevo:1511882900176220');
    expect(received).toHaveLength(1);
    const request = received[0]!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/v3/transactionalSMS/sms');
    expect(request.headers['api-key']).toBe(API_KEY);
    expect(request.headers['content-type']).toMatch(/^application\/json/);
    expect(request.headers.accept).toMatch(/application\/json/);
    expect(request.headers.authorization).toBeUndefined();
    expect(request.body).toEqual({
      sender: 'Guichet',
      recipient: '33612345678',
      content: text,
      type: 'transactional',
      unicodeEnabled: false,
    });
    expect(smsSegments(request.body.content as string).parts).toBe(1);
    expect((request.body.content as string).length).toBeLessThanOrEqual(160);
  });

  it('asks for Unicode when the text needs UCS-2, and counts its segments as 70 / 67', async () => {
    // The typographic apostrophe is not in GSM-7: the whole text goes UCS-2.
    const long = `Votre dossier n’a pas changé ${'é'.repeat(10)} ${'x'.repeat(80)}`;
    expect(smsSegments(long)).toMatchObject({ encoding: 'ucs2', parts: 2 });
    const capped = capSms(long);
    expect(smsSegments(capped)).toMatchObject({ encoding: 'ucs2', parts: 1 });
    expect(capped.length).toBeLessThanOrEqual(70);
    answer = { status: 201, body: sent(capped) };
    await brevo().send(smsMessage('+32470123456', capped));
    expect(received[0]!.body).toMatchObject({ recipient: '32470123456', content: capped, unicodeEnabled: true });
    // Without an encoding given, any character beyond plain ASCII asks for Unicode too.
    answer = { status: 201, body: sent('Code ✓') };
    await brevo().send({ to: '+33612345678', body: 'Code ✓' });
    expect(received[1]!.body).toMatchObject({ unicodeEnabled: true });
  });

  it('sends a long GSM-7 text whole, as the 153-character parts Brevo counts', async () => {
    const text = `${'Rappel '.repeat(45)}fin`;
    expect(smsSegments(text)).toMatchObject({ encoding: 'gsm7', parts: 3 });
    answer = { status: 201, body: sent(text) };
    await brevo().send(smsMessage('+33700000001', text));
    expect(received[0]!.body.content).toBe(text);
    // The extension characters count twice: 80 € fill one SMS exactly, 81 need two.
    expect(smsSegments('€'.repeat(80)).parts).toBe(1);
    answer = { status: 201, body: sent('€'.repeat(81)) };
    await brevo().send(smsMessage('+33700000001', '€'.repeat(81)));
    expect(received[1]!.body).toMatchObject({ unicodeEnabled: false, content: '€'.repeat(81) });
  });

  it('refuses a recipient that is not E.164 or an empty text without calling Brevo', async () => {
    for (const to of ['0612345678', '33612345678', '+33 6 12 34 56 78', '+0612345678']) {
      const err = await failure(brevo().send({ to, body: 'Bonjour' }));
      expect(err).toMatchObject({ system: 'sms', code: 'invalid_request' });
      expect(err.transient).toBe(false);
    }
    expect((await failure(brevo().send({ to: '+33612345678', body: '  ' }))).code).toBe('invalid_request');
    expect(received).toHaveLength(0);
  });

  it('turns a refused key (401) into a final error that does not show the key', async () => {
    const err = await failure(brevo('wrong-key').send(smsMessage('+33612345678', 'Bonjour')));
    expect(err).toMatchObject({ system: 'sms', code: 'unauthorized', status: 401 });
    expect(err.transient).toBe(false);
    expect(err.message).toContain('Key not found');
    expect(`${err.message} ${JSON.stringify(err)}`).not.toContain('wrong-key');
    expect(received[0]!.headers['api-key']).toBe('wrong-key');
  });

  it('turns a bad request (400) into a final error with Brevo’s message', async () => {
    answer = { status: 400, body: { code: 'invalid_parameter', message: 'Invalid phone number' } };
    const err = await failure(brevo().send(smsMessage('+33612345678', 'Bonjour')));
    expect(err).toMatchObject({ system: 'sms', code: 'invalid_request', status: 400 });
    expect(err.message).toContain('Invalid phone number');
    expect(err.transient).toBe(false);
  });

  it('turns missing credits (402) into a final error saying so', async () => {
    answer = { status: 402, body: { code: 'not_enough_credits', message: 'Not enough credits' } };
    const err = await failure(brevo().send(smsMessage('+33612345678', 'Bonjour')));
    expect(err).toMatchObject({ system: 'sms', code: 'forbidden', status: 402 });
    expect(err.message).toContain('not enough SMS credits');
    expect(err.message).toContain('Not enough credits');
    expect(err.transient).toBe(false);
  });

  it('turns server failures (5xx) and throttling (429) into retryable errors, sending once', async () => {
    for (const status of [500, 502, 503]) {
      received = [];
      answer = { status, body: { code: 'internal_error', message: 'Internal error' } };
      const err = await failure(brevo().send(smsMessage('+33612345678', 'Bonjour')));
      expect(err).toMatchObject({ system: 'sms', code: 'unavailable', status });
      expect(err.transient).toBe(true);
      // Never repeated by the connector: Temporal decides, so nobody gets the SMS twice.
      expect(received).toHaveLength(1);
    }
    answer = { status: 429, body: { code: 'too_many_requests', message: 'Too many requests' } };
    const throttled = await failure(brevo().send(smsMessage('+33612345678', 'Bonjour')));
    expect(throttled).toMatchObject({ code: 'rate_limited' });
    expect(throttled.transient).toBe(true);
  });

  it('treats an unreachable Brevo as retryable and a 201 without an id as unexpected', async () => {
    const closed = createBrevoSmsProvider({ apiKey: API_KEY, sender: 'Guichet', baseUrl: 'http://127.0.0.1:9/v3' });
    const down = await failure(closed.send(smsMessage('+33612345678', 'Bonjour')));
    expect(down.transient).toBe(true);
    answer = { status: 201, body: {} };
    expect((await failure(brevo().send(smsMessage('+33612345678', 'Bonjour')))).code).toBe('unexpected');
  });

  it('is chosen by SMS_PROVIDER=brevo, which refuses to start without its key or with a bad sender', () => {
    expect(() => loadConfig({ SMS_PROVIDER: 'brevo' })).toThrow(ConfigError);
    expect(() => loadConfig({ SMS_PROVIDER: 'brevo' })).toThrow(/BREVO_API_KEY: required when SMS_PROVIDER=brevo/);
    expect(() => loadConfig({ SMS_PROVIDER: 'brevo', BREVO_API_KEY: 'k', SMS_SENDER: 'Guichet-Syndic!' })).toThrow(
      /SMS_SENDER/,
    );
    expect(() => loadConfig({ SMS_PROVIDER: 'ovh' })).toThrow(/SMS_PROVIDER/);
    const config = loadConfig({ SMS_PROVIDER: 'brevo', BREVO_API_KEY: API_KEY, BREVO_API_URL: baseUrl });
    const provider = createSmsProvider({
      provider: config.SMS_PROVIDER,
      outbox: () => Promise.reject(new Error('not the development provider')),
      brevo: { apiKey: config.BREVO_API_KEY!, sender: config.SMS_SENDER, baseUrl: config.BREVO_API_URL },
    });
    expect(provider).toMatchObject({ name: 'brevo', delivers: true });
    expect(loadConfig({}).SMS_PROVIDER).toBe('development');
  });
});
