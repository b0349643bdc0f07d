/**
 * The audit trail as an append-only hash chain (lib/hash-chain.ts, the same chain the
 * polls use). Every entry carries seq, the previous entry's hash and its own hash over
 * the canonical JSON of what it records, so an edited, deleted or reordered entry
 * breaks verification. Deleting the newest entries is only detectable against a head
 * hash kept elsewhere, which is why verification reports the head. The pure part; reads and
 * appends are in audit.store.ts.
 */
import type { AuditVerification } from '@diemcau/shared';
import { auditLog } from '../../db/schema.ts';
import { locateBreak, type ChainEntry, type ChainPayload } from '../../lib/hash-chain.ts';
import type { AuditEvent } from '../../plugins/audit.ts';

type AuditRow = typeof auditLog.$inferSelect;
export type Recorded = Pick<AuditRow, 'at' | 'actorUserId' | 'action' | 'targetType' | 'targetId' | 'details' | 'ip'>;

/** What an entry's hash covers: everything it records except the row id. */
export const payloadOf = (r: Recorded): ChainPayload => ({
  type: r.action,
  at: r.at,
  actorUserId: r.actorUserId,
  targetType: r.targetType,
  targetId: r.targetId,
  details: r.details ?? null,
  ip: r.ip,
});

/** Details as they will read back from the JSON column (undefined fields dropped), so the hash matches later. */
function plainJson(v: unknown): unknown {
  const s = JSON.stringify(v ?? null);
  return s === undefined ? null : JSON.parse(s);
}

/** What an entry records, as it will read back. */
export function recordOf(e: AuditEvent, at: string): Recorded {
  return {
    at,
    actorUserId: e.actorUserId,
    action: e.action,
    targetType: e.targetType,
    targetId: e.targetId == null ? null : String(e.targetId),
    details: plainJson(e.details),
    ip: e.ip ?? null,
  };
}

/** What verification reports over the chained rows (in seq order) and the rows outside the chain (in id order). */
export function verificationOf(rows: readonly AuditRow[], unchained: readonly Pick<AuditRow, 'id' | 'action' | 'at'>[]): AuditVerification {
  const entries: ChainEntry[] = rows.map((r) => ({ seq: r.seq!, prevHash: r.prevHash ?? '', hash: r.hash ?? '', payload: payloadOf(r) }));
  const check = locateBreak(entries);
  let firstBroken: AuditVerification['firstBroken'] = null;
  let message = `Audit trail intact: ${check.length} entries, head ${check.head}`;
  if (check.firstBroken !== null) {
    const i = check.firstBroken;
    const r = rows[i]!;
    const reason = check.problems.find((p) => p.startsWith(`entry ${i}:`) || p.startsWith(`entry ${i} (`)) ?? 'broken';
    firstBroken = { id: r.id, seq: r.seq!, action: r.action, at: r.at };
    message = `Audit trail broken at entry id ${r.id} (seq ${r.seq}, ${r.action}, ${r.at}): ${reason.replace(/^entry \d+( \([^)]*\))?: /, '')}`;
  } else if (unchained.length) {
    const r = unchained[0]!;
    firstBroken = { id: r.id, seq: null, action: r.action, at: r.at };
    message = `Audit trail broken: ${unchained.length} entries are outside the chain, first id ${r.id} (${r.action}, ${r.at})`;
  }
  const problems = [...check.problems, ...(unchained.length ? [`${unchained.length} entries outside the chain`] : [])];
  return { ok: problems.length === 0, length: check.length, head: check.head, problems, firstBroken, message };
}

