import type { Kysely } from 'kysely';

// How far each task's audit chain has been verified from seq 1 (see audit/transcript.ts).
// Its own table, not columns of `tasks`: a read that advances it must not write the row every
// append locks. Portable DDL, like 001.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('transcript_checkpoints')
    .addColumn('task_id', 'text', (c) => c.primaryKey().references('tasks.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('verified_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('transcript_checkpoints').ifExists().execute();
}
