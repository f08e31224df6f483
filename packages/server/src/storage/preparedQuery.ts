import type { Compilable, Kysely, QueryResult } from 'kysely';
import type { Database } from './schema';

/**
 * A statement of a hot path, built with Kysely once per storage and then run with new values:
 * building and compiling a Kysely query costs about as much as executing it. Values are passed
 * by name; where Kysely binds each one is found when the statement is compiled, so nobody lists
 * bound parameters in Kysely's order by hand.
 */
export interface PreparedQuery<P extends object, R> {
  readonly name: string;
  /** Builds the query; every value of `p` must be used as a bound value, never inside an expression. */
  readonly build: (db: Kysely<Database>, p: P) => Compilable<R>;
}

/** Runs prepared queries: a transaction's `run`, or the storage's `read` outside one. */
export type PreparedRunner = <P extends object, R>(query: PreparedQuery<P, R>, params: P) => Promise<QueryResult<R>>;

export function preparedQuery<P extends object, R>(
  name: string,
  build: (db: Kysely<Database>, p: P) => Compilable<R>,
): PreparedQuery<P, R> {
  return { name, build };
}

/** A prepared query compiled for one storage: its SQL text and, per bound value, where it comes from. */
export interface CompiledStatement {
  readonly sql: string;
  /** Per bound parameter: the name of the value it takes, or (a constant of the query) the value itself. */
  readonly slots: readonly ({ name: string } | { value: unknown })[];
}

const MARK = '\u0000codevf-param:';

/** Compiles `query` with a marker for each named value, then reads where Kysely bound each marker. */
export function compileStatement<P extends object>(db: Kysely<Database>, query: PreparedQuery<P, unknown>) {
  const markers = new Proxy({} as P, { get: (_target, key) => `${MARK}${String(key)}` });
  const compiled = query.build(db, markers).compile();
  const slots = compiled.parameters.map((value) => {
    if (typeof value !== 'string' || !value.includes(MARK)) return { value };
    if (!value.startsWith(MARK))
      throw new Error(`prepared query ${query.name}: a named value is used inside an expression`);
    return { name: value.slice(MARK.length) };
  });
  return { sql: compiled.sql, slots } satisfies CompiledStatement;
}

/** The values to bind for `params`, in Kysely's order. */
export function bind(statement: CompiledStatement, params: object): unknown[] {
  const values = params as Record<string, unknown>;
  const out = new Array<unknown>(statement.slots.length);
  for (let i = 0; i < out.length; i++) {
    const slot = statement.slots[i] as { name?: string; value?: unknown };
    out[i] = slot.name === undefined ? slot.value : values[slot.name];
  }
  return out;
}
