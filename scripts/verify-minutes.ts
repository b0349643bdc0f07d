/**
 * Verifies a final minutes PDF: its signature and the hash recorded in the audit chain.
 * `pnpm minutes:verify <file.pdf> [--db data/diemcau.sqlite] [--ca data/certs/diemcau-ca.crt] [--json]`
 * Exit code 0: valid and recorded; 1: either check failed; 2: usage error or unreadable file.
 */
import { verifyMinutesCli } from '../server/src/modules/minutes/minutes.cli.ts';

process.exitCode = await verifyMinutesCli(process.argv.slice(2));
