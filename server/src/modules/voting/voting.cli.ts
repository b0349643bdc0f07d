/**
 * `scripts/verify-poll.ts`: checks a poll straight from the database,
 * without the server running — the chain recomputed, the ballots re-tallied,
 * both compared with the stored result and, optionally, an announced head.
 * A SQLite file is opened read-only; PostgreSQL (`--database-url`, else
 * DATABASE_URL) through the data layer, which brings its schema up to date
 * first (a no-op on a current database).
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config.ts';
import { postgresDatabase, sqliteDatabase, type Database } from '../../db/database.ts';
import { openReadonlyDb } from '../../lib/readonly-db.ts';
import { verifyStoredPoll } from './voting.export.ts';
import * as repo from './voting.repo.ts';

const USAGE = 'usage: verify-poll --poll <id> [--db <file> | --database-url <postgres://…>] [--head <sha256 hex>] [--json]';

/** The database to check and how to name it, or the one-line reason it cannot be opened. */
async function open(file: string | undefined, url: string | undefined): Promise<{ database: Database; name: string } | { error: string }> {
  const pg = file === undefined ? (url ?? loadConfig().databaseUrl) : null;
  if (pg) {
    try {
      return { database: await postgresDatabase(pg, { max: 1 }), name: new URL(pg).pathname.slice(1) || pg };
    } catch (err) {
      return { error: `cannot open the PostgreSQL database: ${(err as Error).message}` };
    }
  }
  const opened = openReadonlyDb(file);
  if ('error' in opened) return opened;
  return { database: { ...sqliteDatabase(opened.db), close: async () => opened.close() }, name: opened.file };
}

/** Runs the check; resolves to the process exit code (0 verified, 1 problems found, 2 usage or missing poll). */
export async function verifyPollCli(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  let args;
  try {
    const options = { poll: { type: 'string' }, db: { type: 'string' }, 'database-url': { type: 'string' }, head: { type: 'string' }, json: { type: 'boolean' } } as const;
    args = parseArgs({ args: argv, options }).values;
  } catch (err) {
    out(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const pollId = Number(args.poll);
  if (!Number.isInteger(pollId) || pollId < 1 || (args.db !== undefined && args['database-url'] !== undefined)) {
    out(USAGE);
    return 2;
  }
  const opened = await open(args.db, args['database-url']);
  if ('error' in opened) {
    out(opened.error);
    return 2;
  }
  const { database, name } = opened;
  try {
    const checked = await database.run(async (s) => {
      const row = await repo.getPoll(s, pollId);
      return row && { row, report: await verifyStoredPoll(s, row, args.head ?? null) };
    });
    if (!checked) {
      out(`poll ${pollId} not found in ${name}`);
      return 2;
    }
    const { row, report } = checked;
    if (args.json) out(JSON.stringify(report, null, 2));
    else {
      out(`poll ${pollId} "${row.title}" (${row.spec.kind}, ${row.spec.mode}, ${row.status})`);
      out(`chain: ${report.chainLength} entries, head ${report.chainHead}`);
      if (report.recomputed) {
        const r = report.recomputed;
        out(`re-tally: ${r.voted}/${r.eligible} voted; ${r.options.map((o) => `${o.label}: ${o.votes}`).join(', ')}; outcome ${r.outcome}`);
      }
      out(report.ok ? 'VERIFIED: chain intact and re-tally matches the result' : `FAILED:\n  ${report.problems.join('\n  ')}`);
    }
    return report.ok ? 0 : 1;
  } finally {
    await database.close();
  }
}
