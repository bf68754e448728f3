// The form creating an API token (name, rights, spaces) as a zod schema; its messages in the
// administrator's language. The spaces are checked against the spaces that exist.
import { z } from 'zod';
import type { Messages } from '../../../i18n/index.js';
import { text } from '../../forms.js';

export interface TokenForm {
  name: string;
  scope: string;
  allSpaces: boolean;
  spaceIds: string[];
}

export const BLANK_TOKEN_FORM: TokenForm = { name: '', scope: 'read', allSpaces: false, spaceIds: [] };

/** Checkboxes arrive as one string or an array of them. */
function list(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The form as typed, to show a refused form again. */
export function typedTokenForm(body: unknown): TokenForm {
  const b = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  return {
    name: typeof b.name === 'string' ? b.name : '',
    scope: typeof b.scope === 'string' ? b.scope : '',
    allSpaces: b.allSpaces === 'on',
    spaceIds: list(b.spaces).slice(0, 200),
  };
}

export interface NewToken {
  name: string;
  scope: 'read' | 'write';
  allSpaces: boolean;
  spaceIds: string[];
}

export function newTokenSchema(t: Messages, existingSpaceIds: ReadonlySet<string>): z.ZodType<NewToken> {
  const a = t.apiTokens;
  return z
    .object({
      name: text.transform((v) => v.trim()).pipe(z.string().min(1, a.nameRequired).max(100, a.nameRequired)),
      scope: text.pipe(z.enum(['read', 'write'], { message: a.scopeRequired })),
      allSpaces: z
        .unknown()
        .optional()
        .transform((v) => v === 'on'),
      spaces: z.unknown().optional().transform(list),
    })
    .transform((v, ctx): NewToken => {
      const spaceIds = [...new Set(v.spaces)];
      if (!v.allSpaces && spaceIds.length === 0) {
        ctx.addIssue({ code: 'custom', message: a.spacesRequired, path: ['spaces'] });
        return z.NEVER;
      }
      if (!v.allSpaces && spaceIds.some((id) => !existingSpaceIds.has(id))) {
        ctx.addIssue({ code: 'custom', message: a.unknownSpace, path: ['spaces'] });
        return z.NEVER;
      }
      return { name: v.name, scope: v.scope, allSpaces: v.allSpaces, spaceIds: v.allSpaces ? [] : spaceIds };
    });
}
