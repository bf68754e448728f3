// Small reads of the conversation pages (client space and back-office): a space's name, the
// client a conversation belongs to.
import type { Db } from './connect.js';

/** The name of a space that exists (a conversation's). */
export async function spaceName(db: Db, spaceId: string): Promise<string> {
  const row = await db.selectFrom('spaces').select('name').where('id', '=', spaceId).executeTakeFirstOrThrow();
  return row.name;
}

/** The name and e-mail of an account that exists (a conversation's client). */
export async function accountContact(db: Db, accountId: string): Promise<{ full_name: string; email: string }> {
  return db.selectFrom('accounts').select(['full_name', 'email']).where('id', '=', accountId).executeTakeFirstOrThrow();
}
