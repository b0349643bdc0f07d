/**
 * What a device remembers about its own ballots: per user and poll, the
 * random ballot id (to retry a cast after a dropped ack, or to change a
 * secret ballot) and the receipt. Never the choices: a phone left on a desk
 * must not tell how its owner voted. Keys carry the user id, so one user
 * never sees another's, and sign-out wipes them all.
 */
const PREFIX = 'diemcau.ballot.';
// Receipts stored by earlier versions, by poll only (not per user).
const LEGACY_PREFIX = 'diemcau.receipt.';

export interface StoredBallot {
  ballotId: string;
  receipt: string | null;
}

/**
 * A random UUID v4. Not crypto.randomUUID(): that exists only in secure
 * contexts, and phones may vote over plain http on the LAN (README);
 * getRandomValues works everywhere.
 */
function uuid4(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const keyOf = (userId: number, pollId: number) => `${PREFIX}${userId}.${pollId}`;

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

export function loadBallot(userId: number, pollId: number): StoredBallot | null {
  try {
    const raw = storage()?.getItem(keyOf(userId, pollId));
    if (!raw) return null;
    const v = JSON.parse(raw) as Partial<StoredBallot>;
    return typeof v.ballotId === 'string' ? { ballotId: v.ballotId, receipt: typeof v.receipt === 'string' ? v.receipt : null } : null;
  } catch {
    return null;
  }
}

/** This poll's ballot id for the user, made (and kept) on first use so every retry reuses it. */
export function ballotIdFor(userId: number, pollId: number): string {
  const known = loadBallot(userId, pollId);
  if (known) return known.ballotId;
  const ballotId = uuid4();
  saveBallot(userId, pollId, { ballotId, receipt: null });
  return ballotId;
}

export function saveBallot(userId: number, pollId: number, b: StoredBallot): void {
  try {
    storage()?.setItem(keyOf(userId, pollId), JSON.stringify({ ballotId: b.ballotId, receipt: b.receipt }));
  } catch {
    // Not stored (private mode, quota): the receipt is still on screen now.
  }
}

/** Sign-out: forget every ballot of every user on this device. */
export function clearBallots(): void {
  const s = storage();
  if (!s) return;
  try {
    const doomed: string[] = [];
    for (let i = 0; i < s.length; i++) {
      const k = s.key(i);
      if (k && (k.startsWith(PREFIX) || k.startsWith(LEGACY_PREFIX))) doomed.push(k);
    }
    for (const k of doomed) s.removeItem(k);
  } catch {
    // Storage unavailable: nothing was stored either.
  }
}
