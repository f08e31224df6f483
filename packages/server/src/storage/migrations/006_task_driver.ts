import type { Kysely } from 'kysely';

// Who drives a task on the customer's side: `terminal` (the CLI's live session) or `agent` (a
// coding agent through the REST verbs or MCP; engineer requests go to the agent to consider).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('tasks')
    .addColumn('driver', 'text', (c) => c.notNull().defaultTo('terminal'))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('tasks').dropColumn('driver').execute();
}
