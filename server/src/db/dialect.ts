/**
 * The few places where SQLite and PostgreSQL need different SQL, in one file, so a repository
 * written against `Store` (db/database.ts) stays the same text on both engines.
 */
import { Param, Placeholder, is, sql, type Query, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { Database as SqliteClient, Statement } from 'better-sqlite3';
import type { Queryable, Store } from './database.ts';

/**
 * One field of a JSON column as text (`$.a.b` → path ['a', 'b']). JSON columns are text on both
 * engines (the generated PostgreSQL schema keeps them byte for byte), so PostgreSQL casts to jsonb.
 */
export function jsonField(s: Pick<Store, 'dialect'>, column: SQLWrapper, path: readonly string[]): SQL<string | null> {
  if (s.dialect === 'postgres') return sql<string | null>`(${column}::jsonb #>> ${`{${path.join(',')}}`})`;
  return sql<string | null>`json_extract(${column}, ${'$.' + path.join('.')})`;
}

/** The current time as the ISO-8601 text the schema's defaults write (`2026-12-03T07:00:00.000Z`). */
export function nowIso(s: Pick<Store, 'dialect'>): SQL<string> {
  if (s.dialect === 'postgres') return sql<string>`to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  return sql<string>`strftime('%Y-%m-%dT%H:%M:%fZ','now')`;
}

/** djb2 over the key, folded to a signed 32-bit integer: PostgreSQL's advisory locks take a bigint. */
function lockId(key: string): number {
  let h = 5381;
  for (let i = 0; i < key.length; i++) h = ((h << 5) + h + key.charCodeAt(i)) | 0;
  return h;
}

/**
 * Serialises writers of `key` (one hash chain, one poll's ballots) until the transaction ends,
 * across every node on one PostgreSQL server. On SQLite the transaction itself is the lock:
 * `BEGIN IMMEDIATE` under the connection's mutex admits one writer at a time.
 */
export async function lockForTx(s: Store, key: string): Promise<void> {
  if (!s.inTx) throw new Error(`lockForTx(${key}) outside a transaction would release at once`);
  if (s.dialect === 'postgres') await execute(s, sql`select pg_advisory_xact_lock(${lockId(key)})`);
}

type PgExecutor = { execute(query: SQL): Promise<{ rows: unknown[] }> };

/** Runs raw SQL for its effect (`q.run` on SQLite, `execute` on PostgreSQL). Prefer query builders. */
export async function execute(s: Store, query: SQL): Promise<void> {
  if (s.dialect === 'postgres') await (s.q as unknown as PgExecutor).execute(query);
  else await s.q.run(query);
}

/** Rows of a raw SELECT, as objects keyed by column name. Prefer query builders. */
export async function selectRaw<T>(s: Store, query: SQL): Promise<T[]> {
  if (s.dialect === 'postgres') return (await (s.q as unknown as PgExecutor).execute(query)).rows as T[];
  return (await s.q.all(query)) as T[];
}

/** A prepared query as both engines' builders make one: run with its placeholders' values. */
interface Prepared<V, R> {
  execute(values: V): PromiseLike<R>;
}

/**
 * A hot statement: written with placeholders (`sql.placeholder`), built and prepared once per
 * connection, and run with its values in one call on both engines. Only for a hot path where building
 * the query costs many times what running it does: the session lookup behind every handshake and HTTP
 * request is ~160 µs built each time and ~10 µs prepared on SQLite, and a 2,000-ballot burst took four
 * times the CPU with its statements built anew. PostgreSQL gets the statement text built once per
 * pool, or per transaction (the transaction's Store holds its connection), and sends it unnamed.
 */
export function hot<V extends Record<string, unknown>, R>(build: (s: Store) => { prepare(): Prepared<V, R> }): (s: Store, values: V) => Promise<R> {
  const byConnection = new WeakMap<Queryable, Prepared<V, R>>();
  return async (s, values) => {
    let prepared = byConnection.get(s.q);
    if (!prepared) byConnection.set(s.q, (prepared = build(s).prepare()));
    return prepared.execute(values);
  };
}

/** Rows a write changed, from either driver's result (better-sqlite3's `changes`, node-postgres's `rowCount`): cheaper than RETURNING. */
const changedRows = (result: unknown): number => (result as { changes?: number }).changes ?? (result as { rowCount?: number | null }).rowCount ?? 0;

type Bind = (values: Record<string, unknown>) => unknown;

const valueOf = (name: string) => (values: Record<string, unknown>) => {
  if (!(name in values)) throw new Error(`No value for placeholder "${name}" was provided`);
  return values[name];
};

/** How one parameter of a built statement gets its value: a placeholder's, through its column's encoder when it has one, or a constant. */
function binder(p: unknown): Bind {
  if (is(p, Placeholder)) return valueOf(p.name);
  if (is(p, Param) && is(p.value, Placeholder)) {
    const get = valueOf(p.value.name);
    const encoder = p.encoder;
    return (values) => encoder.mapToDriverValue(get(values));
  }
  return () => p;
}

/**
 * A hot write (INSERT, UPDATE or DELETE without RETURNING), as `hot`; resolves to the rows it changed.
 * On SQLite the statement drizzle built runs on better-sqlite3 directly, its parameters bound by a
 * plan made once: drizzle's prepared query re-examines every parameter's class on each run and
 * hands back a thenable. A check-in's 10-column upsert took 5.5 µs so and takes 2.6 µs with the
 * plan, and a storm is 2,000 of them (a ballot writes three statements). The text and the parameters are drizzle's
 * own (`toSQL`), so both engines still run the same statement; PostgreSQL goes through `hot`.
 */
export function hotWrite<V extends Record<string, unknown>>(build: (s: Store) => { prepare(): Prepared<V, unknown>; toSQL(): Query }): (s: Store, values: V) => Promise<number> {
  const viaDrizzle = hot(build);
  const byConnection = new WeakMap<Queryable, { stmt: Statement; binds: Bind[] }>();
  return async (s, values) => {
    if (s.dialect !== 'sqlite') return changedRows(await viaDrizzle(s, values));
    let plan = byConnection.get(s.q);
    if (!plan) {
      const { sql: text, params } = build(s).toSQL();
      const client = (s.q as unknown as { $client: SqliteClient }).$client;
      byConnection.set(s.q, (plan = { stmt: client.prepare(text), binds: params.map(binder) }));
    }
    return plan.stmt.run(...plan.binds.map((bind) => bind(values))).changes;
  };
}
