/**
 * What the console shows of 213+ bridge points: each bridge's connection in
 * words the secretariat acts on, the filters, search and per-level counts.
 * Pure (no Preact), so the rules are unit-tested without a browser.
 */
import { BRIDGE_LEVELS, searchKey, type BridgeLevel, type BridgePresenceView } from '@diemcau/shared';
import { linkOf, type LiveState } from '../../live/state.ts';

/**
 * A bridge's connection: never joined this meeting, dropped after joining, or
 * connected with a link quality. "never" and "dropped" need different actions
 * (call the commune to start its PC vs. check its network), so they are apart.
 */
export type Conn = 'never' | 'dropped' | 'good' | 'weak' | 'audio-only';

export const FILTERS = ['all', 'never', 'dropped', 'unconfirmed', 'weak', 'floor'] as const;
export type BridgeFilter = (typeof FILTERS)[number];

/** Provincial first, then district, then commune: the order of BRIDGE_LEVELS. */
const levelOrder = (l: BridgeLevel): number => BRIDGE_LEVELS.indexOf(l);

export function connOf(s: LiveState, b: BridgePresenceView): Conn {
  if (b.status === 'offline') return b.joinedAt === null ? 'never' : 'dropped';
  const link = linkOf(s, { type: 'bridge', bridgePointId: b.bridgePointId })?.state;
  if (link === 'weak' || link === 'audio-only') return link;
  // The operator's own "degraded" report counts as a weak link even when the SFU sees none.
  return b.status === 'degraded' ? 'weak' : 'good';
}

/** Bridges that have confirmed the current roll-call (the open one, else the last closed one). */
function confirmedSet(s: LiveState): Set<number> | null {
  const rc = s.presence.rollCall;
  return rc ? new Set(rc.confirmations.map((c) => c.bridgePointId)) : null;
}

/** Bridges asking for the floor (queued) or holding it now. */
function floorSet(s: LiveState): Set<number> {
  const ids = new Set<number>();
  for (const r of s.floor.queue) if (r.bridgePointId !== null) ids.add(r.bridgePointId);
  if (s.floor.speaker?.bridgePointId) ids.add(s.floor.speaker.bridgePointId);
  return ids;
}

/** Everything a filter needs, computed once per render rather than once per bridge. */
export interface FilterContext {
  conn: Map<number, Conn>;
  confirmed: Set<number> | null;
  floor: Set<number>;
}

export function filterContext(s: LiveState): FilterContext {
  return {
    conn: new Map(s.presence.bridges.map((b) => [b.bridgePointId, connOf(s, b)])),
    confirmed: confirmedSet(s),
    floor: floorSet(s),
  };
}

function matchesFilter(ctx: FilterContext, b: BridgePresenceView, f: BridgeFilter): boolean {
  const c = ctx.conn.get(b.bridgePointId);
  switch (f) {
    case 'all':
      return true;
    case 'never':
    case 'dropped':
      return c === f;
    case 'weak':
      return c === 'weak' || c === 'audio-only';
    // With no roll-call yet nobody is "unconfirmed": there is nothing to confirm.
    case 'unconfirmed':
      return ctx.confirmed !== null && !ctx.confirmed.has(b.bridgePointId);
    case 'floor':
      return ctx.floor.has(b.bridgePointId);
  }
}

/**
 * Search by name or unit code, with or without Vietnamese marks: every word
 * typed must appear ("hoa binh" finds "Xã Hòa Bình", "99101" its code).
 */
export function matchesQuery(b: BridgePresenceView, query: string): boolean {
  return matchesWords(b, searchWords(query));
}

const searchWords = (query: string): string[] => searchKey(query).split(' ').filter(Boolean);

function matchesWords(b: BridgePresenceView, words: readonly string[]): boolean {
  if (!words.length) return true;
  const hay = `${searchKey(b.name)} ${searchKey(b.code)}`;
  return words.every((w) => hay.includes(w));
}

interface GridQuery {
  query: string;
  filter: BridgeFilter;
  level: BridgeLevel | 'all';
}

/** The bridges the grid shows, provincial first, then by name in Vietnamese order. */
export function visibleBridges(s: LiveState, ctx: FilterContext, q: GridQuery): BridgePresenceView[] {
  const words = searchWords(q.query);
  return s.presence.bridges
    .filter((b) => (q.level === 'all' || b.level === q.level) && matchesFilter(ctx, b, q.filter) && matchesWords(b, words))
    .sort((a, b) => levelOrder(a.level) - levelOrder(b.level) || a.name.localeCompare(b.name, 'vi'));
}

/** How many bridges each filter would show (within the level chosen), for the filter buttons. */
export function filterCounts(s: LiveState, ctx: FilterContext, level: BridgeLevel | 'all'): Record<BridgeFilter, number> {
  const out = Object.fromEntries(FILTERS.map((f) => [f, 0])) as Record<BridgeFilter, number>;
  for (const b of s.presence.bridges) {
    if (level !== 'all' && b.level !== level) continue;
    for (const f of FILTERS) if (matchesFilter(ctx, b, f)) out[f]++;
  }
  return out;
}

interface LevelSummary {
  level: BridgeLevel;
  bridges: number;
  connected: number;
  never: number;
  dropped: number;
  weak: number;
  /** Confirmed in the current roll-call, or null when there has been none. */
  confirmed: number | null;
  delegatesPresent: number;
}

/** One line per level for the strip that stays on screen above everything else. */
export function levelSummaries(s: LiveState, ctx: FilterContext): LevelSummary[] {
  return BRIDGE_LEVELS.map((level) => {
    const n = filterCounts(s, ctx, level);
    return {
      level,
      bridges: n.all,
      connected: n.all - n.never - n.dropped,
      never: n.never,
      dropped: n.dropped,
      weak: n.weak,
      // With a roll-call, every bridge of the level is either confirmed or unconfirmed.
      confirmed: ctx.confirmed ? n.all - n.unconfirmed : null,
      delegatesPresent: s.presence.bridges.reduce((a, b) => (b.level === level ? a + b.delegatesPresent : a), 0),
    };
  });
}

/** Unit types as Vietnamese administration abbreviates them, longest first. */
const ABBREV: [RegExp, string][] = [
  [/^Thành phố /, 'TP. '],
  [/^Thị trấn /, 'TT. '],
  [/^Thị xã /, 'TX. '],
  [/^Phường /, 'P. '],
  [/^Huyện /, 'H. '],
  [/^Xã /, 'X. '],
];

/** "Điểm cầu Phường Hòa Bình" → "P. Hòa Bình": a tile has room for the place only (the full name is its title). */
export function shortName(name: string): string {
  const place = name.replace(/^Điểm cầu /, '');
  const hit = ABBREV.find(([re]) => re.test(place));
  return hit ? place.replace(hit[0], hit[1]) : place;
}
