/**
 * DATABASE_URL is read once in config.ts; unset, the app runs on SQLite as before, with the async
 * repository API (`app.database`) over the same connection as the synchronous `app.db`; set, the
 * app runs on PostgreSQL (test/integration/data-layer/app.test.ts in the PostgreSQL pass), and one it
 * cannot reach fails the start rather than falling back to a SQLite file.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../server/src/app.ts';
import { ConfigError, loadConfig } from '../../../server/src/config.ts';
import { buildTestApp, testConfig, type TestApp } from '../../helpers/app.ts';

describe('DATABASE_URL', () => {
  it('is read from the environment and validated', () => {
    expect(loadConfig({}).databaseUrl).toBeNull();
    expect(loadConfig({ DATABASE_URL: '' }).databaseUrl).toBeNull();
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/d' }).databaseUrl).toBe('postgres://u:p@127.0.0.1:5432/d');
    expect(() => loadConfig({ DATABASE_URL: 'mysql://u:p@127.0.0.1/d' })).toThrow(ConfigError);
  });

  it('set to a server that is not there: the start fails with the connection error, and no SQLite file is written', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'diemcau-dburl-'));
    try {
      const config = testConfig(dataDir, { databaseUrl: 'postgres://u:p@127.0.0.1:1/d' });
      await expect(buildApp(config, { logger: false })).rejects.toThrow(/ECONNREFUSED/);
      expect(existsSync(join(dataDir, 'diemcau.sqlite'))).toBe(false);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('app.database on SQLite', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('shares the connection of app.db: each sees the other\'s writes, a rollback undoes only its own', async () => {
    expect(t.app.database.dialect).toBe('sqlite');
    const { units } = await import('../../../server/src/db/schema.ts');
    const before = t.app.db.select().from(units).all().length;
    await t.app.database.tx(({ q, t: s }) => q.insert(s.units).values({ level: 'district', code: 'DL-1', name: 'async' }));
    expect(t.app.db.select().from(units).where(eq(units.code, 'DL-1')).all()).toHaveLength(1);
    t.app.db.insert(units).values({ level: 'district', code: 'DL-2', name: 'sync' }).run();
    expect(await t.app.database.run(({ q, t: s }) => q.select().from(s.units).where(eq(s.units.code, 'DL-2')))).toHaveLength(1);
    await expect(
      t.app.database.tx(async ({ q, t: s }) => {
        await q.insert(s.units).values({ level: 'district', code: 'DL-3', name: 'rolled back' });
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect(t.app.db.select().from(units).all()).toHaveLength(before + 2);
  });
});
