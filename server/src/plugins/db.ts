import fp from 'fastify-plugin';
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
    // Checkpoints off the hot path: no commit pays for copying the WAL back
    // (wal_autocheckpoint would make the 1000th page's committer do it);
    // instead a PASSIVE checkpoint runs on a timer, never waiting for readers.
    db.$client.pragma('wal_autocheckpoint = 0');
    const checkpoint = setInterval(() => {
      try {
        if (db.$client.open) db.$client.pragma('wal_checkpoint(PASSIVE)');
      } catch (err) {
        app.log.warn({ err }, 'WAL checkpoint failed');
      }
    }, 1000);
    checkpoint.unref();
    app.addHook('onClose', async () => {
      clearInterval(checkpoint);
      if (!opts.db && db.$client.open) db.$client.close();
    });
  },
  { name: 'db' },
);
