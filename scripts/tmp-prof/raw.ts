import Database from '../../server/node_modules/better-sqlite3/lib/index.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
for (const [label, dir] of [['tmp', mkdtempSync(join(tmpdir(), 'raw-'))], ['work', mkdtempSync('/work/raw-')], ['shm', mkdtempSync('/dev/shm/raw-')]] as const) {
  for (const sync of ['NORMAL', 'OFF']) {
    const db = new Database(join(dir, `x${sync}.db`));
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${sync}`);
    db.exec('create table t (id integer primary key, v text)');
    const ins = db.prepare('insert into t (v) values (?)');
    const n = 2000;
    const t = performance.now();
    for (let i = 0; i < n; i++) db.transaction(() => ins.run('x'))();
    console.log(label, sync, (((performance.now() - t) * 1000) / n).toFixed(0), 'µs per committed insert');
    db.close();
  }
}
