// Brevo (ex-Sendinblue) transactional SMS, from Brevo's public API documentation:
//   https://developers.brevo.com/docs/transactional-sms-endpoints
//   https://developers.brevo.com/reference/sendtransacsms  (POST /v3/transactionalSMS/sms)
//   https://github.com/sendinblue/APIv3-php-library/blob/master/docs/Model/SendTransacSms.md
//   https://developers.brevo.com/changelog/deprecated-endpoint-post-v3transactionalsmssms
// The request: `POST {base}/transactionalSMS/sms`, header `api-key`, JSON
// `{ sender, recipient, content, type: "transactional", unicodeEnabled }`; the sender is at most 11
// alphanumeric characters or 15 digits; the recipient is the international number with its country
// code (digits, as in the documentation's example "33689965433"). Success: 201
// `{ reference, messageId, smsCount, usedCredits, remainingCredits }`. Errors: `{ code, message }`
// with 400 (bad request), 401 (key refused), 402 (not enough credits), 5xx.
// Brevo announced a newer `/transactionalSMS/send` endpoint and keeps `/sms` working; moving means
// changing only SEND_PATH and the answer's shape below.
// No Brevo server is reachable from the development machines: tests/connectors/sms-brevo.test.ts
// checks this contract against a local HTTP server.
import { ConnectorError } from '../errors.js';
import { createHttpClient, HttpError } from '../http.js';
import type { SmsMessage, SmsProvider } from './types.js';

export const BREVO_DEFAULT_BASE_URL = 'https://api.brevo.com/v3';
const SEND_PATH = '/transactionalSMS/sms';

export interface BrevoOptions {
  apiKey: string;
  /** Up to 11 letters and digits, or up to 15 digits. */
  sender: string;
  /** Default https://api.brevo.com/v3 (tests point it at a local server). */
  baseUrl?: string;
  timeoutMs?: number;
}

/** What Brevo answers a sent SMS with (201). */
interface BrevoSent {
  reference?: string;
  messageId?: number | string;
  smsCount?: number;
  usedCredits?: number;
  remainingCredits?: number;
}

const E164 = /^\+[1-9]\d{7,14}$/;

/** A sender Brevo takes: 11 alphanumeric characters at most (a letter among them), or 15 digits. */
export function brevoSenderProblem(sender: string): string | undefined {
  if (/^\d{1,15}$/.test(sender)) return undefined;
  if (/^[A-Za-z0-9 ]{1,11}$/.test(sender) && /[A-Za-z]/.test(sender)) return undefined;
  return 'must be at most 11 letters and digits, or at most 15 digits';
}

/** Printable ASCII but the backtick: characters every GSM-7 network carries. */
const PLAIN_ASCII = /^[\n\r\x20-\x5f\x61-\x7e]*$/;

export function createBrevoSmsProvider(options: BrevoOptions): SmsProvider {
  const problem = brevoSenderProblem(options.sender);
  if (problem) throw new Error(`Brevo SMS sender "${options.sender}" ${problem}`);
  const http = createHttpClient({
    system: 'sms',
    baseUrl: options.baseUrl ?? BREVO_DEFAULT_BASE_URL,
    headers: { 'api-key': options.apiKey },
    timeoutMs: options.timeoutMs ?? 15_000,
    // A POST is never repeated here: Temporal (or the person) decides, so nobody gets two SMS.
    retries: 0,
  });
  return {
    name: 'brevo',
    delivers: true,
    async send(message: SmsMessage) {
      if (!E164.test(message.to))
        throw new ConnectorError('sms', 'invalid_request', 'the recipient is not an E.164 number');
      if (message.body.trim() === '') throw new ConnectorError('sms', 'invalid_request', 'the text is empty');
      const unicode = message.encoding ? message.encoding === 'ucs2' : !PLAIN_ASCII.test(message.body);
      try {
        const res = await http.json<BrevoSent>({
          method: 'POST',
          path: SEND_PATH,
          json: {
            sender: options.sender,
            recipient: message.to.slice(1),
            content: message.body,
            type: 'transactional',
            unicodeEnabled: unicode,
          },
        });
        const id = res.data?.messageId ?? res.data?.reference;
        if (id === undefined || id === null || id === '')
          throw new ConnectorError(
            'sms',
            'unexpected',
            `Brevo answered ${res.status} without a message id`,
            res.status,
          );
        return { id: `brevo:${String(id)}` };
      } catch (err) {
        throw brevoError(err);
      }
    },
  };
}

/**
 * Brevo's refusals in our terms. 401 (key refused) and 400 (a bad number or sender) are ours to
 * fix; 402 (no credits left) needs someone to buy credits: no retry helps soon, so it is not
 * transient either. 429 and 5xx are brief: Temporal tries again.
 */
function brevoError(err: unknown): unknown {
  if (!(err instanceof HttpError) || err.status === undefined) return err;
  const detail = err.details.length > 0 ? `: ${err.details.join('; ')}` : '';
  if (err.status === 402)
    return new ConnectorError('sms', 'forbidden', `Brevo has not enough SMS credits${detail}`, 402, undefined, {
      cause: err,
    });
  return err;
}
