import type { Kysely } from 'kysely';

// Who is connected to a task, per server instance: presence must hold across instances, so each
// instance keeps its count of a participant's sockets here (live/participantPresence.ts). The
// index lets billing read a task's presence events without scanning its whole transcript.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('task_presence')
    .addColumn('task_id', 'text', (c) => c.notNull().references('tasks.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('instance_id', 'text', (c) => c.notNull())
    .addColumn('sockets', 'integer', (c) => c.notNull())
    .addColumn('seen_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('task_presence_pk', ['task_id', 'role', 'instance_id'])
    .execute();
  await db.schema.createIndex('task_presence_instance').on('task_presence').columns(['instance_id']).execute();
  await db.schema.createIndex('task_presence_seen').on('task_presence').columns(['seen_at']).execute();
  await db.schema.createIndex('task_events_type').on('task_events').columns(['task_id', 'type', 'seq']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('task_events_type').ifExists().execute();
  await db.schema.dropTable('task_presence').ifExists().execute();
}
