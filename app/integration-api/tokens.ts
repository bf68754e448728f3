// Integration API tokens as administrators manage them: created (the token is returned once,
// only its SHA-256 kept), revoked (refused by the very next request: nothing caches tokens).
// Each write and its audit entry are one transaction; the audit never holds the token.
import { randomBytes } from 'node:crypto';
import type { Db } from '../../db/connect.js';
import type { ApiToken } from '../../db/database.js';
import { insertApiToken, revokeApiToken, type ApiScope } from '../../db/api-tokens.js';
import { tokenDigest } from '../../domain/tokens.js';
import { auditStaff, type StaffActor } from '../actor.js';

/** The recognisable prefix of every token (secret scanners can look for it). */
export const API_TOKEN_PREFIX = 'gch_';

/** A new token: the prefix and 256 random bits. */
export function newApiToken(): string {
  return `${API_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export interface NewTokenInput {
  name: string;
  scope: ApiScope;
  allSpaces: boolean;
  spaceIds: readonly string[];
}

export async function createApiToken(
  db: Db,
  actor: StaffActor,
  input: NewTokenInput,
): Promise<{ token: string; row: ApiToken }> {
  const token = newApiToken();
  const row = await db.transaction().execute(async (tx) => {
    const created = await insertApiToken(tx, {
      name: input.name,
      tokenHash: tokenDigest(token),
      tokenHint: token.slice(0, API_TOKEN_PREFIX.length + 4),
      scope: input.scope,
      allSpaces: input.allSpaces,
      spaceIds: input.allSpaces ? [] : input.spaceIds,
      createdBy: actor.id,
    });
    await auditStaff(tx, actor, {
      action: 'api_token.create',
      subjectType: 'api_token',
      subjectId: created.id,
      details: { scope: input.scope, allSpaces: input.allSpaces, spaceIds: input.allSpaces ? [] : [...input.spaceIds] },
    });
    return created;
  });
  return { token, row };
}

/** Revokes the token; false when it was already revoked (or never existed). */
export async function revokeToken(db: Db, actor: StaffActor, tokenId: string): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const row = await revokeApiToken(tx, tokenId, actor.id);
    if (!row) return false;
    await auditStaff(tx, actor, { action: 'api_token.revoke', subjectType: 'api_token', subjectId: row.id });
    return true;
  });
}
