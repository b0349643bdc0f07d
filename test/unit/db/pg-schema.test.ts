/**
 * The PostgreSQL tables are generated from the SQLite ones; a schema change must regenerate them
 * (`pnpm db:generate`), or this fails. It also pins the mapping decisions the README explains.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { getTableConfig as pgConfig, PgTable } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { is } from 'drizzle-orm';
import { renderPgSchemaFiles } from '../../../scripts/lib/pg-schema-gen.ts';
import * as sqliteSchema from '../../../server/src/db/all-schemas.ts';
import * as pgSchema from '../../../server/src/db/pg-schema.generated.ts';


describe('generated PostgreSQL schema', () => {
  it('is up to date with the SQLite tables (run `pnpm db:generate` after a schema change)', () => {
    const files = renderPgSchemaFiles();
    expect(files.size).toBeGreaterThan(8);
    for (const [path, text] of files) expect(readFileSync(new URL(`../../../server/src/db/${path}`, import.meta.url), 'utf8'), path).toBe(text);
  });

  it('has every SQLite table under the same export name, with the same columns, keys and indexes', () => {
    const sqliteTables = Object.entries(sqliteSchema).filter(([, v]) => is(v, SQLiteTable)) as [string, SQLiteTable][];
    expect(sqliteTables.length).toBeGreaterThan(30);
    for (const [key, st] of sqliteTables) {
      const pt = (pgSchema as Record<string, unknown>)[key];
      expect(is(pt, PgTable), key).toBe(true);
      const s = sqliteConfig(st);
      const p = pgConfig(pt as PgTable);
      expect(p.name).toBe(s.name);
      expect(p.columns.map((c) => [c.name, c.notNull, c.primary])).toEqual(s.columns.map((c) => [c.name, c.notNull, c.primary]));
      expect(p.indexes.map((i) => [i.config.name, i.config.unique])).toEqual(s.indexes.map((i) => [i.config.name, i.config.unique]));
      expect(p.foreignKeys.map((f) => [f.getName(), f.onDelete ?? 'no action'])).toEqual(s.foreignKeys.map((f) => [f.getName(), f.onDelete ?? 'no action']));
      expect(p.primaryKeys.map((k) => k.getName())).toEqual(s.primaryKeys.map((k) => k.getName()));
    }
  });

  it('maps types faithfully', () => {
    const col = (t: PgTable, name: string) => pgConfig(t).columns.find((c) => c.name === name)!;
    expect(col(pgSchema.users, 'id').getSQLType()).toBe('bigint');
    expect(col(pgSchema.users, 'id').generatedIdentity?.type).toBe('byDefault');
    expect(col(pgSchema.users, 'active').getSQLType()).toBe('boolean');
    expect(col(pgSchema.users, 'created_at').getSQLType()).toBe('text');
    expect(col(pgSchema.floorLog, 'at').getSQLType()).toBe('bigint');
    expect(col(pgSchema.agendaItems, 'document_ids').getSQLType()).toBe('text');
    expect(col(pgSchema.pollBallotBoxes, 'box').getSQLType()).toBe('bytea');
    expect(col(pgSchema.unitDistances, 'km').getSQLType()).toBe('double precision');
    // A primary key that is also a foreign key takes its parent's value: no identity.
    expect(col(pgSchema.conferenceState, 'meeting_id').generatedIdentity).toBeUndefined();
  });
});

describe('the generator', () => {
  it('maps a partial unique index with its condition, and refuses what it cannot map', async () => {
    const { sqliteTable, integer, text, uniqueIndex } = await import('drizzle-orm/sqlite-core');
    const { sql } = await import('drizzle-orm');
    const leases = sqliteTable('leases', { id: integer('id').primaryKey({ autoIncrement: true }), owner: text('owner'), kind: text('kind').notNull() }, (t) => [
      uniqueIndex('leases_live_uq').on(t.kind).where(sql`${t.owner} is not null`),
    ]);
    const out = renderPgSchemaFiles({ test: { leases } }).get('pg-schema/test.generated.ts');
    expect(out).toContain('uniqueIndex("leases_live_uq").on(t.kind).where(sql`"leases"."owner" is not null`)');
    const odd = sqliteTable('odd', { at: text('at').notNull().default(sql`(datetime('now'))`) });
    expect(() => renderPgSchemaFiles({ test: { odd } })).toThrow(/no PostgreSQL equivalent known for the default \(datetime\('now'\)\)/);
  });
});
