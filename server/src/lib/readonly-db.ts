import Sqlite from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { loadConfig } from '../config.ts';
import { postgresDatabase, sqliteDatabase, type Database } from '../db/database.ts';
import { dbFile, schema, type Db } from '../db/index.ts';

export type ReadonlyDatabase = { database: Database; label: string; close: () => Promise<void> } | { error: string };

/**
 * Opens the database read-only for the verification CLIs (no migration, no writes), or returns the
 * one-line reason it cannot. `target` is a SQLite file or a postgres:// URL; it defaults to the
 * configured DATABASE_URL, else the data directory's SQLite file.
 */
export async function openReadonlyDatabase(target: string | undefined): Promise<ReadonlyDatabase> {
  const config = target ? null : loadConfig();
  const where = target ?? config!.databaseUrl ?? dbFile(config!.dataDir);
  try {
    if (/^postgres(ql)?:\/\//.test(where)) {
      const database = await postgresDatabase(where, { max: 1, readOnly: true });
      // The URL may carry a password: the label names the database only.
      const url = new URL(where);
      return { database, label: `postgresql ${url.host}${url.pathname}`, close: () => database.close() };
    }
    const sqlite = new Sqlite(where, { readonly: true, fileMustExist: true });
    const database = sqliteDatabase(drizzle(sqlite, { schema }) as unknown as Db);
    return { database, label: where, close: async () => void sqlite.close() };
  } catch (err) {
    return { error: `cannot open ${where.replace(/\/\/[^@/]*@/, '//')}: ${(err as Error).message}` };
  }
}

