// How many SMS one text costs, the way networks count it (3GPP TS 23.038 / 23.040): a text that
// fits the GSM-7 default alphabet takes 160 characters in one SMS, 153 per part once concatenated
// (the 7 others carry the concatenation header); the characters of the GSM-7 extension table
// (€ [ ] { } \ ~ ^ | and the form feed) take two places each. Any other character puts the whole
// text in UCS-2: 70 per SMS, 67 per part, and a character outside the Basic Multilingual Plane
// (most emoji) takes two places. The notifier caps its texts with `capSms` so that a notification
// stays one SMS.

/** The GSM 03.38 basic character set (the escape character excepted). */
const GSM7_BASIC = new Set(
  Array.from(
    '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
      '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
  ),
);
/** The GSM 03.38 extension table: an escape plus the character, two places. */
const GSM7_EXTENSION = new Set(Array.from('\f^{}\\[~]|€'));

export type SmsEncoding = 'gsm7' | 'ucs2';

export interface SmsSegments {
  encoding: SmsEncoding;
  /** Places the text takes (septets for GSM-7, 16-bit units for UCS-2). */
  units: number;
  /** SMS parts the text is sent as (1 for an empty text). */
  parts: number;
  /** Places left in the last part before another part is needed. */
  remaining: number;
}

export const SMS_LIMITS = {
  gsm7: { single: 160, part: 153 },
  ucs2: { single: 70, part: 67 },
} as const;

/** The encoding a text needs: GSM-7 when every character is in its two tables. */
export function smsEncoding(text: string): SmsEncoding {
  for (const char of text) if (!GSM7_BASIC.has(char) && !GSM7_EXTENSION.has(char)) return 'ucs2';
  return 'gsm7';
}

/** Places one text takes in an encoding. */
function unitsOf(text: string, encoding: SmsEncoding): number {
  if (encoding === 'ucs2') return text.length; // UTF-16 code units: a surrogate pair counts 2
  let units = 0;
  for (const char of text) units += GSM7_EXTENSION.has(char) ? 2 : 1;
  return units;
}

export function smsSegments(text: string): SmsSegments {
  const encoding = smsEncoding(text);
  const units = unitsOf(text, encoding);
  const limits = SMS_LIMITS[encoding];
  if (units <= limits.single) return { encoding, units, parts: 1, remaining: limits.single - units };
  const parts = Math.ceil(units / limits.part);
  return { encoding, units, parts, remaining: parts * limits.part - units };
}

/**
 * The text cut so that it fits `maxParts` SMS, ending with `ellipsis` when it was cut. Cuts fall
 * between whole characters (never inside an escape pair or a surrogate pair), and the ellipsis is
 * counted in the text's encoding (… alone would move a GSM-7 text to UCS-2, so "..." is used there).
 */
export function capSms(text: string, maxParts = 1): string {
  if (smsSegments(text).parts <= maxParts) return text;
  const encoding = smsEncoding(text);
  const ellipsis = encoding === 'gsm7' ? '...' : '…';
  const limits = SMS_LIMITS[encoding];
  const budget = (maxParts === 1 ? limits.single : maxParts * limits.part) - unitsOf(ellipsis, encoding);
  let used = 0;
  let out = '';
  for (const char of text) {
    const cost = encoding === 'ucs2' ? char.length : GSM7_EXTENSION.has(char) ? 2 : 1;
    if (used + cost > budget) break;
    used += cost;
    out += char;
  }
  return out.trimEnd() + ellipsis;
}

/** An SMS ready for the connector: the recipient in E.164 and the text with its encoding. */
export function smsMessage(to: string, body: string): { to: string; body: string; encoding: SmsEncoding } {
  return { to, body, encoding: smsEncoding(body) };
}
