/**
 * Read side of a meeting's current poll: the join snapshot and the turnout of
 * a poll that is no longer live (phone voters plus hall counts, from the rows).
 */
import type { PollSnapshot, Turnout } from '@diemcau/shared';
import type { Store } from '../../db/database.ts';
import { hallInfos, hallTallies, loadHalls } from './voting.hall-store.ts';
import type { LivePoll, LivePolls } from './voting.live.ts';
import * as repo from './voting.repo.ts';
import { computeTurnout, forAudience } from './voting.result.ts';
import type { Audience } from '../../plugins/realtime-audience.ts';
import type { HallCountRow, PollRow } from './voting.schema.ts';
import { pollView } from './voting.views.ts';

const nullOr = <T, R>(v: T | null, f: (v: T) => R): R | null => (v === null ? null : f(v));

/** Turnout of a poll from its stored rows; null before it opened. */
export async function storedTurnout(s: Store, row: PollRow, voted?: ReadonlySet<number>, halls?: HallCountRow[]): Promise<Turnout | null> {
  if (!row.eligible) return null;
  return computeTurnout(row.id, row.eligible, voted ?? new Set(await repo.loadVoterIds(s, row.id)), hallTallies(halls ?? (await hallRowsOf(s, row))));
}

/** Hall counts exist only for open polls (secret ones are phone-only). */
const hallRowsOf = async (s: Store, row: PollRow): Promise<HallCountRow[]> => (row.spec.mode === 'open' ? loadHalls(s, row.id) : []);

/** The voting part of the join snapshot, for one user. */
export async function pollSnapshot(s: Store, polls: LivePolls, meetingId: number, userId: number, audience: Audience): Promise<PollSnapshot> {
  const row = await repo.currentPoll(s, meetingId);
  if (!row) return { poll: null, turnout: null, result: null, tally: null, halls: [], eligible: false, voted: false };
  const live: LivePoll | undefined = polls.get(row.id);
  const voted = live ? live.voted : new Set(await repo.loadVoterIds(s, row.id));
  const halls = await hallRowsOf(s, row);
  return {
    poll: pollView(row),
    turnout: nullOr(live ? polls.turnout(live) : await storedTurnout(s, row, voted, halls), (t) => forAudience(t, audience)),
    halls: hallInfos(row.id, halls, row.eligible ?? [], voted),
    result: row.result ?? null,
    tally: live && audience.kind === 'manager' ? polls.tally(live) : null,
    eligible: (row.eligible ?? []).some((v) => v.userId === userId),
    voted: voted.has(userId),
  };
}
