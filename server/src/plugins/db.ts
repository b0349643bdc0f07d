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
    app.addHook('onClose', async () => {
      if (!opts.db && db.$client.open) db.$client.close();
    });
  },
  { name: 'db' },
);
