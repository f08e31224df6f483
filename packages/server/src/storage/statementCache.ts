import type SQLite from 'better-sqlite3';

/**
 * Keeps better-sqlite3's prepared statements by SQL text, because Kysely's SQLite driver would
 * prepare every statement anew and on the live relay's path that parsing dominates. Bounded
 * (SQL text varies with `IN (...)` lists and multi-row inserts) and evicting first in, first
 * out: reordering the Map on every use made it rebuild its table every few statements, and an
 * evicted hot statement is only prepared once more.
 */
export function cachePreparedStatements(file: SQLite.Database, max = 500): void {
  const prepare = file.prepare.bind(file);
  const cache = new Map<string, SQLite.Statement>();
  file.prepare = ((source: string) => {
    let stmt = cache.get(source);
    if (!stmt) {
      stmt = prepare(source);
      if (cache.size >= max) cache.delete(cache.keys().next().value as string);
      cache.set(source, stmt);
    }
    return stmt;
  }) as typeof file.prepare;
}
