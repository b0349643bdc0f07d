/**
 * `pnpm audit:verify [--db file|postgres-url] [--head hash] [--json]`: recomputes the audit chain
 * straight from the database (read-only; default: DATABASE_URL, else the data dir's file), without the server. Exit 0: intact; 1: broken (the first broken entry is
 * named); 2: usage error or the file cannot be opened. `--head` compares with a head hash noted
 * earlier, which also catches removal of the newest entries.
 */
import { parseArgs } from 'node:util';
import { openReadonlyDatabase } from '../../lib/readonly-db.ts';
import { verifyAudit } from './audit.store.ts';

const USAGE = 'usage: audit:verify [--db <file or postgres:// URL>] [--head <sha256 hex>] [--json]';

export async function verifyAuditCli(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  let args;
  try {
    args = parseArgs({ args: argv, options: { db: { type: 'string' }, head: { type: 'string' }, json: { type: 'boolean' } } }).values;
  } catch (err) {
    out(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const opened = await openReadonlyDatabase(args.db);
  if ('error' in opened) {
    out(opened.error);
    return 2;
  }
  try {
    const report = await opened.database.run(verifyAudit);
    if (report.ok && args.head && args.head !== report.head) {
      report.ok = false;
      report.problems.push(`head is ${report.head}, expected ${args.head}`);
      report.message = `Audit trail head ${report.head} differs from the expected ${args.head}: entries were removed or added after it was noted`;
    }
    out(args.json ? JSON.stringify(report, null, 2) : `${report.ok ? 'OK' : 'FAILED'}: ${report.message}`);
    return report.ok ? 0 : 1;
  } finally {
    await opened.close();
  }
}
