// What the contributors feature's routes share: reading the add form, the refusal when the
// invitee had all their e-mails from this account today, the notice after a redirect, a case's
// procedure and the invitation policy.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Case, DocumentTemplate } from '../../../db/database.js';
import { caseTemplate } from '../../../db/contributor-pages.js';
import type { MemberError } from '../../../db/contributors.js';
import type { Messages } from '../../../i18n/index.js';
import { invitationPolicy } from '../../../domain/contributor-access.js';
import { RateLimitedError, rateLimitText } from '../../../app/rate-limits.js';
import { parseForm } from '../../forms.js';
import { consumeMailTargets } from '../../plugins/rate-limits.js';
import { personSchema, typedPerson, type PersonForm, type ValidPerson } from './forms.js';

export const memberParams = {
  type: 'object',
  properties: { id: { type: 'string', format: 'uuid' }, memberId: { type: 'string', format: 'uuid' } },
  required: ['id', 'memberId'],
} as const;

/** Reads the add form; errors in the reader's language, nothing stored while there are any. */
export function readPerson(
  t: Messages,
  body: unknown,
  allowedRoles: readonly string[],
  occasionalAllowed: boolean,
): { values: PersonForm; errors: string[]; person?: ValidPerson } {
  const values = typedPerson(body);
  const parsed = parseForm(personSchema(t, allowedRoles, occasionalAllowed), body);
  if (!parsed.ok) return { values, errors: parsed.errors };
  return { values, errors: [], person: parsed.values };
}

export function memberErrorText(t: Messages, err: MemberError): string {
  return err.code === 'is_owner' ? t.contributors.isOwner : t.contributors.alreadyMember;
}

export interface ContributorsKit {
  /** The refusal to show when the invitee had all their e-mails from this account today. */
  mailRefusal: (reply: FastifyReply, t: Messages, accountId: string, address: string) => Promise<string | undefined>;
  policy: ReturnType<typeof invitationPolicy>;
  templateOf: (kase: Pick<Case, 'template_id'>) => Promise<DocumentTemplate>;
  /** Back to the people of a case, with a notice naming the person. */
  flash: (base: string, ok: string, name: string) => string;
}

export function contributorsKit(app: FastifyInstance): ContributorsKit {
  const { db, config } = app.deps;
  return {
    async mailRefusal(reply, t, accountId, address) {
      try {
        await consumeMailTargets(app, accountId, [address]);
        return undefined;
      } catch (err) {
        if (!(err instanceof RateLimitedError)) throw err;
        void reply.header('retry-after', String(err.retryAfterSeconds));
        return rateLimitText(t, err);
      }
    },
    policy: invitationPolicy(config),
    templateOf: (kase) => caseTemplate(db, kase),
    flash: (base, ok, name) => `${base}?${new URLSearchParams({ ok, name }).toString()}#people`,
  };
}
