/**
 * `scripts/verify-poll.ts`: checks a poll straight from the database,
 * without the server running — the chain recomputed, the ballots re-tallied,
 * both compared with the stored result and, optionally, an announced head.
 * Read-only: a SQLite file (`--db`), or PostgreSQL (`--database-url`, else
 * DATABASE_URL) in read-only sessions.
 */
import { parseArgs } from 'node:util';
import { openReadonlyDatabase } from '../../lib/readonly-db.ts';
import { verifyStoredPoll } from './voting.export.ts';
import * as repo from './voting.repo.ts';

const USAGE = 'usage: verify-poll --poll <id> [--db <file> | --database-url <postgres://…>] [--head <sha256 hex>] [--json]';

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
  const opened = await openReadonlyDatabase(args.db ?? args['database-url']);
  if ('error' in opened) {
    out(opened.error);
    return 2;
  }
  const { database, label: name } = opened;
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
    await opened.close();
  }
}
