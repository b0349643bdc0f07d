/**
 * Derives the PostgreSQL tables from the SQLite ones (the single source of the schema, see the
 * README's "Data layer"). `renderPgSchemaFiles()` returns the files of server/src/db/pg-schema/, one
 * per SQLite schema file, and their index server/src/db/pg-schema.generated.ts; scripts/gen-pg-schema.ts
 * writes them and test/unit/db/pg-schema.test.ts fails when a checked-in file differs, so a schema
 * change without a regenerated PG schema (and PG migration) cannot land.
 *
 * Mapping (values read back are identical on both engines):
 * - integer → bigint (mode number): epoch-ms times and random ids exceed int4. A single-column
 *   integer primary key (SQLite's rowid alias, assigned when omitted) → identity by default, unless
 *   it is also a foreign key (then its value always comes from the parent row).
 * - integer mode boolean → boolean; real → double precision; blob mode buffer → bytea.
 * - text → text, text mode json → text holding JSON.stringify'd text (not jsonb: jsonb reorders
 *   keys and drops whitespace, and hash chains and snapshots must read back exactly as written).
 * - SQL defaults: only the expressions listed in SQL_DEFAULTS; an unknown one stops the generator.
 * - Indexes, unique indexes (also partial, with their WHERE), composite primary keys and foreign
 *   keys keep their names and actions.
 */
import { getTableColumns, is, SQL } from 'drizzle-orm';
import { getTableConfig, SQLiteSyncDialect, SQLiteTable, type SQLiteColumn } from 'drizzle-orm/sqlite-core';
import * as core from '../../server/src/db/schema.ts';
import * as conference from '../../server/src/modules/conference/conference.schema.ts';
import * as documents from '../../server/src/modules/documents/documents.schema.ts';
import * as minutes from '../../server/src/modules/minutes/minutes.schema.ts';
import * as recording from '../../server/src/modules/recording/recording.schema.ts';
import * as reminders from '../../server/src/modules/reminders/reminders.schema.ts';
import * as reports from '../../server/src/modules/reports/reports.schema.ts';
import * as voting from '../../server/src/modules/voting/voting.schema.ts';

/** The SQLite schema files (those server/src/db/all-schemas.ts re-exports), each generating one PostgreSQL file. */
export const SCHEMA_FILES: Record<string, Record<string, unknown>> = { core, conference, documents, minutes, recording, reminders, reports, voting };

