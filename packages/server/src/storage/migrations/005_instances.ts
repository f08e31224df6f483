import type { Kysely } from 'kysely';

// Each server instance's heartbeat, and how many live sockets it holds per account.
// `server_instances.lost_at` is fixed once, when another instance first finds it dead: the
// last moment it was known alive, from which its participants' departures count (presence
// rows are retired one by one, so their own times cannot say it once they are gone).
// `user_sockets` makes the per-account socket cap hold over every instance.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('server_instances')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('seen_at', 'text', (c) => c.notNull())
    .addColumn('lost_at', 'text')
    .execute();
  await db.schema
    .createTable('user_sockets')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('instance_id', 'text', (c) => c.notNull())
    .addColumn('sockets', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_sockets_pk', ['user_id', 'instance_id'])
    .execute();
  await db.schema.createIndex('user_sockets_instance').on('user_sockets').columns(['instance_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('user_sockets').ifExists().execute();
  await db.schema.dropTable('server_instances').ifExists().execute();
}
