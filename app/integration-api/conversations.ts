// A conversation business software opens with a client of a space (issue #17): the client named
// by e-mail or account id, the author a staff member of the space (or the token's owner), the case
// it is about by its external number. The writing itself is the staff use case of
// app/conversations.ts (conversation, first message, audit entry and workflow signal together).
//
// Decisions (docs/api.md says the same to integrators):
// - The author is the staff member named in `author` (their e-mail; they must be an administrator
//   or a member of the space, as for a case's assignee), else the administrator who created the
//   token. The client reads a person of the organisation, not "the API"; naming the person who
//   follows the matter lets the client's answers reach the right desk, and a token cannot write in
//   the name of staff who have no access to the space.
// - A client unknown to the space is refused (422), never created: opening a conversation is
//   writing to someone the organisation already deals with. Business software creates (and
//   invites) a client through the case upsert; creating accounts here would let a token send
//   messages to any address.
import type { Db } from '../../db/connect.js';
import { findCaseByNumber, findClientOfSpace, findStaffForSpace } from '../../db/integration-api.js';
import { openConversationForClient, staffDisplayName } from '../conversations.js';
import type { WorkflowGateway } from '../workflow-gateway.js';
import type { ApiActor } from './cases.js';

export interface ConversationOpening {
  /** The client: an e-mail address, or the id of their account. */
  client: { email: string } | { id: string };
  subject: string;
  /** The first message, plain text. */
  message: string;
  /** A staff member's e-mail; absent: the token's owner. */
  author?: string;
  /** The external number of the client's case it is about. */
  case?: string;
}

export type OpeningRefusal = 'unknown_client' | 'unknown_author' | 'unknown_case';

export class OpeningRefused extends Error {
  constructor(readonly reason: OpeningRefusal) {
    super(reason);
    this.name = 'OpeningRefused';
  }
}

/** Line endings as one `\n`, trailing spaces of the whole text dropped. */
function plainText(text: string): string {
  return text.replace(/\r\n?/g, '\n').trimEnd();
}

export async function openApiConversation(
  db: Db,
  workflows: Pick<WorkflowGateway, 'staffAnswer'>,
  actor: ApiActor,
  space: { id: string },
  input: ConversationOpening,
  names: { policy: 'full' | 'first-name-team'; team: string },
): Promise<{ conversationId: string }> {
  const client = await findClientOfSpace(db, space.id, input.client);
  if (!client) throw new OpeningRefused('unknown_client');
  const author = input.author === undefined ? actor.account : await findStaffForSpace(db, space.id, input.author);
  if (!author) throw new OpeningRefused('unknown_author');
  let caseId: string | null = null;
  if (input.case !== undefined) {
    const kase = await findCaseByNumber(db, space.id, input.case);
    // Another client's case is as unknown as a missing one.
    if (!kase || kase.client_account_id !== client.id) throw new OpeningRefused('unknown_case');
    caseId = kase.id;
  }
  const { conversationId } = await openConversationForClient(
    db,
    workflows,
    {
      account: author,
      ip: actor.ip,
      displayName: staffDisplayName(author.full_name, names.policy, names.team),
      details: { tokenId: actor.tokenId, tokenOwner: actor.account.id },
    },
    {
      spaceId: space.id,
      clientAccountId: client.id,
      subject: input.subject.trim(),
      body: plainText(input.message),
      caseId,
    },
  );
  return { conversationId };
}
