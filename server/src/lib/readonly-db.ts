import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { loadConfig } from '../config.ts';
import { dbFile, schema, type Db } from '../db/index.ts';

/**
 * Opens the database file read-only for the verification CLIs (no migration, no writes), or
 * returns the one-line reason it cannot. `file` defaults to the configured data directory's.
 */
export function openReadonlyDb(file: string | undefined): { db: Db; file: string; close: () => void } | { error: string } {
  const path = file ?? dbFile(loadConfig().dataDir);
  try {
    const sqlite = new Database(path, { readonly: true, fileMustExist: true });
    return { db: drizzle(sqlite, { schema }) as unknown as Db, file: path, close: () => sqlite.close() };
  } catch (err) {
    return { error: `cannot open ${path}: ${(err as Error).message}` };
  }
}
