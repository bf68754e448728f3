// The space form (name, identifier, answer SLA policy, retention) as a zod schema. Each field's
// rule is a small schema; the problems are listed in the order the form shows its fields, the
// cross-field ones (maximum below target, opening after closing) next to the fields they compare.
import { z } from 'zod';
import type { SpacePolicy } from '../../../db/spaces.js';
import { isEmail } from '../../../domain/validation.js';
import type { Messages } from '../../../i18n/index.js';
import { localized, text } from '../../forms.js';

export const SPACE_FIELDS = [
  'name',
  'slug',
  'target',
  'max',
  'calendar',
  'opens',
  'closes',
  'teamEmail',
  'managerEmail',
  'satisfaction',
  'retention',
] as const;

/** The form's fields as typed (strings, trimmed), to show a refused form again. */
export type SpaceForm = Record<(typeof SPACE_FIELDS)[number], string>;

const trimmed = text.transform((value) => value.trim());
const lowerCase = trimmed.transform((value) => value.toLowerCase());

/** The fields as read from a body: trimmed, the identifier and the addresses in lower case. */
const spaceFields = z.object({
  name: trimmed,
  slug: lowerCase,
  target: trimmed,
  max: trimmed,
  calendar: trimmed,
  opens: trimmed,
  closes: trimmed,
  teamEmail: lowerCase,
  managerEmail: lowerCase,
  satisfaction: trimmed,
  retention: trimmed,
}) satisfies z.ZodType<SpaceForm>;

/** What was typed, normalised as the schema reads it (a refused form shows it again). */
export function typedSpaceForm(body: unknown): SpaceForm {
  return spaceFields.parse(typeof body === 'object' && body !== null ? body : {});
}

/** Hours as typed (24, 1.5 or 1,5), between 0.1 and 8,760. */
const hours = z
  .string()
  .regex(/^\d{1,4}(?:[.,]\d{1,2})?$/)
  .transform((typed) => Number(typed.replace(',', '.')))
  .pipe(z.number().min(0.1).max(8760));
const time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/);
const slug = z
  .string()
  .max(60)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
const name = z.string().min(1).max(100);
const calendar = z.enum(['calendar', 'business']);
const optionalEmail = z.string().refine((value) => value === '' || isEmail(value));
/** Months the documents of a closed case are kept (1 to 600); empty: kept (null). */
const retention = z.union([
  z.literal('').transform(() => null),
  z
    .string()
    .regex(/^\d{1,3}$/)
    .transform(Number)
    .pipe(z.number().min(1).max(600)),
]);

export interface SpaceValues {
  /** The identifier (only read when creating: it never changes afterwards). */
  slug: string;
  policy: SpacePolicy;
}

function spaceSchema(t: Messages, creating: boolean) {
  const s = t.spaces;
  return spaceFields.transform((form, ctx): SpaceValues => {
    const problems: string[] = [];
    function check<T>(schema: z.ZodType<T>, value: string, message: string): T | undefined {
      const result = schema.safeParse(value);
      if (result.success) return result.data;
      problems.push(message);
      return undefined;
    }
    check(name, form.name, s.nameRequired);
    if (creating) check(slug, form.slug, s.slugInvalid);
    const target = check(hours, form.target, s.hoursInvalid(s.target));
    const max = check(hours, form.max, s.hoursInvalid(s.max));
    if (target !== undefined && max !== undefined && target > max) problems.push(s.maxBelowTarget);
    const mode = check(calendar, form.calendar, t.errors.badForm);
    const opens = check(time, form.opens, s.timeInvalid(s.opens));
    const closes = check(time, form.closes, s.timeInvalid(s.closes));
    if (opens !== undefined && closes !== undefined && opens >= closes) problems.push(s.opensAfterCloses);
    check(optionalEmail, form.teamEmail, s.emailInvalid(s.teamEmail));
    check(optionalEmail, form.managerEmail, s.emailInvalid(s.managerEmail));
    const satisfaction = check(hours, form.satisfaction, s.hoursInvalid(s.satisfaction));
    const months = check(retention, form.retention, s.retentionInvalid);
    for (const message of problems) ctx.addIssue({ code: 'custom', message });
    if (
      problems.length > 0 ||
      target === undefined ||
      max === undefined ||
      mode === undefined ||
      satisfaction === undefined ||
      months === undefined
    )
      return z.NEVER;
    return {
      slug: form.slug,
      policy: {
        name: form.name,
        slaTargetHours: target,
        slaMaxHours: max,
        slaCalendar: mode,
        slaOpens: form.opens,
        slaCloses: form.closes,
        teamEmail: form.teamEmail || null,
        managerEmail: form.managerEmail || null,
        satisfactionTimeoutHours: satisfaction,
        retentionMonths: months,
      },
    };
  });
}

/** A new space: every field, the identifier included. */
export const newSpaceSchema = localized((t) => spaceSchema(t, true));

/** An existing space: the identifier is not read (it never changes). */
export const spaceEditSchema = localized((t) => spaceSchema(t, false));

/** The form a new space starts from. */
export const BLANK_SPACE_FORM: SpaceForm = {
  name: '',
  slug: '',
  target: '24',
  max: '48',
  calendar: 'calendar',
  opens: '09:00',
  closes: '18:00',
  teamEmail: '',
  managerEmail: '',
  satisfaction: '72',
  retention: '',
};
