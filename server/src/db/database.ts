/**
 * The async repository API over both engines (README, "Data layer"). A converted repository takes a
 * `Store` and awaits drizzle query builders on `q` against the tables in `t`:
 *
 *   const rows = await q.select().from(t.meetingReminders).where(eq(t.meetingReminders.userId, id));
 *
 * Only awaiting a builder is portable: `.all()`, `.get()`, `.run()` and `.values()` exist on SQLite
 * alone (the PostgreSQL pass of the tests catches a slip). `q` is typed as an async SQLite database
 * over the SQLite tables because the PostgreSQL tables are generated from those, column for column,
 * with the same TypeScript value types (scripts/lib/pg-schema-gen.ts), so that type describes what
 * either engine returns.
 *
 * Transactions: `tx(fn)` runs `fn` with a `Store` whose `q` is the transaction, so every write inside
 * goes through it. On SQLite all async work on one connection is serialised by a mutex (`run` and
 * `tx` alike), so no other async-API statement lands inside an open transaction between awaits. A
 * SQLite transaction must await only its own queries: those complete within the current turn of the
 * event loop (better-sqlite3 is synchronous), so no timer or I/O callback, and with it none of the
 * modules still on the synchronous API (group commit included), can run inside it. A callback that
 * awaits real I/O is rolled back with an error instead of committing something another writer may
 * have joined.
 */
import { Mutex } from 'async-mutex';
// Bound at load: a test's fake clock (which replaces the globals) must not stall the database.
import { setImmediate, setTimeout } from 'node:timers';
import { sql } from 'drizzle-orm';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import * as schema from './all-schemas.ts';
import * as pgSchema from './pg-schema.generated.ts';
import { openDb, type Db } from './index.ts';
import { pgMigrationsDir } from '../paths.ts';

export type Dialect = 'sqlite' | 'postgres';
export type Schema = typeof schema;
/** What a repository queries through; await the builders (see above). */
export type Queryable = BaseSQLiteDatabase<'async', unknown, Schema>;

export interface Store {
  readonly dialect: Dialect;
  /** True inside `tx()`: what must be atomic with the caller's writes (a hash-chain append) checks it. */
  readonly inTx: boolean;
  readonly q: Queryable;
  /** The engine's tables, under the export names of db/all-schemas.ts. */
  readonly t: Schema;
}

export interface Database {
  readonly dialect: Dialect;
  /** Runs `fn` outside a transaction (on SQLite: after any open one has finished). */
  run<T>(fn: (s: Store) => Promise<T>): Promise<T>;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  tx<T>(fn: (s: Store) => Promise<T>): Promise<T>;
  /** Closes the connection (pool) this handle opened; a wrapped connection stays open. */
  close(): Promise<void>;
}

export class SqliteYieldedInTransaction extends Error {
  constructor() {
    super('a SQLite transaction awaited something other than its own queries (timers and I/O could have run inside it); rolled back');
  }
}

// One mutex per connection, however many handles wrap it.
const mutexes = new WeakMap<object, Mutex>();

/** How long back-to-back database work may hold the event loop before the next holder waits a timer turn. */
const BURST_MS = 8;
let burstFrom: number | null = null;

/**
 * better-sqlite3 is synchronous, and the mutex hands over to the next waiter in a microtask: 100
 * joins arriving together (each reading its membership and its snapshot) used to chain 60-100 ms of
 * database work without a single timer running in between (bench-presence's join storm). Each
 * holder calls this before its work: once the run of work that started in this turn of the event loop
 * exceeds BURST_MS, it first lets the timers and I/O run (setTimeout, as the command queue's slices
 * do with setImmediate). Called with the mutex held, so the order of the holders stays the mutex's.
 */
function breathe(): Promise<void> | undefined {
  const now = performance.now();
  if (burstFrom === null) {
    burstFrom = now;
    // Cleared once the current macrotask and its microtasks are over: the burst ended by itself.
    setImmediate(() => (burstFrom = null));
    return undefined;
  }
  if (now - burstFrom < BURST_MS) return undefined;
  return new Promise<void>((resolve) =>
    setTimeout(() => {
      burstFrom = null;
      resolve();
    }, 0),
  );
}

/** The async API over an open better-sqlite3 connection (the one the synchronous modules use). */
export function sqliteDatabase(db: Db, opts: { owned?: boolean } = {}): Database {
  const client = db.$client;
  let mutex = mutexes.get(client);
  if (!mutex) mutexes.set(client, (mutex = new Mutex()));
  const store: Store = { dialect: 'sqlite', inTx: false, q: db as unknown as Queryable, t: schema };
  return {
    dialect: 'sqlite',
    run: (fn) =>
      mutex.runExclusive(async () => {
        await breathe();
        return fn(store);
      }),
    tx: (fn) =>
      mutex.runExclusive(async () => {
        await breathe();
        client.exec('BEGIN IMMEDIATE');
        let yielded = false;
        const probe = setImmediate(() => (yielded = true));
        try {
          // A Store of its own per transaction: what it remembers (txMemo) ends with it.
          const result = await fn({ ...store, inTx: true });
          if (yielded) throw new SqliteYieldedInTransaction();
          client.exec('COMMIT');
          return result;
        } catch (err) {
          if (client.inTransaction) client.exec('ROLLBACK');
          throw err;
        } finally {
          clearImmediate(probe);
        }
      }),
    async close() {
      if (opts.owned && client.open) client.close();
    },
  };
}

