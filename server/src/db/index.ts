/**
 * Opens the SQLite database (WAL) and applies the checked-in migrations.
 * All schema files are merged here so queries see every feature's tables.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './all-schemas.ts';
import { migrationsDir } from '../paths.ts';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };
export { schema };


/** Opens (creating if needed) the database file and migrates it to the latest schema. */
export function openDb(file: string): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  // NORMAL is durable in WAL mode across process crashes, which is what "acked
  // means persisted" needs; FULL would add an fsync per commit for power loss.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // Freed cells are zeroed, so deleted rows (e.g. sealed ballot boxes) leave no readable trace in the file.
  sqlite.pragma('secure_delete = ON');
  const db = drizzle(sqlite, { schema }) as Db;
  migrate(db, { migrationsFolder: migrationsDir });
  return db;
}

export const dbFile = (dataDir: string) => join(dataDir, 'diemcau.sqlite');
