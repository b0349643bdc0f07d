/**
 * The PostgreSQL migrations (server/drizzle-pg) applied to a real PostgreSQL give every table,
 * column (with nullability), index (with uniqueness) and foreign key of the SQLite schema, and the
 * hand-written roster-epoch triggers work. Uses DATABASE_URL when scripts/test-pg.mjs set it, else
 * starts its own server (scripts/lib/services.mjs).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { getTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { is } from 'drizzle-orm';
import pg from 'pg';
import * as sqliteSchema from '../../server/src/db/all-schemas.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { startPostgres, type PostgresService } from '../../scripts/lib/services.mjs';

let server: PostgresService | null = null;
let tdb: TestDatabase;
let client: pg.Client;

beforeAll(async () => {
  if (!process.env.DATABASE_URL) {
    server = await startPostgres();
    process.env.DATABASE_URL = server.url;
  }
  tdb = await openTestDatabase();
  expect(tdb.database.dialect).toBe('postgres');
  client = new pg.Client({ connectionString: tdb.url! });
  await client.connect();
}, 300_000);
afterAll(async () => {
  await client?.end();
  await tdb?.cleanup();
  if (server) {
    delete process.env.DATABASE_URL;
    await server.stop();
  }
});

const rows = async <T>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as T[];

describe('PostgreSQL migrations', () => {
  const tables = (Object.values(sqliteSchema) as unknown[]).filter((v): v is SQLiteTable => is(v, SQLiteTable)).map((t) => getTableConfig(t));

  it('create every table and column of the SQLite schema, with the same nullability', async () => {
    const cols = await rows<{ table_name: string; column_name: string; is_nullable: string }>(
      "SELECT table_name, column_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public'",
    );
    const pgCols = new Map(cols.map((c) => [`${c.table_name}.${c.column_name}`, c.is_nullable === 'NO']));
    const expected = tables.flatMap((t) => t.columns.map((c) => [`${t.name}.${c.name}`, c.notNull || c.primary] as const));
    expect(expected.length).toBeGreaterThan(200);
    for (const [name, notNull] of expected) expect(pgCols.get(name), name).toBe(notNull);
    // And nothing the SQLite schema lacks.
    expect(pgCols.size).toBe(expected.length);
  });

  it('create every index (with its uniqueness), primary key and foreign key', async () => {
    const idx = await rows<{ indexname: string; indexdef: string }>("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'");
    const byName = new Map(idx.map((i) => [i.indexname, i.indexdef]));
    for (const t of tables) {
      for (const i of t.indexes) {
        const def = byName.get(i.config.name);
        expect(def, `${t.name}.${i.config.name}`).toBeDefined();
        expect(def!.startsWith('CREATE UNIQUE INDEX'), i.config.name).toBe(Boolean(i.config.unique));
      }
    }
    const cons = await rows<{ conname: string; contype: string; table: string; deltype: string }>(
      "SELECT conname, contype, conrelid::regclass::text AS table, confdeltype AS deltype FROM pg_constraint WHERE connamespace = 'public'::regnamespace",
    );
    const fks = new Map(cons.filter((c) => c.contype === 'f').map((c) => [c.conname, c.deltype]));
    const pks = new Set(cons.filter((c) => c.contype === 'p').map((c) => c.table));
    const action: Record<string, string> = { cascade: 'c', 'set null': 'n', 'no action': 'a', restrict: 'r', 'set default': 'd' };
    for (const t of tables) {
      expect(pks.has(t.name), `${t.name} primary key`).toBe(true);
      for (const fk of t.foreignKeys) expect(fks.get(fk.getName()), fk.getName()).toBe(action[fk.onDelete ?? 'no action']);
    }
    expect(fks.size).toBe(tables.reduce((n, t) => n + t.foreignKeys.length, 0));
  });

  it('bump the roster epoch on invitation and roster name changes, as SQLite\'s triggers do', async () => {
    const epoch = async () => Number((await rows<{ epoch: string }>('SELECT epoch FROM conference_roster_epoch WHERE id = 1'))[0]!.epoch);
    expect(await epoch()).toBe(0);
    await tdb.database.tx(async ({ q, t }) => {
      const [u] = await q.insert(t.units).values({ level: 'province', code: 'E', name: 'e' }).returning();
      const [m] = await q.insert(t.meetings).values({ title: 'm', kind: 'conference', startsAt: 'a', endsAt: 'b', chairUnitId: u!.id }).returning();
      const [bp] = await q.insert(t.bridgePoints).values({ unitId: u!.id, level: 'provincial', name: 'bp', roomName: 'r' }).returning();
      await q.insert(t.meetingBridgePoints).values({ meetingId: m!.id, bridgePointId: bp!.id }); // +1
      await q.update(t.bridgePoints).set({ roomName: 'r2' }).where(eq(t.bridgePoints.id, bp!.id)); // not shown in a roster: +0
      await q.update(t.bridgePoints).set({ name: 'bp2' }).where(eq(t.bridgePoints.id, bp!.id)); // +1
      await q.update(t.units).set({ code: 'E2' }).where(eq(t.units.id, u!.id)); // +1
    });
    expect(await epoch()).toBe(3);
  });
});