const memos = new WeakMap<Store, Map<unknown, unknown>>();

/**
 * What one transaction remembers of its own reads and writes (the head of a chain it appends to,
 * so a batch of 2,000 ballots reads it once): fresh for each transaction and each savepoint, and
 * forgotten by a transaction when a savepoint in it ends, since the savepoint may have written or
 * rolled back. Null outside a transaction, where another writer may come between two statements.
 */
export function txMemo(s: Store): Map<unknown, unknown> | null {
  if (!s.inTx) return null;
  let memo = memos.get(s);
  if (!memo) memos.set(s, (memo = new Map()));
  return memo;
}

let savepoints = 0;

/**
 * Runs `fn` in a savepoint of the caller's transaction: a throw rolls back `fn`'s writes alone and
 * rethrows, the transaction goes on. (A batch of group-committed ballots isolates a failing one so.)
 */
export async function savepoint<T>(s: Store, fn: (s: Store) => Promise<T>): Promise<T> {
  if (!s.inTx) throw new Error('savepoint() outside a transaction');
  try {
    if (s.dialect === 'postgres') {
      // drizzle's nested transaction on PostgreSQL is a SAVEPOINT.
      const parent = s.q as unknown as { transaction<R>(cb: (tx: unknown) => Promise<R>): Promise<R> };
      return await parent.transaction((tx) => fn({ ...s, q: tx as Queryable }));
    }
    const name = sql.raw(`sp_${++savepoints}`);
    await s.q.run(sql`savepoint ${name}`);
    try {
      // A Store of its own, so its txMemo is its own.
      const result = await fn({ ...s });
      await s.q.run(sql`release ${name}`);
      return result;
    } catch (err) {
      await s.q.run(sql`rollback to ${name}`);
      await s.q.run(sql`release ${name}`);
      throw err;
    }
  } finally {
    memos.delete(s);
  }
}

/** Arbitrary, fixed: the advisory lock key the nodes take around migrations. */
const MIGRATION_LOCK = 0x6469656d; // 'diem'

/** Connects to PostgreSQL and applies the PostgreSQL migrations (server/drizzle-pg), unless read-only. */
export async function postgresDatabase(url: string, opts: { max?: number; onIdleError?: (err: Error) => void; readOnly?: boolean } = {}): Promise<Database> {
  // Loaded only here: a SQLite deployment (the quick start) never loads the PostgreSQL driver.
  const [{ default: pg }, { drizzle: drizzlePg }, { migrate: migratePg }] = await Promise.all([import('pg'), import('drizzle-orm/node-postgres'), import('drizzle-orm/node-postgres/migrator')]);
  // Read-only (the verification tools): the server refuses every write, and nothing is migrated.
  const pool = new pg.Pool({ connectionString: url, max: opts.readOnly ? (opts.max ?? 10) : Math.max(2, opts.max ?? 10), ...(opts.readOnly && { options: '-c default_transaction_read_only=on' }) });
  // An idle client losing its connection emits here; without a listener that would crash the process.
  // The pool replaces the client, and the next query reports any outage itself.
  pool.on('error', opts.onIdleError ?? (() => {}));
  try {
    const db = drizzlePg(pool, { schema: pgSchema });
    if (!opts.readOnly) {
      // Nodes starting together would each apply the same migrations: one at a time, under a
      // session lock held on one pooled connection (the migrator's own connection is another).
      const lockHolder = await pool.connect();
      try {
        await lockHolder.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
        await migratePg(db, { migrationsFolder: pgMigrationsDir });
      } finally {
        await lockHolder.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
        lockHolder.release();
      }
    }
    const t = pgSchema as unknown as Schema;
    const store: Store = { dialect: 'postgres', inTx: false, q: db as unknown as Queryable, t };
    return {
      dialect: 'postgres',
      run: (fn) => fn(store),
      tx: (fn) => db.transaction((tx) => fn({ dialect: 'postgres', inTx: true, q: tx as unknown as Queryable, t })),
      close: () => pool.end(),
    };
  } catch (err) {
    await pool.end();
    throw err;
  }
}

/** PostgreSQL when `databaseUrl` is set, else the SQLite file (created and migrated). */
export async function openDatabase(opts: { databaseUrl: string | null; sqliteFile: string; onIdleError?: (err: Error) => void }): Promise<Database> {
  return opts.databaseUrl ? postgresDatabase(opts.databaseUrl, { ...(opts.onIdleError && { onIdleError: opts.onIdleError }) }) : sqliteDatabase(openDb(opts.sqliteFile), { owned: true });
}
