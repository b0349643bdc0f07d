/**
 * `scripts/verify-poll.ts`: checks a poll straight from the database file,
 * without the server running — the chain recomputed, the ballots re-tallied,
 * both compared with the stored result and, optionally, an announced head.
 * Opens the database read-only.
 */
import { parseArgs } from 'node:util';
import { openReadonlyDb } from '../../lib/readonly-db.ts';
import { verifyStoredPoll } from './voting.export.ts';
import * as repo from './voting.repo.ts';

const USAGE = 'usage: verify-poll --poll <id> [--db <file>] [--head <sha256 hex>] [--json]';

/** Runs the check; returns the process exit code (0 verified, 1 problems found, 2 usage or missing poll). */
export function verifyPollCli(argv: string[], out: (line: string) => void = console.log): number {
  let args;
  try {
    args = parseArgs({ args: argv, options: { poll: { type: 'string' }, db: { type: 'string' }, head: { type: 'string' }, json: { type: 'boolean' } } }).values;
  } catch (err) {
    out(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const pollId = Number(args.poll);
  if (!Number.isInteger(pollId) || pollId < 1) {
    out(USAGE);
    return 2;
  }
  const opened = openReadonlyDb(args.db);
  if ('error' in opened) {
    out(opened.error);
    return 2;
  }
  const { db, file } = opened;
  try {
    const row = repo.getPoll(db, pollId);
    if (!row) {
      out(`poll ${pollId} not found in ${file}`);
      return 2;
    }
    const report = verifyStoredPoll(db, row, args.head ?? null);
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
    opened.close();
  }
}
