/**
 * Presence shaped by audience over real sockets: join snapshots bounded by
 * role, check-ins coalesced into a few pushes that carry rows only to the
 * screens that show them, and the privileged room actions audited.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DelegatePresenceView, BridgePresenceView, PresenceCounts } from '@diemcau/shared';
import { buildTestApp, type TestApp, type TestSocket } from '../../helpers/app.ts';
import { cmd, demo, join, okData, type Demo, type Member } from './helpers.ts';

/** Long enough that concurrent check-ins on a busy machine still fall into one or two windows. */
const WINDOW = 1500;
let t: TestApp;
let d: Demo;
const open: Member[] = [];
const member = async (username: string) => {
  const m = await join(t, username, d.meetingId);
  open.push(m);
  return m;
};

beforeEach(async () => {
  t = await buildTestApp({ deps: { conference: { presenceWindowMs: WINDOW } } });
  await t.listen();
  d = demo(t);
});
afterEach(async () => {
  for (const m of open.splice(0)) m.socket.close();
  await t.close();
});

type Changed = { meetingId: number; bridges: BridgePresenceView[]; delegates: DelegatePresenceView[]; counts: PresenceCounts };
const record = (s: TestSocket) => {
  const got: Changed[] = [];
  s.on('presence:changed' as never, ((p: Changed) => got.push(p)) as never);
  return got;
};
async function until(cond: () => boolean, what: string, ms = 30_000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const delegates = Array.from({ length: 30 }, (_, i) => `daibieu${String(i + 1).padStart(2, '0')}`);

describe('join snapshots', () => {
  it('gives each role the presence its screen shows, not the whole meeting', async () => {
    const chair = await member('vanphong');
    expect(chair.snapshot.presence.bridges).toHaveLength(213);
    expect(chair.snapshot.presence.delegates).toHaveLength(30);

    const seated = delegates.find((u) => d.seatOf(u) !== null)!;
    const phone = await member(seated);
    expect(phone.snapshot.presence.delegates.map((x) => x.userId)).toEqual([d.userId(seated)]);
    expect(phone.snapshot.presence.bridges.map((b) => b.bridgePointId)).toEqual([d.seatOf(seated)]);
    // Counts still describe the whole meeting.
    expect(phone.snapshot.presence.counts.overall).toMatchObject({ bridges: 213, delegates: 30 });

    const op = await member('cau.991');
    const bp = d.bridgeOf('cau.991');
    expect(op.snapshot.presence.bridges.map((b) => b.bridgePointId)).toEqual([bp]);
    expect(op.snapshot.presence.delegates.every((x) => x.bridgePointId === bp)).toBe(true);
    expect(op.snapshot.presence.delegates.length).toBeLessThan(30);
  });
});

describe('presence broadcasts', () => {
  it('coalesces a wave of check-ins: the console gets every row, a phone only counts and its own row', async () => {
    const chair = await member('vanphong');
    okData(await cmd(chair, 'meeting:start', d.meetingId));
    const watcher = await member(delegates[0]!);
    const wave = await Promise.all(delegates.slice(1, 13).map((u) => member(u)));
    const atChair = record(chair.socket);
    const atPhone = record(watcher.socket);
    const atWave0 = record(wave[0]!.socket);

    await Promise.all(wave.map((m) => cmd(m, 'presence:set-delegate', d.meetingId, { status: 'present_online' }).then(okData)));
    const ids = new Set(wave.map((m) => d.userId(m.username)));
    await until(() => new Set(atChair.flatMap((p) => p.delegates.map((x) => x.userId))).size === ids.size, 'the console to see every check-in');
    await until(() => atPhone.at(-1)?.counts.overall.presentOnline === ids.size, 'the phone to see the final count');
    await until(() => atWave0.some((p) => p.delegates.length > 0), 'a checked-in phone to hear of its own row');

    // Rows go to the console only; a phone hears counts, and its own row when it changed.
    expect(atChair.flatMap((p) => p.delegates).every((x) => ids.has(x.userId) && x.status === 'present_online')).toBe(true);
    expect(atPhone.every((p) => p.delegates.length === 0 && p.bridges.length === 0)).toBe(true);
    expect(atWave0.flatMap((p) => p.delegates).map((x) => x.userId)).toEqual([d.userId(wave[0]!.username)]);
    // Twelve check-ins, a handful of pushes (one per coalescing window), not one per delegate.
    expect(atPhone.length).toBeLessThanOrEqual(4);
    expect(atChair.length).toBeLessThanOrEqual(4);
  });
});

describe('audit', () => {
  it('audits floor grant and revoke and roll-call open, answer and close, with who did it', async () => {
    const chair = await member('vanphong');
    const op = await member('cau.991');
    const M = d.meetingId;
    okData(await cmd(chair, 'meeting:start', M));
    const req = okData(await cmd<{ id: number }>(op, 'floor:request', M));
    okData(await cmd(chair, 'floor:grant', M, { requestId: req.id }));
    okData(await cmd(chair, 'floor:revoke', M));
    okData(await cmd(chair, 'rollcall:start', M));
    okData(await cmd(op, 'rollcall:confirm', M, { delegatesPresent: 7 }));
    okData(await cmd(chair, 'rollcall:close', M));

    const rows = t.app.db.$client
      .prepare(`SELECT action, actor_user_id AS actor, target_id AS target, details FROM audit_log WHERE action LIKE 'floor.%' OR action LIKE 'rollcall.%' ORDER BY id`)
      .all() as { action: string; actor: number; target: string; details: string }[];
    const chairId = d.userId('vanphong');
    expect(rows.map((r) => [r.action, r.actor, r.target])).toEqual([
      ['floor.grant', chairId, String(M)],
      ['floor.revoke', chairId, String(M)],
      ['rollcall.open', chairId, String(M)],
      ['rollcall.answer', d.userId('cau.991'), String(M)],
      ['rollcall.close', chairId, String(M)],
    ]);
    expect(JSON.parse(rows[0]!.details)).toMatchObject({ requestId: req.id, bridgePointId: d.bridgeOf('cau.991') });
    expect(JSON.parse(rows[3]!.details)).toMatchObject({ bridgePointId: d.bridgeOf('cau.991') });
  });
});
