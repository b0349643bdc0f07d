/**
 * The conference the shaped-network test runs: the seeded meeting, chaired
 * from the real console, with bridge screens signed in as their operators.
 * The chair's actions are clicks on the console; the timings come from
 * receiver.ts.
 */
import { expect } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DESKTOP } from '../../e2e/helpers/browser.ts';
import { connState, signIn } from '../../e2e/helpers/pages.ts';
import type { E2EServer } from '../../e2e/helpers/server.ts';
import { readFileSync } from 'node:fs';
import { io, type Socket } from 'socket.io-client';
import { PROTOCOL_VERSION, type AgendaView } from '@diemcau/shared';
import { bearer, login } from '../../helpers/app.ts';
import { EmitClock, shownAt } from './receiver.ts';
import { until } from '../../../scripts/lib/until.ts';

export interface Ids {
  meetingId: number;
  bridgeOf(username: string): number;
  bridgeName(username: string): string;
  userOf(username: string): number;
}

export function seededIds(srv: E2EServer): Ids {
  const sql = srv.app().db.$client;
  const bp = (username: string) =>
    sql.prepare('SELECT b.id, b.name FROM bridge_points b JOIN users u ON u.id = b.operator_user_id WHERE u.username = ?').get(username) as { id: number; name: string };
  const m = sql.prepare('SELECT id FROM meetings ORDER BY id LIMIT 1').get() as { id: number };
  const user = (username: string) => (sql.prepare('SELECT id FROM users WHERE username = ?').get(username) as { id: number }).id;
  return { meetingId: m.id, bridgeOf: (u) => bp(u).id, bridgeName: (u) => bp(u).name, userOf: user };
}

/** Adds agenda items until the meeting has `n` (every profile moves the agenda once). */
export async function ensureAgendaItems(srv: E2EServer, meetingId: number, n: number): Promise<void> {
  const app = srv.app();
  const auth = bearer(await login(app, 'vanphong'));
  const have = (await app.inject({ method: 'GET', url: `/api/meetings/${meetingId}/agenda`, headers: auth })).json().length as number;
  for (let i = have; i < n; i++) {
    const res = await app.inject({ method: 'POST', url: `/api/meetings/${meetingId}/agenda`, headers: auth, payload: { title: `Nội dung bổ sung ${i + 1}`, plannedMinutes: 10 } });
    expect(res.statusCode, res.body).toBe(201);
  }
}

/**
 * A user's Socket.IO connection from the test process, on the good network
 * (not a browser: the machine has two cores). The chair drives the agenda and
 * polls through it, so a busy console page cannot delay the clicks; a delegate
 * marks themself present, since a poll opens only with a delegate present.
 */
export async function joinSocket(srv: E2EServer, caFile: string, meetingId: number, username: string): Promise<Socket> {
  const token = await login(srv.app(), username);
  const socket = io(srv.url, { auth: { protocol: PROTOCOL_VERSION, token }, transports: ['websocket'], ca: readFileSync(caFile, 'utf8'), forceNew: true });
  await new Promise<void>((res, rej) => {
    socket.once('connect', res);
    socket.once('connect_error', rej);
  });
  await command(socket, 'meeting:join', { meetingId });
  if (username.startsWith('daibieu')) await command(socket, 'presence:set-delegate', { meetingId, status: 'present_online' });
  return socket;
}

/** Sends a command and returns its ack data (fails the test on an error ack). */
export async function command<T = any>(socket: Socket, name: string, payload: unknown): Promise<T> {
  const ack = (await socket.timeout(15_000).emitWithAck(name, payload)) as { ok: boolean; data?: T };
  expect(ack.ok, `${name}: ${JSON.stringify(ack)}`).toBe(true);
  return ack.data as T;
}

/** A fresh context with one page; page errors are collected into `errors`. */
export async function openAs(browser: Browser, baseURL: string, username: string, errors: string[]): Promise<Page> {
  const ctx = await browser.newContext({ ...DESKTOP, baseURL, permissions: ['camera', 'microphone'] });
  // Two suites side by side starve the browsers: a click on an idle bridge page once took over 30 s.
  ctx.setDefaultTimeout(60_000);
  const page = await ctx.newPage();
  page.on('pageerror', (e) => errors.push(`${username}: ${e.message}`));
  await signIn(page, username);
  return page;
}

