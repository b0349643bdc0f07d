/**
 * Verifies the audit trail's hash chain from the database file:
 * `pnpm audit:verify [--db data/diemcau.sqlite] [--head <hash>] [--json]`.
 * Exit code 0: intact; 1: broken (first broken entry named); 2: usage error or unreadable file.
 */
import { verifyAuditCli } from '../server/src/modules/audit/audit.cli.ts';

process.exitCode = await verifyAuditCli(process.argv.slice(2));
