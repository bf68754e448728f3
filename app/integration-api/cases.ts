// A case created or updated by business software through the integration API, by its external
// number in a space (PUT is an upsert). Every part goes through the use case the back-office uses
// for it, so the same audit entries, e-mails and workflow signals follow: openCaseForClient (the
// client created if new, told by the case-available e-mail, the collection workflow started),
// editCaseRecord, editPaymentAmount, changePaymentState (the payment confirmation),
// assignStaffCase. A part equal to what is stored writes nothing: the same PUT twice is one case
// and one set of changes.
import type { Db } from '../../db/connect.js';
import type { Account, Case, PaymentState } from '../../db/database.js';
import { audit } from '../../db/audit.js';
import { findAccountByEmail } from '../../db/accounts.js';
import { findCase, findTemplateBySlug } from '../../db/documents.js';
import { findCaseByNumber, findStaffForSpace, updateCaseTitleAndFacts } from '../../db/integration-api.js';
import { changePaymentState, editCaseRecord, editPaymentAmount } from '../case-record.js';
import { assignStaffCase } from '../case-list.js';
import { openCaseForClient } from '../documents.js';
import type { Actor } from '../conversations.js';
import type { WorkflowGateway } from '../workflow-gateway.js';

export interface CaseUpsert {
  title: string;
  /** The procedure template's identifier (slug). */
  procedure: string;
  client: { email: string; fullName: string };
  facts?: Record<string, string | number>;
  summary?: string;
  conclusions?: string[];
  payment?: { state?: PaymentState; amountCents?: number | null };
  /** A staff member's e-mail, or null for nobody; absent: left as it is. */
  assignee?: string | null;
  /** Send the client the case-available e-mail when the case is created (default true). */
  notifyClient?: boolean;
}

export type UpsertRefusal =
  | 'unknown_procedure'
  | 'unknown_assignee'
  | 'client_changed'
  | 'procedure_changed'
  /** Case numbers are unique across spaces: this one is another space's. */
  | 'number_taken';

export class UpsertRefused extends Error {
  constructor(readonly reason: UpsertRefusal) {
    super(reason);
    this.name = 'UpsertRefused';
  }
}

/** The token acting: its creator's account (writes are made in their name) and the token's id. */
export interface ApiActor extends Actor {
  tokenId: string;
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';
}

function sameFacts(a: Record<string, string | number>, b: Record<string, string | number>): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}

export async function upsertCase(
  db: Db,
  workflows: WorkflowGateway,
  actor: ApiActor,
  space: { id: string },
  number: string,
  input: CaseUpsert,
  publicUrl: string,
): Promise<{ kase: Case; created: boolean }> {
  const template = await findTemplateBySlug(db, input.procedure);
  if (!template) throw new UpsertRefused('unknown_procedure');
  let assignee: Account | null | undefined;
  if (input.assignee !== undefined && input.assignee !== null) {
    assignee = await findStaffForSpace(db, space.id, input.assignee);
    if (!assignee) throw new UpsertRefused('unknown_assignee');
  } else assignee = input.assignee;

  let kase = await findCaseByNumber(db, space.id, number);
  let created = false;
  if (!kase) {
    const known = await findAccountByEmail(db, 'client', input.client.email);
    try {
      kase = (
        await openCaseForClient(
          db,
          workflows,
          actor,
          {
            spaceId: space.id,
            templateId: template.id,
            number,
            title: input.title,
            facts: input.facts ?? {},
            client: known ? { id: known.id } : { email: input.client.email, fullName: input.client.fullName },
          },
          input.notifyClient === false ? {} : { notifyClient: { publicUrl } },
        )
      ).kase;
      created = true;
    } catch (err) {
      // The same number sent twice at once: the other request created it; this one updates it.
      if (!isUniqueViolation(err)) throw err;
      kase = await findCaseByNumber(db, space.id, number);
      if (!kase) throw new UpsertRefused('number_taken');
    }
  }
  if (!created) {
    const client = await findAccountByEmail(db, 'client', input.client.email);
    if (!client || client.id !== kase.client_account_id) throw new UpsertRefused('client_changed');
    if (kase.template_id !== template.id) throw new UpsertRefused('procedure_changed');
    const facts = input.facts ?? kase.facts;
    if (kase.title !== input.title || !sameFacts(kase.facts, facts)) {
      const caseId = kase.id;
      await db.transaction().execute(async (tx) => {
        await updateCaseTitleAndFacts(tx, caseId, { title: input.title, facts });
        await audit(tx, {
          actorAccountId: actor.account.id,
          actorKind: 'staff',
          action: 'case.update',
          subjectType: 'case',
          subjectId: caseId,
          ip: actor.ip,
          details: { tokenId: actor.tokenId, facts: Object.keys(facts) },
        });
      });
    }
  }
  kase = (await findCase(db, kase.id)) ?? kase;

  const summary = input.summary ?? kase.summary;
  const conclusions = input.conclusions ?? kase.conclusions;
  if (summary !== kase.summary || JSON.stringify(conclusions) !== JSON.stringify(kase.conclusions))
    await editCaseRecord(db, actor, kase, { summary, conclusions });
  if (input.payment?.amountCents !== undefined && input.payment.amountCents !== kase.payment_amount_cents) {
    await editPaymentAmount(db, actor, kase, input.payment.amountCents);
    kase = (await findCase(db, kase.id)) ?? kase;
  }
  if (input.payment?.state !== undefined && input.payment.state !== kase.payment_state)
    await changePaymentState(db, actor, kase, kase.payment_state, input.payment.state, { workflows, publicUrl });
  if (assignee !== undefined && (assignee?.id ?? null) !== kase.assignee_account_id) {
    await assignStaffCase(
      db,
      workflows,
      { id: actor.account.id, ip: actor.ip, fullName: actor.account.full_name },
      { id: kase.id, redmineIssueId: kase.redmine_issue_id },
      assignee ? { id: assignee.id, fullName: assignee.full_name } : null,
    );
  }
  return { kase: (await findCase(db, kase.id)) ?? kase, created };
}
