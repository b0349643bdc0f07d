/** Shared set-up for the auth hardening tests: QR sessions, socket recovery by hand, polling. */
import { io as ioClient, type Socket } from 'socket.io-client';
import { PROTOCOL_VERSION } from '../../../shared/src/index.ts';
import { bearer, connect, nextEvent, request, type TestApp, type TestSocket } from '../../helpers/app.ts';

export { meetingIdOf, userIdOf } from '../voting/helpers.ts';

/** Polls `check` until it is truthy (generous bound for a busy machine). */
export async function until<T>(check: () => T | Promise<T>, what: string, ms = 25_000): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Issues daibieu's personal QR code and opens the QR session the landing page's button opens; returns its token. */
export async function qrSession(t: TestApp, secretariatToken: string, meetingId: number, userId: number): Promise<{ token: string; jti: string }> {
  const res = await t.app.inject({ method: 'POST', url: `/api/meetings/${meetingId}/qr/delegates/${userId}`, headers: bearer(secretariatToken) });
  if (res.statusCode !== 201) throw new Error(`qr issue ${res.statusCode} ${res.body}`);
  const info = res.json() as { url: string; jti: string };
  const path = new URL(info.url).pathname;
  const enter = await t.app.inject({ method: 'POST', url: `${path}/session`, headers: { accept: 'application/json', origin: t.config.publicBaseUrl } });
  const token = /dc_session=([^;]+)/.exec(String(enter.headers['set-cookie'] ?? ''))?.[1];
  if (!token) throw new Error(`qr session ${enter.statusCode} ${enter.body}`);
  return { token, jti: info.jti };
}

/**
 * A connection that joined the meeting, then lost its transport (as on a network drop) and left
 * what socket.io needs to recover it: its pid and the offset of the last broadcast it got.
 */
export async function droppedSocket(t: TestApp, token: string, meetingId: number): Promise<{ pid: string; offset: string }> {
  const s = await connect(t.url, token);
  const joined = await request(s, 'meeting:join', { meetingId });
  if (!joined.ok) throw new Error(`join: ${joined.error.code}`);
  const got = nextEvent(s, 'session:resync', 20_000);
  t.app.realtime.toMeeting(meetingId).emit('session:resync', { reason: 'test' });
  await got;
  const raw = s as unknown as { id: string; _pid: string; _lastOffset: string; io: { engine: { close(): void } } };
  const { id, _pid: pid, _lastOffset: offset } = raw;
  raw.io.engine.close();
  await until(() => !t.app.realtime.io.of('/').sockets.has(id), 'the server to see the drop');
  return { pid, offset };
}

/** Reconnects with connection-state recovery; resolves the socket, or rejects with the connect error. */
export function recover(t: TestApp, token: string, d: { pid: string; offset: string }): Promise<TestSocket> {
  const s = ioClient(t.url, { auth: { protocol: PROTOCOL_VERSION, token, pid: d.pid, offset: d.offset }, transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve(s as unknown as TestSocket));
    s.once('connect_error', (err) => {
      s.close();
      reject(err);
    });
  });
}

export const errorCode = (err: unknown) => ((err as { data?: { code?: string } }).data?.code ?? String(err));
export type { Socket };
