// Queries of the integration API's tokens: created, listed, found by digest (live ones only, with
// their spaces), marked used, revoked. Nothing here is cached: a revoked token is refused by the
// very next request, whichever server process answers it.
import { sql } from 'kysely';
import type { Db } from './connect.js';
import type { Account, ApiToken } from './database.js';
import type { StaffScope } from './staff-access.js';

export type ApiScope = 'read' | 'write';

export interface NewApiToken {
  name: string;
  tokenHash: string;
  tokenHint: string;
  scope: ApiScope;
  allSpaces: boolean;
  spaceIds: readonly string[];
  createdBy: string;
}

export async function insertApiToken(db: Db, t: NewApiToken): Promise<ApiToken> {
  const row = await db
    .insertInto('api_tokens')
    .values({
      name: t.name,
      token_hash: t.tokenHash,
      token_hint: t.tokenHint,
      scope: t.scope,
      all_spaces: t.allSpaces,
      created_by: t.createdBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  if (!t.allSpaces && t.spaceIds.length > 0) {
    await db
      .insertInto('api_token_spaces')
      .values(t.spaceIds.map((spaceId) => ({ token_id: row.id, space_id: spaceId })))
      .execute();
  }
  return row;
}

export interface ApiTokenSummary {
  id: string;
  name: string;
  tokenHint: string;
  scope: ApiScope;
  allSpaces: boolean;
  spaceNames: string[];
  createdAt: Date;
  createdByName: string | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export async function listApiTokens(db: Db): Promise<ApiTokenSummary[]> {
  const rows = await db
    .selectFrom('api_tokens as t')
    .leftJoin('accounts as a', 'a.id', 't.created_by')
    .select((eb) => [
      't.id',
      't.name',
      't.token_hint',
      't.scope',
      't.all_spaces',
      't.created_at',
      't.last_used_at',
      't.revoked_at',
      'a.full_name',
      eb
        .selectFrom('api_token_spaces as s')
        .innerJoin('spaces', 'spaces.id', 's.space_id')
        .select(sql<string[]>`coalesce(array_agg(spaces.name order by spaces.name), '{}')`.as('names'))
        .whereRef('s.token_id', '=', 't.id')
        .as('space_names'),
    ])
    .orderBy('t.revoked_at', (ob) => ob.desc().nullsFirst())
    .orderBy('t.created_at', 'desc')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    tokenHint: r.token_hint,
    scope: r.scope,
    allSpaces: r.all_spaces,
    spaceNames: r.space_names ?? [],
    createdAt: r.created_at,
    createdByName: r.full_name,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  }));
}

/** A live token as a request carries it: who made it (the account its writes are made as), its reach. */
export interface LiveApiToken {
  id: string;
  name: string;
  scope: ApiScope;
  /** The spaces it reaches, in the shape staff scopes have (whereInScope). */
  spaces: StaffScope;
  /** The administrator who created it: writes are made in their name, with the token in the audit. */
  owner: Account;
}

/** The live (not revoked) token with this digest, read afresh on every request. */
export async function findLiveApiToken(db: Db, tokenHash: string): Promise<LiveApiToken | undefined> {
  const row = await db
    .selectFrom('api_tokens')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  const owner = await db.selectFrom('accounts').selectAll().where('id', '=', row.created_by).executeTakeFirst();
  if (!owner) return undefined;
  const spaces: StaffScope = row.all_spaces
    ? { all: true }
    : {
        all: false,
        spaceIds: (
          await db.selectFrom('api_token_spaces').select('space_id').where('token_id', '=', row.id).execute()
        ).map((s) => s.space_id),
      };
  return { id: row.id, name: row.name, scope: row.scope, spaces, owner };
}

/** Marks the token used (at most once a minute: a write per request would cost for nothing). */
export async function touchApiToken(db: Db, tokenId: string): Promise<void> {
  await db
    .updateTable('api_tokens')
    .set({ last_used_at: new Date() })
    .where('id', '=', tokenId)
    .where((eb) =>
      eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', sql<Date>`now() - interval '1 minute'`)]),
    )
    .execute();
}

/** Revokes a live token; returns it, or undefined when there was none to revoke. */
export async function revokeApiToken(db: Db, tokenId: string, by: string): Promise<ApiToken | undefined> {
  return db
    .updateTable('api_tokens')
    .set({ revoked_at: new Date(), revoked_by: by })
    .where('id', '=', tokenId)
    .where('revoked_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}
