/**
 * Ending a meeting and polls: the meeting cannot end while a poll is open
 * (its ballots would be stranded), whichever way the chair ends it; and a
 * status change made over REST reaches the live room at once.
 */
import { eq } from 'drizzle-orm';
import { afterEach, expect, it } from 'vitest';
import { login, nextEvent, request } from '../../helpers/app.ts';
import { bearer, cast, dbRun, expectError, liveRoom, okData, type Room } from './helpers.ts';

let room: Room | null = null;
afterEach(async () => {
  await room?.close();
  room = null;
});

it('refuses meeting:end and the REST transition while a poll is open, then ends once it is closed', async () => {
  room = await liveRoom(['daibieu01', 'daibieu02']);
  const { t, meetingId, chair } = room;
  const [d1] = room.present as [(typeof room.present)[number]];
  const poll = await room.create({ title: 'Thông qua chương trình' });
  await room.open(poll.id);
  okData(await cast(d1, poll.id, ['yes']));

  expectError(await request(chair.socket, 'meeting:end', { meetingId }), 'POLL_OPEN');
  const token = await login(t.app, 'vanphong');
  const rest = await t.app.inject({ method: 'POST', url: `/api/meetings/${meetingId}/transition`, headers: bearer(token), payload: { to: 'ended' } });
  expect(rest.statusCode).toBe(409);
  expect(rest.json().error.code).toBe('POLL_OPEN');
  // Still live, and the ballot already cast is intact.
  const status = () => dbRun(t, async ({ q, t: db }) => (await q.select({ status: db.meetings.status }).from(db.meetings).where(eq(db.meetings.id, meetingId)))[0]!.status);
  expect(await status()).toBe('live');

  okData(await request(chair.socket, 'poll:close', { pollId: poll.id }));
  // Closed over REST this time: the delegates' screens hear meeting:ended without any further command.
  const ended = nextEvent<{ meetingId: number; status: string }>(d1.socket, 'meeting:ended');
  const ok = await t.app.inject({ method: 'POST', url: `/api/meetings/${meetingId}/transition`, headers: bearer(token), payload: { to: 'ended' } });
  expect(ok.statusCode).toBe(200);
  expect(await ended).toMatchObject({ meetingId, status: 'ended' });
  const closedPoll = await dbRun(t, async ({ q, t: db }) => (await q.select({ status: db.polls.status }).from(db.polls).where(eq(db.polls.id, poll.id)))[0]!.status);
  expect(closedPoll).toBe('closed');
});
