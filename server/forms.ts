// Forms are parsed by a schema (zod) into typed values, or into every problem with them in the
// visitor's language. A refused form re-renders with what the person typed: `typedForm` keeps the
// raw strings, the schema decides. Each feature owns its schemas (server/features/*/forms.ts);
// the rules shared by several forms (subject, body, e-mail, copies) live in domain/validation.ts.
import { z } from 'zod';
import type { Messages } from '../i18n/index.js';

/** A form field as typed: the string sent, or '' when the field is missing or not text. */
export const text = z
  .unknown()
  .optional()
  .transform((value) => (typeof value === 'string' ? value : ''));

/** The named fields of a body as typed (strings, '' when absent), for re-rendering a refused form. */
export function typedForm<K extends string>(body: unknown, names: readonly K[]): Record<K, string> {
  const source = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const out = {} as Record<K, string>;
  for (const name of names) {
    const value = source[name];
    out[name] = typeof value === 'string' ? value : '';
  }
  return out;
}

export type Parsed<T> = { ok: true; values: T } | { ok: false; errors: string[] };

/** The form's values, or each problem's message once, in the order of the schema's fields. */
export function parseForm<T>(schema: z.ZodType<T>, body: unknown): Parsed<T> {
  const result = schema.safeParse(typeof body === 'object' && body !== null ? body : {});
  if (result.success) return { ok: true, values: result.data };
  return { ok: false, errors: [...new Set(result.error.issues.map((issue) => issue.message))] };
}

/** A schema whose messages are in one language, built once per catalogue. */
export function localized<T>(build: (t: Messages) => z.ZodType<T>): (t: Messages) => z.ZodType<T> {
  const built = new WeakMap<Messages, z.ZodType<T>>();
  return (t) => {
    let schema = built.get(t);
    if (!schema) {
      schema = build(t);
      built.set(t, schema);
    }
    return schema;
  };
}
