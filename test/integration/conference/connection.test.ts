/**
 * Connections and bridge presence: a short network drop is recovered by
 * Socket.IO (rooms, membership and missed broadcasts kept); an operator who
 * really goes away leaves their bridge offline after a grace period.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { buildTestApp, nextEvent, type TestApp } from '../../helpers/app.ts';
import { cmd, demo, join, okData, type Demo, type Member } from './helpers.ts';
import { WAIT_MS } from '../../../scripts/lib/until.ts';

const GRACE = 300;
let t: TestApp;
let d: Demo;
const open: Member[] = [];

beforeEach(async () => {
  t = await buildTestApp({ deps: { conference: { offlineGraceMs: GRACE } } });
  await t.listen();
  d = demo(t);
});
afterEach(async () => {
  for (const m of open.splice(0)) m.socket.close();
  await t.close();
});

const bridgeStatus = (m: { presence: { bridges: { bridgePointId: number; status: string }[] } }, id: number) =>
  m.presence.bridges.find((b) => b.bridgePointId === id)!.status;

it('recovers a short drop with the room, the membership and the missed broadcasts', async () => {
  const chair = await join(t, 'vanphong', d.meetingId);
  const op = await join(t, 'cau.991', d.meetingId, { reconnection: true });
  open.push(chair, op);
  const bp = d.bridgeOf('cau.991');
  // Recovery resumes from the last broadcast a client received: wait for the (coalesced) presence push of the join.
  await nextEvent(op.socket, 'presence:changed', 20_000);

  const dropped = nextEvent(op.socket, 'disconnect');
  // Closing the transport from the client side looks like a network drop to both ends.
  op.socket.io.engine.close();
  await dropped;
  const missed = nextEvent<{ meetingId: number }>(op.socket, 'meeting:started', WAIT_MS);
  const back = nextEvent(op.socket, 'connect');
  okData(await cmd(chair, 'meeting:start', d.meetingId));
  await back;
  expect(op.socket.recovered).toBe(true);
  expect(await missed).toMatchObject({ meetingId: d.meetingId });

  // Still a member without re-joining, and the bridge never flapped offline.
  okData(await cmd(op, 'floor:request', d.meetingId));
  await new Promise((r) => setTimeout(r, GRACE * 2));
  const fresh = await join(t, 'admin', d.meetingId);
  open.push(fresh);
  expect(bridgeStatus(fresh.snapshot, bp)).toBe('online');
  expect(fresh.snapshot.floor.queue.map((q) => q.bridgePointId)).toEqual([bp]);
});

it('marks a bridge offline once its operator has been gone for the grace period', async () => {
  const chair = await join(t, 'vanphong', d.meetingId);
  open.push(chair);
  const op = await join(t, 'cau.991', d.meetingId);
  const bp = d.bridgeOf('cau.991');
  expect(bridgeStatus(op.snapshot, bp)).toBe('online');
  // The join's own (coalesced) presence push comes first.
  await nextEvent(chair.socket, 'presence:changed', 20_000);

  const offline = nextEvent<{ bridges: { bridgePointId: number; status: string }[] }>(chair.socket, 'presence:changed', WAIT_MS);
  const leftAt = Date.now();
  op.socket.close();
  const ev = await offline;
  expect(Date.now() - leftAt).toBeGreaterThanOrEqual(GRACE - 20);
  expect(ev.bridges).toEqual([expect.objectContaining({ bridgePointId: bp, status: 'offline' })]);

  // A degraded bridge stays degraded on reconnect: that is the operator's call, not the socket's.
  const again = await join(t, 'cau.991', d.meetingId);
  open.push(again);
  expect(bridgeStatus(again.snapshot, bp)).toBe('online');
  okData(await cmd(again, 'presence:set-bridge', d.meetingId, { status: 'degraded' }));
  const third = await join(t, 'cau.991', d.meetingId);
  open.push(third);
  expect(bridgeStatus(third.snapshot, bp)).toBe('degraded');
});

it('tells a bridge that never joined from one that dropped, and names each by its unit code', async () => {
  const chair = await join(t, 'vanphong', d.meetingId);
  open.push(chair);
  type Row = { bridgePointId: number; code: string; status: string; joinedAt: number | null };
  const row = (rows: Row[], id: number) => rows.find((b) => b.bridgePointId === id)!;
  const bp = d.bridgeOf('cau.99101');
  const never = d.bridgeOf('cau.99102');
  expect(row(chair.snapshot.presence.bridges, never)).toMatchObject({ code: '99102', status: 'offline', joinedAt: null });
  expect(row(chair.snapshot.presence.bridges, bp)).toMatchObject({ code: '99101', joinedAt: null });

  const before = Date.now();
  const op = await join(t, 'cau.99101', d.meetingId);
  const joinedAt = row(op.snapshot.presence.bridges, bp).joinedAt;
  expect(joinedAt).toBeGreaterThanOrEqual(before - 1000);
  await nextEvent(chair.socket, 'presence:changed', 20_000);
  const dropped = nextEvent<{ bridges: Row[] }>(chair.socket, 'presence:changed', 20_000);
  op.socket.close();
  // Offline again, but joinedAt stays: the console says "mất kết nối", not "chưa kết nối".
  expect((await dropped).bridges).toEqual([expect.objectContaining({ bridgePointId: bp, status: 'offline', joinedAt })]);
  const later = await join(t, 'vanphong', d.meetingId);
  open.push(later);
  expect(row(later.snapshot.presence.bridges, never).joinedAt).toBeNull();
  expect(row(later.snapshot.presence.bridges, bp)).toMatchObject({ status: 'offline', joinedAt });
});
