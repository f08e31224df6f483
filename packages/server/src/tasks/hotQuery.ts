import { type Compilable, CompiledQuery, type Kysely, type QueryResult } from 'kysely';
import type { Database } from '../storage/schema';
import { runOnHandle } from '../storage/sqliteDriver';
import { sqliteHandleOf } from '../storage/storage';

/** SQL text per dialect adapter (a database and its transactions share one) and query name. */
const texts = new WeakMap<object, Map<string, string>>();

/**
 * Runs a statement of the live relay's hot path without building and compiling its Kysely
 * query each time (that was about as costly as executing it). The first call per database
 * compiles `build()` and checks that Kysely binds exactly `params`, in that order; later calls
 * reuse the SQL text with the new parameters.
 *
 * On SQLite the statement runs directly on the better-sqlite3 handle the transaction holds,
 * as Kysely's driver would run it but without its layers of promises per query: those made
 * most of the relay's garbage, and with it most of its GC pauses.
 */
export async function hotQuery<R>(
  trx: Kysely<Database>,
  name: string,
  params: readonly unknown[],
  build: () => Compilable<R>,
): Promise<QueryResult<R>> {
  const adapter = trx.getExecutor().adapter;
  let byName = texts.get(adapter);
  if (!byName) {
    byName = new Map();
    texts.set(adapter, byName);
  }
  let text = byName.get(name);
  if (text === undefined) {
    const compiled = build().compile();
    const bound = compiled.parameters;
    if (bound.length !== params.length || bound.some((p, i) => p !== params[i]))
      throw new Error(`hotQuery ${name}: the listed parameters are not the ones Kysely binds`);
    text = compiled.sql;
    byName.set(name, text);
  }
  // Inside `trx`: on SQLite directly on the handle it holds, elsewhere through Kysely.
  const sqlite = sqliteHandleOf(trx);
  if (!sqlite) return trx.executeQuery<R>(CompiledQuery.raw(text, params as unknown[]));
  return runOnHandle<R>(sqlite, text, params);
}
