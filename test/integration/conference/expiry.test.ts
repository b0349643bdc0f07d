/**
 * Speech expiry through the service on the real (seeded) database, with a
 * controlled clock: the floor is taken back when time runs out, logged at the
 * due time, broadcast, and re-armed by a new service after a restart.
 */
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { listFloorLog } from '../../../server/src/modules/conference/conference.repo.ts';
import { createConferenceService } from '../../../server/src/modules/conference/conference.service.ts';
import type { Actor } from '../../../server/src/modules/conference/conference.machine.ts';
import type { Outgoing } from '../../../server/src/modules/conference/conference.views.ts';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { demo } from './helpers.ts';

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp();
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});
afterEach(async () => {
  vi.useRealTimers();
  await t.close();
});

it('takes the floor back when the speaking time runs out, also after a restart', async () => {
  const d = demo(t);
  const M = d.meetingId;
  let now = 1_800_000_000_000;
  const sent: Outgoing[] = [];
  const make = () =>
    createConferenceService({ database: t.app.database, log: t.app.log, now: () => now, publish: (_id, out) => void sent.push(...out) });
  const chair: Actor = { userId: d.userId('vanphong'), role: 'secretariat', bridgePointId: null, chair: true, displayName: 'VP' };
  const del = (u: string): Actor => ({ userId: d.userId(u), role: 'delegate', bridgePointId: d.seatOf(u), chair: false, displayName: u });

  const a = make();
  await a.execute(M, chair, { type: 'meeting:start' });
  await a.execute(M, del('daibieu01'), { type: 'floor:request' });
  await a.execute(M, del('daibieu02'), { type: 'floor:request' });
  await a.execute(M, chair, { type: 'floor:grant', requestId: 1, limitSeconds: 20 });
  const grantedAt = now;

  now += 19_000;
  await vi.advanceTimersByTimeAsync(19_000);
  expect((await a.state(M)).floor.speaker?.id).toBe(1);

  now += 1_100;
  sent.length = 0;
  await vi.advanceTimersByTimeAsync(1_100);
  expect((await a.state(M)).floor.speaker).toBeNull();
  expect(sent.map((o) => o.name)).toEqual(['floor:revoked', 'floor:queue-changed']);
  expect(sent[0]!.payload).toMatchObject({ requestId: 1, reason: 'expired', at: grantedAt + 20_000 });

  // Grant the next speaker, then "restart": the old service is gone, a new one re-arms from the database.
  await a.execute(M, chair, { type: 'floor:grant', requestId: 2, limitSeconds: 30 });
  await a.close();
  now += 10_000;
  const b = make();
  await b.resume();
  sent.length = 0;
  now += 21_000;
  await vi.advanceTimersByTimeAsync(21_000);
  expect((await b.state(M)).floor.speaker).toBeNull();
  expect(sent[0]).toMatchObject({ name: 'floor:revoked', payload: { requestId: 2, reason: 'expired' } });
  await b.close();

  expect((await t.app.database.run((s) => listFloorLog(s, M))).map((e) => [e.kind, e.requestId, e.reason])).toEqual([
    ['requested', 1, null],
    ['requested', 2, null],
    ['granted', 1, null],
    ['revoked', 1, 'expired'],
    ['granted', 2, null],
    ['revoked', 2, 'expired'],
  ]);
});

it('refuses commands with typed errors and leaves the state untouched', async () => {
  const d = demo(t);
  const svc = createConferenceService({ database: t.app.database, log: t.app.log, publish: () => {} });
  const before = await svc.state(d.meetingId);
  const del: Actor = { userId: d.userId('daibieu01'), role: 'delegate', bridgePointId: null, chair: false, displayName: 'x' };
  await expect(svc.execute(d.meetingId, del, { type: 'meeting:start' })).rejects.toMatchObject({ code: 'FORBIDDEN', status: 403 });
  await expect(svc.execute(d.meetingId, del, { type: 'floor:request' })).rejects.toMatchObject({ code: 'MEETING_NOT_LIVE' });
  await expect(svc.execute(999_999, del, { type: 'floor:request' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  expect(await svc.state(d.meetingId)).toEqual(before);
  await svc.close();
});
