// Real better-sqlite3 errors (not hand-made objects) map to typed 4xx/507 answers, by code.
import { describe, expect, it } from 'vitest';
import { toErrorResponse } from '../../../server/src/plugins/errors.ts';
import { constraintKind, isStorageFull } from '../../../server/src/lib/db-errors.ts';
import { openDb } from '../../../server/src/db/index.ts';

// The app's own connection settings (foreign keys on), on a scratch schema.
const db = openDb(':memory:').$client;
db.exec(`
  CREATE TABLE parent (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, n INTEGER CHECK (n >= 0));
  CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent(id));
  INSERT INTO parent (id, code, n) VALUES (1, 'a', 1);
  INSERT INTO child (parent_id) VALUES (1);
`);
const thrown = (sql: string): unknown => {
  try {
    db.exec(sql);
  } catch (err) {
    return err;
  }
  throw new Error(`no error from ${sql}`);
};

describe('database constraint errors', () => {
  const cases: [string, string, string, number, string][] = [
    ['unique', "INSERT INTO parent (code) VALUES ('a')", 'UNIQUE', 409, 'CONFLICT'],
    ['primary key', "INSERT INTO parent (id, code) VALUES (1, 'b')", 'PRIMARYKEY', 409, 'CONFLICT'],
    ['foreign key on insert', 'INSERT INTO child (parent_id) VALUES (999)', 'FOREIGNKEY', 409, 'CONFLICT'],
    ['foreign key on delete', 'DELETE FROM parent WHERE id = 1', 'FOREIGNKEY', 409, 'CONFLICT'],
    ['check', "INSERT INTO parent (code, n) VALUES ('c', -1)", 'CHECK', 400, 'VALIDATION_FAILED'],
    ['not null', 'INSERT INTO parent (code) VALUES (NULL)', 'NOTNULL', 400, 'VALIDATION_FAILED'],
  ];
  for (const [name, sql, kind, status, code] of cases) {
    it(`${name} → ${status} ${code}`, () => {
      const err = thrown(sql);
      expect(constraintKind(err)).toBe(kind);
      const r = toErrorResponse(err);
      expect(r.status).toBe(status);
      expect(r.body.error.code).toBe(code);
      // The SQL text and table names stay in the log, not in the answer.
      expect(r.body.error.message).not.toMatch(/parent|constraint failed/i);
    });
  }

  it('recognises by code, not by message text', () => {
    const fake = new Error('UNIQUE constraint failed: units.code');
    expect(constraintKind(fake)).toBeNull();
    expect(toErrorResponse(fake).status).toBe(500);
  });
});

describe('storage full', () => {
  it('SQLITE_FULL from a database at its max_page_count → 507 STORAGE_FULL', () => {
    const small = openDb(':memory:').$client;
    small.exec('CREATE TABLE t (x TEXT)');
    small.pragma(`max_page_count = ${small.pragma('page_count', { simple: true }) as number}`);
    let err: unknown;
    try {
      for (let i = 0; i < 1000; i++) small.prepare('INSERT INTO t VALUES (?)').run('x'.repeat(4000));
    } catch (e) {
      err = e;
    }
    expect((err as { code?: string }).code).toBe('SQLITE_FULL');
    expect(isStorageFull(err)).toBe(true);
    expect(toErrorResponse(err)).toMatchObject({ status: 507, body: { error: { code: 'STORAGE_FULL' } } });
  });

  it('ENOSPC from a file write → 507 STORAGE_FULL', () => {
    const err = Object.assign(new Error("ENOSPC: no space left on device, write"), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    expect(toErrorResponse(err)).toMatchObject({ status: 507, body: { error: { code: 'STORAGE_FULL' } } });
  });
});
