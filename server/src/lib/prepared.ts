/**
 * Statements prepared once per database connection. Drizzle builds a query's
 * SQL on every call, which on a hot path (a check-in, a cast) costs more than
 * SQLite takes to run it; a prepared drizzle query skips that.
 */
import type { Db } from '../db/index.ts';

/** Memoises `build(db)` per connection: call the returned function with the db at each use. */
export function preparedFor<T>(build: (db: Db) => T): (db: Db) => T {
  const byDb = new WeakMap<Db, T>();
  return (db) => {
    let s = byDb.get(db);
    if (s === undefined) byDb.set(db, (s = build(db)));
    return s;
  };
}
