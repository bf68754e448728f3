// An outbox e-mail is claimed before it is sent (issue #18): two attempts running at once (a
// workflow task retried after a timeout while its first local activity still ran) sent the same
// reminder twice. `sending_until` is the claim's lease: an attempt that died frees it when it ends.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('notifications').addColumn('sending_until', 'timestamptz').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('notifications').dropColumn('sending_until').execute();
}
