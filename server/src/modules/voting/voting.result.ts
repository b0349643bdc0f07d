/**
 * Pure turnout and result assembly: turns the frozen eligible list, who voted
 * and the ballots into the Turnout and PollResult shapes of the contract.
 */
import { BRIDGE_LEVELS, type BridgeLevel, type OptionCount, type PollResult, type Turnout } from '@diemcau/shared';
import { hallBallots, hallVotes, type HallTally } from './voting.hall.ts';
import { baseKindOf, decide, quorumMet, tally, type PollSpec } from './voting.rules.ts';

/** One delegate who may vote, with the place they attend from, frozen when the poll opens. */
export interface EligibleVoter {
  userId: number;
  /** null: attending from their own device, not from a bridge point. */
  bridgePointId: number | null;
  bridgeName: string;
  level: BridgeLevel;
}

/** A counted ballot; `voterId` is null for secret ballots, which carry no identity. */
export interface CountedBallot {
  choices: readonly string[];
  voterId: number | null;
}

interface Cell {
  voted: number;
  eligible: number;
  ballots: (readonly string[])[];
}
interface Place extends Cell {
  bridgePointId: number | null;
  name: string;
  level: BridgeLevel;
  hall: { present: number; votes: number } | null;
}

const levelRank = (l: BridgeLevel) => BRIDGE_LEVELS.indexOf(l);

/** Groups the eligible by level and place; a hall's counted votes join its place's and level's turnout. */
function group(eligible: readonly EligibleVoter[], voted: ReadonlySet<number>, halls: readonly HallTally[]) {
  const levels = new Map<BridgeLevel, Cell>(BRIDGE_LEVELS.map((l) => [l, { voted: 0, eligible: 0, ballots: [] }]));
  const places = new Map<string, Place>();
  const placeOf = new Map<number, { level: Cell; place: Place }>();
  for (const v of eligible) {
    const key = `${v.bridgePointId ?? 'none'}:${v.level}`;
    let place = places.get(key);
    if (!place) {
      place = { bridgePointId: v.bridgePointId, name: v.bridgeName, level: v.level, voted: 0, eligible: 0, ballots: [], hall: null };
      places.set(key, place);
    }
    const level = levels.get(v.level)!;
    place.eligible++;
    level.eligible++;
    if (voted.has(v.userId)) {
      place.voted++;
      level.voted++;
    }
    placeOf.set(v.userId, { level, place });
  }
  const hallPlace = new Map<number, { level: Cell; place: Place }>();
  for (const place of places.values()) if (place.bridgePointId !== null) hallPlace.set(place.bridgePointId, { level: levels.get(place.level)!, place });
  let hallTotal = 0;
  for (const h of halls) {
    const at = hallPlace.get(h.bridgePointId);
    // The rules only accept counts for halls with eligible delegates, so `at` always exists for stored counts.
    if (!at) continue;
    const votes = hallVotes(h.counts);
    at.place.hall = { present: h.present, votes };
    at.place.voted += votes;
    at.level.voted += votes;
    hallTotal += votes;
  }
  const sortedPlaces = [...places.values()].sort(
    (a, b) => levelRank(a.level) - levelRank(b.level) || a.name.localeCompare(b.name, 'vi') || (a.bridgePointId ?? 0) - (b.bridgePointId ?? 0),
  );
  return { levels, places: sortedPlaces, placeOf, hallPlace, hallTotal };
}

/** Voted / eligible overall, per level and per bridge point (phone voters plus hall counts). Contains no choices. */
export function computeTurnout(pollId: number, eligible: readonly EligibleVoter[], voted: ReadonlySet<number>, halls: readonly HallTally[] = []): Turnout {
  const { levels, places, hallTotal } = group(eligible, voted, halls);
  let n = hallTotal;
  for (const v of eligible) if (voted.has(v.userId)) n++;
  return {
    pollId,
    voted: n,
    eligible: eligible.length,
    byLevel: BRIDGE_LEVELS.map((level) => ({ level, voted: levels.get(level)!.voted, eligible: levels.get(level)!.eligible })),
    byBridgePoint: places.map((p) => ({ bridgePointId: p.bridgePointId, name: p.name, level: p.level, voted: p.voted, eligible: p.eligible })),
  };
}

/** Moved next to the audiences it serves (plugins/realtime-audience.ts); re-exported for the voting modules. */
export { forAudience } from '../../plugins/realtime-audience.ts';

export interface ResultInput {
  pollId: number;
  spec: PollSpec;
  invited: number;
  eligible: readonly EligibleVoter[];
  /** Who cast a ballot (both modes). */
  voterIds: ReadonlySet<number>;
  ballots: readonly CountedBallot[];
  /** Hall counts (open polls); absent on polls from before hall voting. */
  halls?: readonly HallTally[];
  closedAt: string;
  chainHead: string;
}

/**
 * The full result. Open ballots get per-place option subtotals; secret
 * ballots deliberately carry no place (a one-delegate commune would reveal
 * its vote), so their subtotals are turnout only.
 */
export function computeResult(input: ResultInput): PollResult {
  const { spec, eligible } = input;
  const halls = input.halls ?? [];
  const { levels, places, placeOf, hallPlace, hallTotal } = group(eligible, input.voterIds, halls);
  const fromHalls = halls.flatMap((h) => (hallPlace.has(h.bridgePointId) ? hallBallots(h) : []));
  const counts = tally(spec, [...input.ballots.map((b) => b.choices), ...fromHalls]);
  const ballotsCast = input.ballots.length + hallTotal;
  const hasQuorum = quorumMet(spec.quorum, input.invited, eligible.length);
  const d = decide(spec, counts, ballotsCast, eligible.length, hasQuorum, input.invited);
  const open = spec.mode === 'open';
  if (open) {
    for (const b of input.ballots) {
      const at = b.voterId === null ? undefined : placeOf.get(b.voterId);
      at?.level.ballots.push(b.choices);
      at?.place.ballots.push(b.choices);
    }
    for (const h of halls) {
      const at = hallPlace.get(h.bridgePointId);
      for (const b of at ? hallBallots(h) : []) {
        at!.level.ballots.push(b);
        at!.place.ballots.push(b);
      }
    }
  }
  const sub = (c: Cell): OptionCount[] | null => (open ? tally(spec, c.ballots) : null);
  return {
    pollId: input.pollId,
    kind: spec.kind,
    mode: spec.mode,
    majority: spec.majority,
    quorum: { rule: spec.quorum, invited: input.invited, present: eligible.length, met: hasQuorum },
    eligible: eligible.length,
    voted: ballotsCast,
    base: d.base,
    baseKind: baseKindOf(spec),
    sources: { phone: input.ballots.length, hall: hallTotal },
    required: d.required,
    options: spec.options.map((o, i) => ({ id: o.id, label: o.label, votes: counts[i]!.votes, carried: d.carried.has(o.id) })),
    outcome: d.outcome,
    winners: d.winners,
    tied: d.tied,
    byLevel: BRIDGE_LEVELS.map((level) => {
      const c = levels.get(level)!;
      return { level, voted: c.voted, eligible: c.eligible, counts: sub(c) };
    }),
    byBridgePoint: places.map((p) => ({
      bridgePointId: p.bridgePointId,
      name: p.name,
      level: p.level,
      voted: p.voted,
      eligible: p.eligible,
      counts: sub(p),
      ...(p.hall && { hall: p.hall }),
    })),
    closedAt: input.closedAt,
    chainHead: input.chainHead,
  };
}
