/**
 * hotWrite (db/dialect.ts) runs drizzle's statement text on better-sqlite3 with its own parameter
 * plan: every kind of parameter must reach the database exactly as drizzle's own prepared query
 * would send it. (PostgreSQL goes through drizzle; test:pg runs the voting and data-layer suites there.)
 */
import { describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { blob, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { hot, hotWrite } from '../../../server/src/db/dialect.ts';
import { openDb, schema, type Db } from '../../../server/src/db/index.ts';
import type { Queryable, Store } from '../../../server/src/db/database.ts';
import { isConstraint } from '../../../server/src/lib/db-errors.ts';

const ph = sql.placeholder;
const table = (name: string) =>
  sqliteTable(name, {
    id: integer('id').primaryKey(),
    choices: text('choices', { mode: 'json' }).$type<string[]>(),
    box: blob('box', { mode: 'buffer' }),
    flag: integer('flag', { mode: 'boolean' }),
    tag: text('tag'),
  }, (t) => [uniqueIndex(`${name}_tag`).on(t.tag)]);
const viaPlan = table('via_plan');
const viaDrizzle = table('via_drizzle');

function store(): Store & { client: Db['$client'] } {
  const db = openDb(':memory:');
  const client = db.$client;
  for (const name of ['via_plan', 'via_drizzle']) client.exec(`create table ${name} (id integer primary key, choices text, box blob, flag integer, tag text); create unique index ${name}_tag on ${name}(tag)`);
  return { dialect: 'sqlite', inTx: false, q: db as unknown as Queryable, t: schema, client };
}

type Row = { id: number; choices: string[]; box: Buffer; flag: boolean; tag: string };
const insertInto = (t: typeof viaPlan) => (s: Store) =>
  s.q.insert(t).values({ id: ph('id'), choices: ph('choices'), box: ph('box'), flag: ph('flag'), tag: ph('tag') }).onConflictDoNothing({ target: t.id });
const rows = (s: ReturnType<typeof store>, name: string) => s.client.prepare(`select * from ${name} order by id`).all();

describe('hotWrite on SQLite', () => {
  it('writes every kind of value as drizzle does: JSON and boolean columns encoded, buffers and text as they are', async () => {
    const s = store();
    const planned = hotWrite(insertInto(viaPlan));
    const drizzled = hot(insertInto(viaDrizzle));
    const values: Row[] = [
      { id: 1, choices: ['yes'], box: Buffer.from([0, 1, 2, 255]), flag: true, tag: 'a' },
      { id: 2, choices: ['a', 'b"c', 'đồng ý'], box: Buffer.alloc(0), flag: false, tag: 'b\u0000c' },
      { id: 3, choices: [], box: Buffer.alloc(300, 7), flag: true, tag: '' },
    ];
    for (const v of values) {
      expect(await planned(s, v)).toBe(1);
      await drizzled(s, v);
    }
    expect(rows(s, 'via_plan')).toEqual(rows(s, 'via_drizzle'));
    // And drizzle reads back what was meant.
    expect(await s.q.select().from(viaPlan).orderBy(viaPlan.id)).toEqual(values);
  });

  it('returns the rows changed, with constants and placeholders in the WHERE clause', async () => {
    const s = store();
    await hotWrite(insertInto(viaPlan))(s, { id: 7, choices: ['x'], box: Buffer.from('b'), flag: false, tag: 't' });
    // `flag = false` is a constant parameter of the statement; `id` a bare placeholder.
    const flip = hotWrite((st) => st.q.update(viaPlan).set({ flag: true }).where(and(eq(viaPlan.id, ph('id')), eq(viaPlan.flag, false))));
    expect(await flip(s, { id: 7 })).toBe(1);
    expect(await flip(s, { id: 7 })).toBe(0);
    expect(await flip(s, { id: 8 })).toBe(0);
    const rename = hotWrite((st) => st.q.update(viaPlan).set({ choices: ph('choices') as unknown as string[] }).where(eq(viaPlan.id, ph('id'))));
    expect(await rename(s, { id: 7, choices: ['y', 'z'] })).toBe(1);
    expect(await s.q.select({ c: viaPlan.choices, f: viaPlan.flag }).from(viaPlan)).toEqual([{ c: ['y', 'z'], f: true }]);
    // ON CONFLICT DO NOTHING changes nothing.
    expect(await hotWrite(insertInto(viaPlan))(s, { id: 7, choices: [], box: Buffer.alloc(1), flag: true, tag: 'other' })).toBe(0);
  });

  it('refuses a missing value by name, and a constraint error keeps its code', async () => {
    const s = store();
    const insert = hotWrite(insertInto(viaPlan));
    await expect(insert(s, { id: 1, choices: [], box: Buffer.alloc(1), flag: true } as unknown as Row)).rejects.toThrow('No value for placeholder "tag" was provided');
    expect(await insert(s, { id: 1, choices: [], box: Buffer.alloc(1), flag: true, tag: 'same' })).toBe(1);
    const err = await insert(s, { id: 2, choices: [], box: Buffer.alloc(1), flag: true, tag: 'same' }).catch((e: unknown) => e);
    expect(isConstraint(err, 'UNIQUE')).toBe(true);
    expect(rows(s, 'via_plan')).toHaveLength(1);
  });

  it('builds the statement once per connection and runs it on that connection', async () => {
    const [a, b] = [store(), store()];
    let builds = 0;
    const insert = hotWrite((s) => (builds++, insertInto(viaPlan)(s)));
    for (let id = 1; id <= 5; id++) await insert(id % 2 ? a : b, { id, choices: [], box: Buffer.alloc(1), flag: true, tag: `t${id}` });
    expect(builds).toBe(2);
    expect(rows(a, 'via_plan').map((r) => (r as Row).id)).toEqual([1, 3, 5]);
    expect(rows(b, 'via_plan').map((r) => (r as Row).id)).toEqual([2, 4]);
  });
});
