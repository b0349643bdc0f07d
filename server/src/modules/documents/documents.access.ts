/**
 * Who may see which document: pure rules, no DB. The routes feed them the
 * user's membership of the meeting and the units the user stands for.
 */
import type { Classification, Role } from '@diemcau/shared';
import type { Membership } from '../meetings/meetings.access.ts';

export interface DocAccessFacts {
  classification: Classification;
  audienceRoles: readonly Role[];
  audienceUnitIds: readonly number[];
  published: boolean;
}

export interface Reader {
  role: Role;
  /** The user's own unit and the unit of the bridge point they attend or run. */
  unitIds: readonly number[];
  membership: Membership | null;
}

export type Access = 'none' | 'view' | 'download';

const isManager = (m: Membership | null) => m?.kind === 'admin' || m?.kind === 'secretariat';

function inAudience(d: DocAccessFacts, r: Reader): boolean {
  if (d.audienceRoles.length === 0 && d.audienceUnitIds.length === 0) return true;
  return d.audienceRoles.includes(r.role) || r.unitIds.some((u) => d.audienceUnitIds.includes(u));
}

/**
 * What `r` may do with a document:
 * - the secretariat/admin of the meeting sees everything, drafts included;
 * - others see only published documents;
 * - public_to_meeting: every member of the meeting (observers included);
 * - restricted: members in the audience (roles or units);
 * - confidential: invited participants (delegates, bridge operators), and the
 *   audience when one is set; never downloadable by anyone, only viewed.
 */
export function documentAccess(d: DocAccessFacts, r: Reader): Access {
  const m = r.membership;
  if (!m) return 'none';
  const confidential = d.classification === 'confidential';
  if (isManager(m)) return confidential ? 'view' : 'download';
  if (!d.published) return 'none';
  switch (d.classification) {
    case 'public_to_meeting':
      return 'download';
    case 'restricted':
      return inAudience(d, r) ? 'download' : 'none';
    case 'confidential':
      return (m.kind === 'delegate' || m.kind === 'bridge') && inAudience(d, r) ? 'view' : 'none';
  }
}

/** Access through a venue QR (no person behind it): published public documents only. */
export function venueAccess(d: DocAccessFacts): Access {
  return d.published && d.classification === 'public_to_meeting' ? 'download' : 'none';
}

/**
 * A restricted document must name who it is for; with an empty audience it
 * would quietly be public to the meeting. Returns the refusal, or null.
 */
export function audienceProblem(classification: Classification, audienceRoles: readonly Role[], audienceUnitIds: readonly number[]): string | null {
  return classification === 'restricted' && audienceRoles.length === 0 && audienceUnitIds.length === 0
    ? 'A restricted document needs at least one role or unit in its audience (audienceRoles, audienceUnitIds)'
    : null;
}

/** Classifications from least to most protected. */
const RANK: Record<Classification, number> = { public_to_meeting: 0, restricted: 1, confidential: 2 };

/** True when going from `from` to `to` lowers the protection (a declassification). */
export const lowersClassification = (from: Classification, to: Classification): boolean => RANK[to] < RANK[from];

/**
 * Whether a stored version may leave by link (download URL, QR): never while the
 * document is confidential, and never for a version that ever was confidential,
 * whatever the document's classification has become since.
 */
export const linkable = (classification: Classification, version: { confidential: boolean }): boolean =>
  classification !== 'confidential' && !version.confidential;
