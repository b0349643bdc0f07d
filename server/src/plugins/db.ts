import fp from 'fastify-plugin';
import { startCheckpointer } from '../db/checkpointer.ts';
import { openDb, dbFile, type Db } from '../db/index.ts';
import { sqliteDatabase, type Database } from '../db/database.ts';
import { seedDemo } from '../db/seed.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The synchronous SQLite API of the modules not yet converted (README, "Data layer"). */
    db: Db;
    /** The async repository API (db/database.ts): over the same SQLite connection as `db`. */
    database: Database;
  }
}

export interface DbPluginOptions {
  dataDir: string;
  seedDemo: boolean;
  seedReportHistory?: boolean;
  /** config.databaseUrl: PostgreSQL is refused until every module is on the async API. */
  databaseUrl?: string | null;
  /** Tests may pass an already-open database. */
  db?: Db;
}

/** Opens and migrates the SQLite database (sync `app.db`, async `app.database` over one connection), seeds demo data when empty, closes on shutdown. */
export default fp<DbPluginOptions>(
  async (app, opts) => {
    if (opts.databaseUrl) {
      // Half the modules would otherwise write to a SQLite file beside the PostgreSQL database.
      throw new Error('DATABASE_URL is set, but the application does not run on PostgreSQL yet: only some modules use the async data layer so far (README, "Data layer"). Unset DATABASE_URL to use SQLite.');
    }
    const db = opts.db ?? openDb(dbFile(opts.dataDir));
    app.decorate('db', db);
    const database = sqliteDatabase(db);
    app.decorate('database', database);
    if (opts.seedDemo) {
      const seeded = await seedDemo(database, { history: opts.seedReportHistory ?? true });
      if (seeded) app.log.info({ seeded }, 'demo data seeded into empty database');
    }
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
