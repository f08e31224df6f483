import type { Kysely } from 'kysely';

// The engineer's resolution note, written when they end a session: shown in the customer's
// summary and the task's history.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('tasks').addColumn('resolution', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('tasks').dropColumn('resolution').execute();
}
