/**
 * Shutdown is bounded: a client that stalls mid-request (a cut commune line, a paused download)
 * must not hold close() (and so a restart) open. Node's server.close() waits for every
 * connection that is not idle; the app cuts what is left after a short grace.
 */
import { connect as tcp } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { withDeadline } from '../../../scripts/lib/until.ts';

let t: TestApp | null = null;
afterEach(async () => {
  await t?.close().catch(() => {});
  t = null;
});

it('closes within its grace although a client stopped halfway through a request', async () => {
  t = await buildTestApp();
  const url = new URL(await t.listen());
  const stalled = tcp({ host: url.hostname, port: Number(url.port) });
  await new Promise<void>((resolve, reject) => stalled.once('connect', resolve).once('error', reject));
  // Headers started, never finished: an active connection, which server.close() alone would wait for
  // until Node's headers timeout (a minute) at the earliest.
  stalled.write('GET /api/health HTTP/1.1\r\nHost: x\r\nX-Slow: ');
  const cut = new Promise<void>((resolve) => stalled.once('close', () => resolve()));
  const app = t;
  t = null;
  await withDeadline(app.close(), 30_000, 'close() with a stalled client');
  await withDeadline(cut, 5_000, 'the stalled connection to be cut');
  expect(stalled.destroyed).toBe(true);
});
