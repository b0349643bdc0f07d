/**
 * A fresh database for the data-layer tests, on the engine the run asks for: PostgreSQL when
 * DATABASE_URL is set (scripts/test-pg.mjs), else a SQLite file in a temp dir. On PostgreSQL each
 * call creates its own database on that server, so test files running in parallel never see each
 * other's rows; cleanup drops it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, postgresDatabase, type Database } from '../../server/src/db/database.ts';

export const pgUrl = (): string | null => process.env.DATABASE_URL || null;

export interface TestDatabase {
  database: Database;
  /** The PostgreSQL URL of this database, or null on SQLite. */
  url: string | null;
  cleanup(): Promise<void>;
}

/** Runs one SQL command on the server's maintenance connection (the URL's own database). */
async function admin(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A new, empty database on the PostgreSQL server of DATABASE_URL; its URL. */
export async function createPgDatabase(server: string): Promise<string> {
  const name = `t_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin(server, `CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.href;
}

/** Drops a database made by createPgDatabase (closing whatever still holds it). */
export async function dropPgDatabase(server: string, url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  if (!/^t_\d+_[0-9a-f]{8}$/.test(name)) throw new Error(`not a test database: ${name}`);
  await admin(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

export async function openTestDatabase(): Promise<TestDatabase> {
  const server = pgUrl();
  if (!server) {
    const dir = mkdtempSync(join(tmpdir(), 'diemcau-dl-'));
    const database = await openDatabase({ databaseUrl: null, sqliteFile: join(dir, 'db.sqlite') });
    return {
      database,
      url: null,
      async cleanup() {
        await database.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const url = await createPgDatabase(server);
  let database: Database;
  try {
    database = await postgresDatabase(url, { max: 4 });
  } catch (err) {
    await dropPgDatabase(server, url);
    throw err;
  }
  return {
    database,
    url,
    async cleanup() {
      await database.close();
      await dropPgDatabase(server, url);
    },
  };
}