export async function openConsole(page: Page, meetingId: number): Promise<void> {
  await page.goto(`/meetings/${meetingId}/console`);
  await page.locator('[data-view=console]').waitFor();
  await page.locator('[data-action=meeting-start]').click();
  await page.locator('.tag-live').first().waitFor();
  await connState(page, 'online');
}

export async function openBridge(page: Page, meetingId: number): Promise<void> {
  await page.waitForURL(`**/meetings/${meetingId}/bridge`, { timeout: 30_000 });
  await page.locator('[data-view=bridge]').waitFor();
  try {
    await page.locator('[data-camera=on]').waitFor({ timeout: 60_000 });
  } catch (e) {
    // Say what the screen shows: a device error, a blocked camera, or no media session.
    const shown = await page.locator('[data-view=bridge]').innerText().catch(() => '');
    throw new Error(`${page.url()}: the camera did not come on; the screen says: ${shown.replace(/\s+/g, ' ').slice(0, 400)}`, { cause: e });
  }
}

/**
 * A bridge's link state as the chair's console shows it (good, weak, audio-only; never or dropped when
 * offline), on its tile in the compact grid (the default for 213 bridges) or on its card.
 */
export const consoleLink = (chair: Page, bp: number) => chair.locator(`[data-bridge="${bp}"][data-bconn]`).first().getAttribute('data-bconn');

/** Polls `read` until `ok`, within `timeoutMs`; returns how long it took. */
export async function within<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs: number, stepMs = 250): Promise<number> {
  const start = Date.now();
  await until(read, ok, what, timeoutMs, stepMs);
  return Date.now() - start;
}

/**
 * The chair moves to the next agenda item; returns the item and, per watched
 * page, the ms from the server's emit to the item showing on that screen.
 */
export async function advanceAgenda(chair: Socket, meetingId: number, clock: EmitClock, watched: Page[], deadlineMs = 30_000): Promise<{ item: string; latencies: number[] }> {
  const { agenda } = await command<{ agenda: AgendaView }>(chair, 'meeting:join', { meetingId });
  const idx = agenda.items.findIndex((i) => i.id === agenda.currentItemId);
  const next = agenda.items[idx + 1];
  if (!next) throw new Error('the agenda has no next item');
  const t = Date.now();
  await command(chair, 'agenda:set-current', { meetingId, itemId: next.id });
  const item = String(next.id);
  return { item, latencies: await arrivals(clock, 'agenda:changed', t, watched, 'item', item, deadlineMs) };
}

/** The chair creates and opens a poll; latencies of `poll:opened` at the watched pages. */
export async function openPoll(chair: Socket, clock: EmitClock, watched: Page[], deadlineMs = 30_000): Promise<{ pollId: number; latencies: number[] }> {
  const poll = await command<{ id: number }>(chair, 'poll:create', { agendaItemId: null, title: 'Biểu quyết kiểm thử đường truyền', kind: 'approval', mode: 'secret', majority: 'simple' });
  const t = Date.now();
  await command(chair, 'poll:open', { pollId: poll.id });
  return { pollId: poll.id, latencies: await arrivals(clock, 'poll:opened', t, watched, 'poll', `${poll.id}:open`, deadlineMs) };
}

export async function closePoll(chair: Socket, clock: EmitClock, pollId: number, watched: Page[], deadlineMs = 30_000): Promise<number[]> {
  const t = Date.now();
  await command(chair, 'poll:close', { pollId });
  return arrivals(clock, 'poll:closed', t, watched, 'poll', `${pollId}:closed`, deadlineMs);
}

async function arrivals(clock: EmitClock, event: string, since: number, pages: Page[], what: 'item' | 'poll', value: string, deadlineMs: number): Promise<number[]> {
  await within(async () => clock.first(event, since), (v) => v !== null, `server emits ${event}`, deadlineMs);
  const emitted = clock.first(event, since)!;
  const out: number[] = [];
  for (const p of pages) {
    await within(() => shownAt(p, what, value, since), (v) => v !== null, `${what} ${value} shows on a bridge screen`, deadlineMs);
    out.push(Math.max(0, (await shownAt(p, what, value, since))! - emitted));
  }
  return out;
}
