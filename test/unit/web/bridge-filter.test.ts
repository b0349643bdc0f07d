import { describe, expect, it } from 'vitest';
import { searchKey, stripDiacritics, type BridgePresenceView, type FloorView, type LinkInfo, type RollCallView } from '@diemcau/shared';
import { fromSnapshot, type LiveState, type SnapshotIn } from '../../../web/src/live/state.ts';
import { connOf, filterContext, filterCounts, levelSummaries, matchesQuery, shortName, visibleBridges } from '../../../web/src/views/console/bridge-filter.ts';

const zero = { bridges: 0, online: 0, degraded: 0, offline: 0, delegatesPresent: 0, delegates: 0, presentOnline: 0, presentInPerson: 0, absent: 0, unknown: 0 };

type B = Pick<BridgePresenceView, 'bridgePointId' | 'name' | 'code' | 'level'> & Partial<BridgePresenceView>;
const bridge = (b: B): BridgePresenceView => ({ status: 'offline', joinedAt: null, delegatesPresent: 0, updatedAt: null, ...b });

const BRIDGES = [
  bridge({ bridgePointId: 1, name: 'Điểm cầu Tỉnh ủy', code: '99', level: 'provincial', status: 'online', joinedAt: 1, delegatesPresent: 10 }),
  bridge({ bridgePointId: 2, name: 'Điểm cầu Thành phố Sơn Hà', code: '991', level: 'district', status: 'online', joinedAt: 1 }),
  bridge({ bridgePointId: 3, name: 'Điểm cầu Xã Hòa Bình', code: '99101', level: 'commune', status: 'offline', joinedAt: 5 }),
  bridge({ bridgePointId: 4, name: 'Điểm cầu Phường Đông Hà', code: '99102', level: 'commune' }),
  bridge({ bridgePointId: 5, name: 'Điểm cầu Thị trấn Yên Sơn', code: '99401', level: 'commune', status: 'degraded', joinedAt: 2, delegatesPresent: 3 }),
  bridge({ bridgePointId: 6, name: 'Điểm cầu Xã Hòa Lạc', code: '99103', level: 'commune', status: 'online', joinedAt: 3 }),
];

function state(over: { rollCall?: RollCallView | null; floor?: Partial<FloorView>; links?: LinkInfo[] } = {}): LiveState {
  const snap: SnapshotIn = {
    meeting: { id: 7, title: 'H', kind: 'conference', description: '', startsAt: '', endsAt: '', status: 'live', chairUnitId: 1, createdBy: 1, createdAt: '', updatedAt: '' },
    agenda: { status: 'live', startedAt: 0, endedAt: null, currentItemId: null, items: [], timer: null },
    presence: { bridges: BRIDGES, delegates: [], counts: { overall: zero, provincial: zero, district: zero, commune: zero }, rollCall: over.rollCall ?? null },
    floor: { itemId: 1, queue: [], speaker: null, serverNow: 0, ...over.floor },
  };
  const s = fromSnapshot(snap);
  return { ...s, media: { ...s.media, links: over.links ?? [] } };
}

const rollCall = (confirmed: number[]): RollCallView => ({
  id: 1,
  status: 'open',
  startedAt: 0,
  startedBy: 1,
  closedAt: null,
  confirmations: confirmed.map((bridgePointId) => ({ bridgePointId, delegatesPresent: 2, at: 1, by: 9 })),
  confirmed: confirmed.length,
  expected: BRIDGES.length,
});

const ids = (list: BridgePresenceView[]) => list.map((b) => b.bridgePointId);