/** SQLite default expression (as drizzle renders it) → the PostgreSQL expression giving the same value. */
const SQL_DEFAULTS: Record<string, string> = {
  // ISO 8601 UTC with milliseconds, the format of Date.prototype.toISOString().
  "(strftime('%Y-%m-%dT%H:%M:%fZ','now'))": `to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
  "'[]'": "'[]'",
};

const dialect = new SQLiteSyncDialect();
const sqlText = (s: SQL): { sql: string; params: unknown[] } => dialect.sqlToQuery(s);
const lit = (v: unknown): string => JSON.stringify(v);
const tick = (s: string): string => '`' + s.replace(/[`\\$]/g, (c) => '\\' + c) + '`';

function pgDefault(col: SQLiteColumn, where: string): string {
  const d = col.default;
  if (is(d, SQL)) {
    const q = sqlText(d);
    const mapped = SQL_DEFAULTS[q.sql];
    if (mapped === undefined || q.params.length) throw new Error(`${where}: no PostgreSQL equivalent known for the default ${q.sql}; add one to SQL_DEFAULTS`);
    return `.default(sql${tick(mapped)})`;
  }
  if (typeof d === 'number' || typeof d === 'string' || typeof d === 'boolean') return `.default(${lit(d)})`;
  throw new Error(`${where}: unsupported default ${String(d)}`);
}

function pgColumn(col: SQLiteColumn, singlePk: boolean, isFk: boolean, where: string): string {
  const name = lit(col.name);
  let out: string;
  switch (col.columnType) {
    case 'SQLiteInteger':
    case 'SQLiteTimestamp':
      if (col.columnType === 'SQLiteTimestamp') throw new Error(`${where}: integer timestamp mode is not mapped (store epoch ms as plain integers)`);
      out = `bigint(${name}, { mode: 'number' })`;
      break;
    case 'SQLiteBoolean':
      out = `boolean(${name})`;
      break;
    case 'SQLiteReal':
      out = `doublePrecision(${name})`;
      break;
    case 'SQLiteText':
      out = `text(${name})`;
      break;
    case 'SQLiteTextJson':
      out = `jsonText(${name})`;
      break;
    case 'SQLiteBlobBuffer':
      out = `bytea(${name})`;
      break;
    default:
      throw new Error(`${where}: column type ${col.columnType} is not mapped`);
  }
  if (col.primary) {
    out += '.primaryKey()';
    if (singlePk && col.columnType === 'SQLiteInteger' && !isFk) out += '.generatedByDefaultAsIdentity()';
  } else if (col.notNull) out += '.notNull()';
  if (col.hasDefault && col.default !== undefined) out += pgDefault(col, where);
  return out;
}

const tablesOf = (source: Record<string, unknown>): [string, SQLiteTable][] =>
  // Sorted: the order of a module namespace's keys differs between loaders (node, vite), the output must not.
  Object.entries(source)
    .filter((e): e is [string, SQLiteTable] => is(e[1], SQLiteTable))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/**
 * The generated files, by path under server/src/db/: `pg-schema/<name>.generated.ts` for each of
 * `files` (name → a SQLite schema module), and the index `pg-schema.generated.ts` re-exporting them.
 */
export function renderPgSchemaFiles(files: Record<string, Record<string, unknown>> = SCHEMA_FILES): Map<string, string> {
  const home = new Map<SQLiteTable, { name: string; file: string }>();
  for (const [file, source] of Object.entries(files)) for (const [name, t] of tablesOf(source)) home.set(t, { name, file });
  const out = new Map<string, string>();
  const names = Object.keys(files).sort();
  for (const file of names) out.set(`pg-schema/${file}.generated.ts`, renderFile(file, tablesOf(files[file]!), home));
  out.set('pg-schema.generated.ts', `${NOTICE}
${names.map((f) => `export * from './pg-schema/${f}.generated.ts';`).join('\n')}
`);
  return out;
}

function renderFile(file: string, tables: [string, SQLiteTable][], home: Map<SQLiteTable, { name: string; file: string }>): string {
  const body: string[] = [];
  const foreign = new Map<string, Set<string>>();
  for (const [key, table] of tables) {
    const cfg = getTableConfig(table);
    const fkCols = new Set(cfg.foreignKeys.flatMap((fk) => fk.reference().columns.map((c) => c.name)));
    const cols = Object.entries(getTableColumns(table)).map(([prop, c]) => {
      const col = c as SQLiteColumn;
      return `    ${prop}: ${pgColumn(col, true, fkCols.has(col.name), `${cfg.name}.${col.name}`)},`;
    });
    const propOf = new Map(Object.entries(getTableColumns(table)).map(([prop, c]) => [c.name, prop]));
    const ref = (c: SQLiteColumn) => `t.${propOf.get(c.name)}`;
    const extras: string[] = [];
    for (const pk of cfg.primaryKeys) extras.push(`primaryKey({ name: ${lit(pk.getName())}, columns: [${pk.columns.map(ref).join(', ')}] })`);
    for (const ix of cfg.indexes) {
      const c = ix.config;
      let s = `${c.unique ? 'uniqueIndex' : 'index'}(${lit(c.name)}).on(${c.columns.map((col) => ref(col as SQLiteColumn)).join(', ')})`;
      if (c.where) {
        const q = sqlText(c.where);
        if (q.params.length) throw new Error(`${cfg.name}.${c.name}: a partial index condition with parameters is not mapped; write it with sql.raw literals`);
        s += `.where(sql${tick(q.sql)})`;
      }
      extras.push(s);
    }
    for (const fk of cfg.foreignKeys) {
      const r = fk.reference();
      const target = home.get(r.foreignTable as SQLiteTable);
      if (!target) throw new Error(`${cfg.name}: foreign key to a table outside the schema files`);
      if (target.file !== file) foreign.set(target.file, (foreign.get(target.file) ?? new Set()).add(target.name));
      let s = `foreignKey({ name: ${lit(fk.getName())}, columns: [${r.columns.map(ref).join(', ')}], foreignColumns: [${r.foreignColumns.map((c) => `${target.name}.${propOfTable(r.foreignTable as SQLiteTable, c.name)}`).join(', ')}] })`;
      if (fk.onDelete && fk.onDelete !== 'no action') s += `.onDelete(${lit(fk.onDelete)})`;
      if (fk.onUpdate && fk.onUpdate !== 'no action') s += `.onUpdate(${lit(fk.onUpdate)})`;
      extras.push(s);
    }
    if (cfg.checks.length || cfg.uniqueConstraints.length) throw new Error(`${cfg.name}: checks and unique constraints are not mapped (use a uniqueIndex)`);
    // Declared any[]: the tables refer to each other, and an inferred return type would be circular.
    const third = extras.length ? `,\n  (t): any[] => [\n${extras.map((e) => `    ${e},`).join('\n')}\n  ]` : '';
    body.push(`export const ${key} = pgTable(\n  ${lit(cfg.name)},\n  {\n${cols.join('\n')}\n  }${third},\n);`);
  }
  const text = body.join('\n\n');
  // Only what the file uses: the lint refuses unused imports. Tables of other files are only named
  // inside the lazy index callbacks, so the files may import each other.
  // A call of the function itself, not a column method of the same name (`.primaryKey()`).
  const used = (names: string[]) => names.filter((n) => new RegExp(`(?<![.\\w])${n}\\(`).test(text));
  const imports = [
    ...(text.includes('sql`') ? [`import { sql } from 'drizzle-orm';`] : []),
    `import { ${used(PG_CORE).join(', ')} } from 'drizzle-orm/pg-core';`,
    ...(used(['bytea', 'jsonText']).length ? [`import { ${used(['bytea', 'jsonText']).join(', ')} } from './columns.ts';`] : []),
    ...[...foreign].sort(([a], [b]) => (a < b ? -1 : 1)).map(([f, n]) => `import { ${[...n].sort().join(', ')} } from './${f}.generated.ts';`),
  ];
  return `${NOTICE}
${imports.join('\n')}

${text}
`;
}

function propOfTable(table: SQLiteTable, column: string): string {
  const hit = Object.entries(getTableColumns(table)).find(([, c]) => c.name === column);
  if (!hit) throw new Error(`no column ${column}`);
  return hit[0];
}

const PG_CORE = ['bigint', 'boolean', 'doublePrecision', 'foreignKey', 'index', 'pgTable', 'primaryKey', 'text', 'uniqueIndex'];

const NOTICE = `// GENERATED by scripts/gen-pg-schema.ts from the SQLite tables (server/src/db/all-schemas.ts).
// Do not edit: change the SQLite schema, then run \`pnpm db:generate\` (both dialects' migrations).`;
