import fp from 'fastify-plugin';
import { startCheckpointer } from '../db/checkpointer.ts';
import { openDb, dbFile, type Db } from '../db/index.ts';
import { seedDemo } from '../db/seed.ts';

declare module 'fastify' {
  interface FastifyInstance {
    db: Db;
  }
}

export interface DbPluginOptions {
  dataDir: string;
  seedDemo: boolean;
  seedReportHistory?: boolean;
  /** Tests may pass an already-open database. */
  db?: Db;
}

/** Opens and migrates the SQLite database, seeds demo data when empty, closes on shutdown. */
export default fp<DbPluginOptions>(
  async (app, opts) => {
    const db = opts.db ?? openDb(dbFile(opts.dataDir));
    app.decorate('db', db);
    if (opts.seedDemo) {
      const seeded = await seedDemo(db, { history: opts.seedReportHistory ?? true });
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
