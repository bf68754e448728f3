// The team page's forms as zod schemas: a staff member's role, the spaces given to them (local
// staff accounts), and the confirmation that removes them from the team.
import { z } from 'zod';
import { TEAM_ROLES, type TeamRole } from '../../../db/team.js';
import { localized, text } from '../../forms.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One of the team roles (agent, head of service). */
export const roleSchema = localized((t) =>
  z.object({
    role: text.transform((typed, ctx): TeamRole => {
      const role = TEAM_ROLES.find((r) => r === typed);
      if (role) return role;
      ctx.addIssue({ code: 'custom', message: t.team.roleInvalid });
      return z.NEVER;
    }),
  }),
);

/** Every value of a repeated field (checkboxes), strings only, each once. */
const checked = z
  .unknown()
  .optional()
  .transform((value) => {
    const values: unknown[] = Array.isArray(value) ? value : value === undefined ? [] : [value];
    return [...new Set(values.filter((v): v is string => typeof v === 'string'))];
  });

/** The spaces ticked for a staff member: space ids (whether they exist is the database's to say). */
export const staffSpacesSchema = localized((t) =>
  z.object({ space: checked.pipe(z.array(z.string().regex(UUID, t.team.spacesInvalid))) }),
);

/** Removing someone from the team is confirmed by a ticked box. */
export const removalSchema = localized((t) =>
  z.object({ confirm: text.pipe(z.literal('1', t.team.removeConfirmRequired)) }),
);
