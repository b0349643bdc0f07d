/**
 * Verifies a poll from the database file: `npx tsx scripts/verify-poll.ts --poll 3 [--db data/diemcau.sqlite] [--head <hash>]`.
 * Exit code 0: verified; 1: problems found; 2: usage error or poll not found.
 */
import { verifyPollCli } from '../server/src/modules/voting/voting.cli.ts';

process.exitCode = verifyPollCli(process.argv.slice(2));
