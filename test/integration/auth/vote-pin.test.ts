/**
 * A printed QR code is not a ballot: a QR session votes only after the delegate's PIN,
 * wrong PINs are throttled per delegate, and a password session needs no PIN.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, login, request } from '../../helpers/app.ts';
import { cast, expectError, join, liveRoom, okData, type Member, type Room } from '../voting/helpers.ts';
import { qrSession, userIdOf } from './support.ts';

let room: Room;
let pollId: number;

/** A QR session of `username` that joined the live meeting and checked in. */
async function viaQr(username: string): Promise<Member & { qrToken: string }> {
  const { token } = await qrSession(room.t, room.chair.token, room.meetingId, await userIdOf(room.t, username));
  const m = await join(room.t, username, room.meetingId, token);
  room.members.push(m);
  okData(await request(m.socket, 'presence:set-delegate', { meetingId: room.meetingId, status: 'present_online' }));
  return { ...m, qrToken: token };
}

beforeAll(async () => {
  room = await liveRoom(['daibieu01']);
});
afterAll(() => room?.close());

describe('voting PIN', () => {
  it('refuses a QR session\'s vote with PIN_REQUIRED, never lets the sheet set the first PIN, and accepts the vote after the PIN', async () => {
    const qr = await viaQr('daibieu03');
    const poll = await room.create({});
    await room.open(poll.id);
    pollId = poll.id;
    expectError(await cast(qr, poll.id, ['yes']), 'PIN_REQUIRED');
    expect(okData(await request(qr.socket, 'pin:status', {}))).toEqual({ required: true, pinSet: false });
    // Whoever holds the printed sheet cannot choose the PIN: the first one is set after a password sign-in.
    expectError(await request(qr.socket, 'pin:enter', { pin: '4826' }), 'PIN_NOT_SET');
    expectError(await cast(qr, poll.id, ['yes']), 'PIN_REQUIRED');
    const pw = await login(room.t.app, 'daibieu03');
    const set = await room.t.app.inject({ method: 'PUT', url: '/api/auth/pin', headers: bearer(pw), payload: { password: 'DaiBieu@2026', pin: '4826' } });
    expect(set.statusCode, set.body).toBe(200);
    expect(okData(await request(qr.socket, 'pin:enter', { pin: '4826' }))).toEqual({ unlocked: true });
    expect(okData(await request(qr.socket, 'pin:status', {}))).toEqual({ required: false, pinSet: true });
    okData(await cast(qr, poll.id, ['yes']));
    const stored = room.t.app.db.$client.prepare('SELECT vote_pin_hash AS h FROM users WHERE username = ?').get('daibieu03') as { h: string };
    expect(stored.h).toMatch(/^scrypt\$/);
    expect(stored.h).not.toContain('4826');
  });

  it('asks a new QR session for the PIN again, refuses wrong ones and throttles the guessing', async () => {
    const qr = await viaQr('daibieu03');
    expectError(await cast(qr, pollId, ['no']), 'PIN_REQUIRED');
    expectError(await request(qr.socket, 'pin:enter', { pin: '12' }), 'VALIDATION_FAILED');
    for (let i = 0; i < 5; i++) expectError(await request(qr.socket, 'pin:enter', { pin: String(1000 + i) }), 'PIN_INVALID');
    // Locked: even the right PIN waits, and another scan of the sheet does not buy more guesses.
    expectError(await request(qr.socket, 'pin:enter', { pin: '4826' }), 'RATE_LIMITED');
    const again = await viaQr('daibieu03');
    expectError(await request(again.socket, 'pin:enter', { pin: '4826' }), 'RATE_LIMITED');
    expectError(await cast(again, pollId, ['no']), 'PIN_REQUIRED');
    const failed = room.t.app.db.$client.prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'auth.pin_failed' AND actor_user_id = ?").get(await userIdOf(room.t, 'daibieu03')) as { n: number };
    // 5 wrong, 2 while locked, and the refused first entry from the sheet in the test above.
    expect(failed.n).toBe(8);
  });

  it('lets a password session vote without a PIN', async () => {
    okData(await cast(room.present[0]!, pollId, ['yes']));
  });

  it('sets the PIN from the account page only with the password and only in a password session', async () => {
    const pw = room.present[0]!;
    const url = '/api/auth/pin';
    const wrong = await room.t.app.inject({ method: 'PUT', url, headers: bearer(pw.token), payload: { password: 'not-my-password', pin: '2468' } });
    expect(wrong.json().error.code).toBe('INVALID_CREDENTIALS');
    const ok = await room.t.app.inject({ method: 'PUT', url, headers: bearer(pw.token), payload: { password: 'DaiBieu@2026', pin: '2468' } });
    expect(ok.statusCode, ok.body).toBe(200);
    expect((await room.t.app.inject({ url, headers: bearer(pw.token) })).json()).toEqual({ pinSet: true });
    const qr = await viaQr('daibieu01');
    const fromQr = await room.t.app.inject({ method: 'PUT', url, headers: bearer(qr.qrToken), payload: { password: 'DaiBieu@2026', pin: '1357' } });
    expect(fromQr.statusCode).toBe(403);
    // The PIN set in the account unlocks the QR session; another PIN does not.
    expectError(await request(qr.socket, 'pin:enter', { pin: '1357' }), 'PIN_INVALID');
    expect(okData(await request(qr.socket, 'pin:enter', { pin: '2468' }))).toEqual({ unlocked: true });
  });
});
