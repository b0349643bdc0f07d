/**
 * Bulk INSERTs for seeding tens of thousands of rows (the demo's report history). Drizzle's
 * multi-row INSERT binds a parameter per value, which costs seconds at that size and runs into the
 * engines' per-statement parameter limits (SQLite 32,766, PostgreSQL 65,535); so each chunk of rows
 * travels as ONE parameter, a JSON array of arrays that the engine unpacks itself (as fast as
 * better-sqlite3's prepared statement row by row, a few round trips on PostgreSQL). Values are
 * encoded by the table's own columns (booleans, JSON text) as drizzle would; no blob columns.
 */
import { getTableColumns, getTableName, sql } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Store } from './database.ts';
import { execute } from './dialect.ts';

// Rows per statement: bounds the JSON text held at once.
const CHUNK = 10_000;

/**
 * Inserts `rows` into `table` (one of `s.t`). Every row sets the columns the first one sets; the
 * others take their defaults. Both engines read a JSON array in order, so identities follow the
 * array. Call it inside `database.tx` to commit the rows together.
 */
export async function insertMany<T extends SQLiteTable>(s: Store, table: T, rows: readonly T['$inferInsert'][]): Promise<void> {
  if (!rows.length) return;
  const columns = getTableColumns(table);
  const keys = Object.keys(rows[0]!).filter((k) => columns[k]);
  const target = sql.raw(`"${getTableName(table)}"`);
  const list = sql.raw(keys.map((k) => `"${columns[k]!.name}"`).join(', '));
  // Element i of each row (both table functions name their column `value`), typed on PostgreSQL, whose ->> gives text.
  const fields = sql.raw(keys.map((k, i) => (s.dialect === 'postgres' ? `(value->>${i})::${columns[k]!.getSQLType()}` : `value->>${i}`)).join(', '));
  const source = s.dialect === 'postgres' ? sql`json_array_elements` : sql`json_each`;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const json = JSON.stringify(
      rows.slice(i, i + CHUNK).map((row) => keys.map((k) => {
        const v = (row as Record<string, unknown>)[k];
        return v == null ? null : columns[k]!.mapToDriverValue(v);
      })),
    );
    await execute(s, sql`insert into ${target} (${list}) select ${fields} from ${source}(${json})`);
  }
}
