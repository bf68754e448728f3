// Phone numbers as clients type them, turned into E.164 (+33612345678) for storage and for the SMS
// provider. French numbers (the first audience) may be typed the French way: 06 12 34 56 78,
// 0612345678, 06.12.34.56.78, +33 6 12 34 56 78, 0033 6 12 34 56 78. Any other country is accepted
// with its +country prefix (or 00). Only the shape is checked (E.164: at most 15 digits, the
// country code never starts with 0); whether the number exists is for the confirmation SMS to show.

export type PhoneProblem = 'empty' | 'characters' | 'shape' | 'not-mobile';

export type PhoneResult = { ok: true; e164: string } | { ok: false; problem: PhoneProblem };

/** What a person may type around the digits: spaces (also non-breaking), dots, dashes, brackets. */
const SEPARATORS = /[\s.\-()\u00a0\u202f]/g;

/**
 * A number a client gives for SMS, in E.164. French numbers must be mobiles (06, 07: SMS reach no
 * landline); foreign ones are taken as given, with their country code.
 */
export function normalisePhone(typed: string): PhoneResult {
  const compact = typed.trim().replace(SEPARATORS, '');
  if (compact === '') return { ok: false, problem: 'empty' };
  if (!/^(\+|00)?\d+$/.test(compact)) return { ok: false, problem: 'characters' };
  let international: string;
  if (compact.startsWith('+')) international = compact.slice(1);
  else if (compact.startsWith('00')) international = compact.slice(2);
  else if (/^0\d{9}$/.test(compact)) international = `33${compact.slice(1)}`;
  else return { ok: false, problem: 'shape' };
  // A French number written internationally with its trunk 0 kept: +33 (0)6 12 34 56 78.
  if (/^330\d{9}$/.test(international)) international = `33${international.slice(3)}`;
  if (!/^[1-9]\d{7,14}$/.test(international)) return { ok: false, problem: 'shape' };
  if (international.startsWith('33')) {
    const national = international.slice(2);
    if (!/^\d{9}$/.test(national)) return { ok: false, problem: 'shape' };
    if (!/^[67]/.test(national)) return { ok: false, problem: 'not-mobile' };
  }
  return { ok: true, e164: `+${international}` };
}

/** E.164 shown to a person, French numbers the French way (+33 6 12 34 56 78). */
export function displayPhone(e164: string): string {
  const french = /^\+33(\d)(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(e164);
  return french ? `+33 ${french.slice(1).join(' ')}` : e164;
}

/** A number that cannot be told in a log or a page for someone else: only its last two digits. */
export function maskPhone(e164: string): string {
  return `${e164.slice(0, 3)}…${e164.slice(-2)}`;
}
