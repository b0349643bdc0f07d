import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { startCheckpointer } from '../db/checkpointer.ts';
import { openDb, dbFile, type Db } from '../db/index.ts';
import { postgresDatabase, sqliteDatabase, type Database } from '../db/database.ts';
import { seedDemo } from '../db/seed.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The synchronous SQLite connection, for tests and the SQLite tools only; throws on PostgreSQL. */
    db: Db;
    /** The async repository API (db/database.ts) every module uses, on either engine. */
    database: Database;
  }
}

export interface DbPluginOptions {
  dataDir: string;
  seedDemo: boolean;
  seedReportHistory?: boolean;
  /** config.databaseUrl: PostgreSQL instead of the SQLite file. */
  databaseUrl?: string | null;
  /** Tests may pass an already-open database. */
  db?: Db;
}

/**
 * Opens and migrates the database: PostgreSQL when `databaseUrl` is set (several nodes), else the
 * SQLite file (with the synchronous `app.db` beside `app.database` over one connection, for tests
 * and the SQLite tools). Seeds demo data when empty, closes on shutdown.
 */
export default fp<DbPluginOptions>(
  async (app, opts) => {
    if (opts.databaseUrl) {
      const database = await postgresDatabase(opts.databaseUrl, { onIdleError: (err) => app.log.warn({ err }, 'postgresql connection lost (the pool reconnects)') });
      app.addHook('onClose', () => database.close());
      app.decorate('database', database);
      // Nothing in the application reads app.db; a test or tool that does gets told why it fails.
      app.decorate('db', {
        getter() {
          throw new Error('app.db is the synchronous SQLite connection; this server runs on PostgreSQL (DATABASE_URL): use app.database');
        },
      });
      await seed(app, database, opts);
      return;
    }
    const db = opts.db ?? openDb(dbFile(opts.dataDir));
    app.decorate('db', db);
    const database = sqliteDatabase(db);
    app.decorate('database', database);
    await seed(app, database, opts);
    // Checkpoints off the hot path: on a worker thread with its own connection (db/checkpointer.ts).
    // An in-memory database has no file to share, so it checkpoints nothing (it has no WAL either).
    db.$client.pragma('wal_autocheckpoint = 0');
    const file = db.$client.memory ? null : db.$client.name;
    const checkpointer = file ? startCheckpointer(file, 1000, (message) => app.log.warn({ message }, 'WAL checkpoint failed')) : null;
    app.addHook('onClose', async () => {
      await checkpointer?.stop();
      if (!opts.db && db.$client.open) db.$client.close();
    });
  },
  { name: 'db' },
);

async function seed(app: FastifyInstance, database: Database, opts: DbPluginOptions): Promise<void> {
  if (!opts.seedDemo) return;
  const seeded = await seedDemo(database, { history: opts.seedReportHistory ?? true });
  if (seeded) app.log.info({ seeded }, 'demo data seeded into empty database');
}