describe('Vietnamese search key', () => {
  it('drops tone and vowel marks and folds đ, in NFC and NFD input alike', () => {
    expect(stripDiacritics('Điểm cầu Hòa Bình')).toBe('Diem cau Hoa Binh');
    expect(searchKey('  ĐÔNG   Hà ')).toBe('dong ha');
    expect(searchKey('Hòa'.normalize('NFD'))).toBe(searchKey('Hòa'.normalize('NFC')));
  });

  it('finds a bridge by name with or without marks, by code, and by every word typed', () => {
    const hoaBinh = BRIDGES[2]!;
    for (const q of ['hoa binh', 'Hòa Bình', 'HOA', 'binh hoa', '99101', 'xa hoa binh', '']) expect(matchesQuery(hoaBinh, q), q).toBe(true);
    for (const q of ['hoa lac', '99102', 'hòa bình quang']) expect(matchesQuery(hoaBinh, q), q).toBe(false);
    expect(matchesQuery(BRIDGES[3]!, 'dong ha')).toBe(true);
  });
});

describe('console filters', () => {
  it('tells never joined from dropped, and a weak link from the link report or the operator', () => {
    const s = state({ links: [{ source: { type: 'bridge', bridgePointId: 6 }, state: 'audio-only' } as LinkInfo] });
    expect(BRIDGES.map((b) => connOf(s, b))).toEqual(['good', 'good', 'dropped', 'never', 'weak', 'audio-only']);
  });

  it('filters by connection, roll-call, weak link and floor requests, with counts', () => {
    const floorReq = { id: 1, itemId: 1, userId: 9, bridgePointId: 5, displayName: 'x', topic: '', requestedAt: 0 };
    const s = state({ rollCall: rollCall([1, 5]), floor: { queue: [floorReq] } });
    const ctx = filterContext(s);
    const q = (filter: Parameters<typeof visibleBridges>[2]['filter'], level: 'all' | 'commune' = 'all', query = '') => ids(visibleBridges(s, ctx, { filter, level, query }));
    expect(q('never')).toEqual([4]);
    expect(q('dropped')).toEqual([3]);
    expect(q('unconfirmed')).toEqual([2, 4, 3, 6]);
    expect(q('unconfirmed', 'commune', 'hoa')).toEqual([3, 6]);
    expect(q('weak')).toEqual([5]);
    expect(q('floor')).toEqual([5]);
    expect(filterCounts(s, ctx, 'all')).toEqual({ all: 6, never: 1, dropped: 1, unconfirmed: 4, weak: 1, floor: 1 });
    expect(filterCounts(s, ctx, 'commune')).toMatchObject({ all: 4, unconfirmed: 3 });
  });

  it('finds no unconfirmed bridge before any roll-call', () => {
    const s = state();
    expect(filterCounts(s, filterContext(s), 'all').unconfirmed).toBe(0);
  });

  it('orders provincial, district, then commune by Vietnamese name', () => {
    const s = state();
    expect(ids(visibleBridges(s, filterContext(s), { filter: 'all', level: 'all', query: '' }))).toEqual([1, 2, 4, 5, 3, 6]);
  });

  it('summarises each level', () => {
    const s = state({ rollCall: rollCall([1, 5]) });
    const [prov, dist, comm] = levelSummaries(s, filterContext(s));
    expect(prov).toEqual({ level: 'provincial', bridges: 1, connected: 1, never: 0, dropped: 0, weak: 0, confirmed: 1, delegatesPresent: 10 });
    expect(dist).toMatchObject({ bridges: 1, connected: 1, confirmed: 0 });
    expect(comm).toEqual({ level: 'commune', bridges: 4, connected: 2, never: 1, dropped: 1, weak: 1, confirmed: 1, delegatesPresent: 3 });
  });
});

describe('compact tile names', () => {
  it('abbreviates the unit type the way the administration does', () => {
    expect(shortName('Điểm cầu Phường Hòa Bình')).toBe('P. Hòa Bình');
    expect(shortName('Điểm cầu Thị trấn Yên Sơn')).toBe('TT. Yên Sơn');
    expect(shortName('Điểm cầu Thành phố Sơn Hà')).toBe('TP. Sơn Hà');
    expect(shortName('Điểm cầu Tỉnh ủy')).toBe('Tỉnh ủy');
  });
});
