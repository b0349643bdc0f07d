// Commands run through the realtime command queue (realtime-queue.ts): bounded with a typed refusal, and in order per socket.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, connect, login, request, type TestApp, type TestSocket } from '../../helpers/app.ts';
import { demo } from '../conference/helpers.ts';

let t: TestApp;
const sockets: TestSocket[] = [];
const open = async (username: string) => {
  const s = await connect(t.url, await login(t.app, username));
  sockets.push(s);
  return s;
};

beforeAll(async () => {
  // A tiny queue, and rate limits out of the way, so a burst from one socket overflows it.
  t = await buildTestApp({ config: { userCommandsPerSecond: 10_000 }, deps: { realtime: { maxQueuedCommands: 4, rateBurst: 10_000, ratePerSecond: 10_000 } } });
  await t.listen();
});
afterEach(() => {
  while (sockets.length) sockets.pop()!.close();
});
afterAll(() => t.close());

describe('realtime command queue', () => {
  it('answers SERVER_BUSY past its bound, and serves again once drained', async () => {
    const s = await open('daibieu03');
    const acks = await Promise.all(Array.from({ length: 100 }, () => request(s, 'meeting:leave', {})));
    const busy = acks.filter((a) => !a.ok && a.error.code === 'SERVER_BUSY').length;
    expect(busy).toBeGreaterThan(0);
    expect(busy + acks.filter((a) => a.ok).length).toBe(100);
    expect(s.connected).toBe(true);
    expect(await request(s, 'meeting:leave', {})).toMatchObject({ ok: true });
  });

  it('runs a command sent right behind meeting:join in the joined meeting', async () => {
    const { meetingId } = demo(t);
    const s = await open('daibieu04');
    const [joined, next] = await Promise.all([
      request(s, 'meeting:join', { meetingId }),
      request(s, 'presence:set-delegate', { meetingId, status: 'present_online' }),
    ]);
    expect(joined).toMatchObject({ ok: true });
    expect(next).toMatchObject({ ok: true });
  });
});
