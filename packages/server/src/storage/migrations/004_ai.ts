import type { Kysely } from 'kysely';

// The AI participant (issue 20). A task records why it is human-only (`mode_note`) and the AI's
// hand-over; `task_ai` holds, per AI-led task, the lease that lets exactly one instance drive the
// model and the budget used so far; `task_guides` the engineers steering an AI-led task; a
// ledger charge says whose minute it billed.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('tasks').addColumn('mode_note', 'text').execute();
  await db.schema.alterTable('tasks').addColumn('handoff_reason', 'text').execute();
  await db.schema.alterTable('tasks').addColumn('handoff_summary', 'text').execute();
  await db.schema.alterTable('tasks').addColumn('handoff_at', 'text').execute();
  await db.schema.alterTable('credit_ledger').addColumn('help', 'text').execute();
  await db.schema
    .createTable('task_ai')
    .addColumn('task_id', 'text', (c) => c.primaryKey().references('tasks.id').onDelete('cascade'))
    .addColumn('lease_instance', 'text')
    .addColumn('lease_expires_at', 'text')
    .addColumn('model_calls', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('tokens', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'text')
    .execute();
  await db.schema.createIndex('task_ai_lease').on('task_ai').columns(['ended_at', 'lease_expires_at']).execute();
  await db.schema
    .createTable('task_guides')
    .addColumn('task_id', 'text', (c) => c.notNull().references('tasks.id').onDelete('cascade'))
    .addColumn('engineer_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('joined_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('task_guides_pk', ['task_id', 'engineer_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('task_guides').ifExists().execute();
  await db.schema.dropIndex('task_ai_lease').ifExists().execute();
  await db.schema.dropTable('task_ai').ifExists().execute();
  await db.schema.alterTable('credit_ledger').dropColumn('help').execute();
  for (const c of ['handoff_at', 'handoff_summary', 'handoff_reason', 'mode_note'])
    await db.schema.alterTable('tasks').dropColumn(c).execute();
}
