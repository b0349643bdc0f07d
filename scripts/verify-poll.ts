/**
 * Verifies a poll from the database: `npx tsx scripts/verify-poll.ts --poll 3 [--db data/diemcau.sqlite | --database-url postgres://…] [--head <hash>]`
 * (PostgreSQL also when DATABASE_URL is set and no --db is given).
 * Exit code 0: verified; 1: problems found; 2: usage error or poll not found.
 */
import { verifyPollCli } from '../server/src/modules/voting/voting.cli.ts';

process.exitCode = await verifyPollCli(process.argv.slice(2));
