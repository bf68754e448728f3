// The case record's rules that need no database: the lengths of the summary and conclusions, and
// amounts typed the French way ("1 234,50 €"), read into cents and shown back.
export const SUMMARY_MAX = 5000;
export const CONCLUSION_MAX = 500;
export const CONCLUSIONS_MAX = 50;
/** 10 million euros: far above any invoice, far below the column's limit. */
export const AMOUNT_MAX_CENTS = 1_000_000_000;

// ---- Amounts typed the French way ----

const GROUP = '[ \\u00a0\\u202f.]';
const FRENCH_AMOUNT = new RegExp(`^(\\d{1,3}(?:${GROUP}\\d{3})+|\\d+)(?:,(\\d{1,2}))?$`);
const PLAIN_AMOUNT = /^(\d+)(?:\.(\d{1,2}))?$/;

export type AmountParse = { ok: true; cents: number | null } | { ok: false; reason: 'format' | 'too_large' };

/**
 * "1 234,50", "1234,5", "1 234", "1.234,50" (thousands with spaces, no-break spaces or dots,
 * decimals after a comma); "1234.50" too (a dot followed by one or two digits only is a decimal
 * point). Empty means no amount. A minus sign, letters or three decimals are refused.
 */
export function parseEuroAmount(typed: string): AmountParse {
  const text = typed.trim().replace(/\s*€$/, '').replace(/^€\s*/, '').trim();
  if (text === '') return { ok: true, cents: null };
  let euros: string;
  let decimals: string;
  const plain = PLAIN_AMOUNT.exec(text);
  const french = FRENCH_AMOUNT.exec(text);
  if (plain && !/^\d{1,3}\.\d{3}$/.test(text)) {
    euros = plain[1]!;
    decimals = plain[2] ?? '';
  } else if (french) {
    euros = french[1]!.replace(/[ \u00a0\u202f.]/g, '');
    decimals = french[2] ?? '';
  } else {
    return { ok: false, reason: 'format' };
  }
  if (euros.length > 12) return { ok: false, reason: 'too_large' };
  const cents = Number(euros) * 100 + Number(decimals.padEnd(2, '0'));
  if (cents > AMOUNT_MAX_CENTS) return { ok: false, reason: 'too_large' };
  return { ok: true, cents };
}

/** "1 234,50 €" in French, "€1,234.50" in English. */
export function formatEuros(cents: number, locale: 'fr' | 'en'): string {
  return new Intl.NumberFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { style: 'currency', currency: 'EUR' }).format(
    cents / 100,
  );
}

/** The amount as staff type it back in the form: "1 234,50". */
export function typedAmount(cents: number | null): string {
  if (cents === null) return '';
  return new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 2, maximumFractionDigits: 2 })
    .format(cents / 100)
    .replace(/[\u00a0\u202f]/g, ' ');
}
