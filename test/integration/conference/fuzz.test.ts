/**
 * Generated input against every event of the realtime contract: at least
 * 1,000 payloads per event (shaped after its schema, mutated, or arbitrary
 * junk), plus unknown event names and oversized payloads. Each must be
 * answered with a typed error ack or a result that matches the contract, the
 * sockets must stay connected and the server must keep serving.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import fc from 'fast-check';
import { Compile, type Validator } from 'typebox/compile';
import { Commands, ERROR_CODES, Snapshot, conferenceCommands, sessionCommands, type Ack, type CommandName } from '@diemcau/shared';
import { buildTestApp, request, type TestApp } from '../../helpers/app.ts';
import { demo, join, type Demo, type JoinSnapshot, type Member } from './helpers.ts';

const PER_EVENT = 1000;
/** Other features' events get a lighter sweep: their owners test them; here we only prove nothing crashes. */
const PER_FOREIGN_EVENT = 100;
const BATCH = 250;
const SEED = 20_251_101;

let t: TestApp;
let d: Demo;
const members: Member[] = [];

beforeAll(async () => {
  // The per-socket rate limit would otherwise answer most of the flood with RATE_LIMITED.
  t = await buildTestApp({ deps: { realtime: { rateBurst: 1e9, ratePerSecond: 1e9, userCommandsPerSecond: 1e9 } } });
  await t.listen();
  d = demo(t);
  for (const u of ['vanphong', 'cau.991', 'daibieu01', 'quansat']) members.push(await join(t, u, d.meetingId));
});
afterAll(async () => {
  for (const m of members) m.socket.close();
  await t?.close();
});

type Json = Record<string, unknown>;

/** Ids that exist right now, so generated commands also reach the machines' success paths. */
interface Live {
  requestIds: number[];
}

/** An arbitrary shaped after a JSON schema, biased towards values the demo data makes meaningful. */
function shaped(schema: Json, live: Live, key = ''): fc.Arbitrary<unknown> {
  const junk = fc.oneof(fc.constant(null), fc.boolean(), fc.string({ maxLength: 5 }), fc.double(), fc.constant([]));
  if (Array.isArray(schema.enum)) return fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...(schema.enum as unknown[])) }, { weight: 1, arbitrary: junk });
  switch (schema.type) {
    case 'integer': {
      if (key === 'meetingId') {
        return fc.oneof(
          { weight: 12, arbitrary: fc.constant(d.meetingId) },
          { weight: 1, arbitrary: fc.constant(d.otherMeetingId) },
          { weight: 1, arbitrary: fc.integer() },
          { weight: 1, arbitrary: junk },
        );
      }
      if (key === 'requestId' && live.requestIds.length) {
        return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...live.requestIds) }, { weight: 1, arbitrary: fc.integer({ min: -1, max: 400 }) }, junk);
      }
      const min = typeof schema.minimum === 'number' ? schema.minimum : -5;
      const max = typeof schema.maximum === 'number' ? schema.maximum : Math.max(min + 10, 260);
      return fc.oneof(
        // Small ids hit real request, item, user and bridge ids of the demo data.
        { weight: 6, arbitrary: fc.integer({ min, max: Math.min(max, min + 12) }) },
        { weight: 6, arbitrary: fc.integer({ min, max: Math.min(max, min + 300) }) },
        { weight: 2, arbitrary: fc.integer({ min, max }) },
        { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.constant(Number.MAX_SAFE_INTEGER + 2)) },
        { weight: 1, arbitrary: junk },
      );
    }
    case 'string': {
      const maxLength = typeof schema.maxLength === 'number' ? schema.maxLength : 40;
      return fc.oneof(
        { weight: 6, arbitrary: fc.string({ maxLength: Math.min(maxLength, 60) }) },
        { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: maxLength + 10 }) },
        { weight: 1, arbitrary: junk },
      );
    }
    case 'array':
      return fc.oneof(
        { weight: key === 'requestIds' ? 8 : 0, arbitrary: fc.shuffledSubarray(live.requestIds, { minLength: live.requestIds.length }) },
        { weight: 8, arbitrary: fc.array(shaped(schema.items as Json, live), { maxLength: 8 }) },
        { weight: 1, arbitrary: junk },
      );
    case 'object': {
      const props = (schema.properties ?? {}) as Record<string, Json>;
      const model = Object.fromEntries(Object.entries(props).map(([k, s]) => [k, shaped(s, live, k)]));
      const required = ((schema.required ?? []) as string[]).filter((k) => k in props);
      const record = fc.record(model, { requiredKeys: [] }).chain((r) =>
        // Usually keep the required keys; sometimes drop one.
        fc.boolean().map((keep) => (keep || required.length === 0 ? r : Object.fromEntries(Object.entries(r).filter(([k]) => k !== required[0])))),
      );
      const full = fc.record(model, { requiredKeys: required });
      const extra = fc.dictionary(fc.string({ maxLength: 8 }), fc.anything({ maxDepth: 2 }), { maxKeys: 2 });
      return fc.oneof(
        { weight: 6, arbitrary: full },
        { weight: 2, arbitrary: record },
        { weight: 1, arbitrary: fc.tuple(full, extra).map(([a, b]) => ({ ...b, ...a, ...(Object.keys(b).length ? b : { extra: 1 }) })) },
      );
    }
    default:
      return fc.anything({ maxDepth: 2 });
  }
}

const payloads = (name: CommandName, seed: number, numRuns: number, live: Live = { requestIds: [] }) =>
  fc.sample(
    fc.oneof(
      { weight: 7, arbitrary: shaped(Commands[name].req as unknown as Json, live) },
      { weight: 3, arbitrary: fc.anything({ maxDepth: 3, withNullPrototype: true, withBigInt: false }) },
    ),
    { numRuns, seed },
  );

const results = new Map<string, Validator>();
const resultValidator = (name: CommandName) => {
  let v = results.get(name);
  if (!v) results.set(name, (v = Compile(name === 'meeting:join' ? Snapshot : Commands[name].res)));
  return v;
};

/** The problem with one ack, or null when it is a typed error or a valid result. */
function problem(name: string, ack: unknown, checkResult = true): string | null {
  if (!ack || typeof ack !== 'object') return `not an ack: ${JSON.stringify(ack)}`;
  const a = ack as Ack<unknown>;
  if (a.ok === true) {
    if (!(name in Commands)) return 'unknown event acked ok';
    if (!checkResult) return null;
    const v = resultValidator(name as CommandName);
    return v.Check(a.data) ? null : `result off contract: ${JSON.stringify([...v.Errors(a.data)].slice(0, 2))}`;
  }
  if (a.ok !== false || !a.error || typeof a.error.message !== 'string') return `malformed ack ${JSON.stringify(a)}`;
  if (!ERROR_CODES.includes(a.error.code)) return `untyped error ${a.error.code}`;
  if (a.error.code === 'INTERNAL' || a.error.code === 'RATE_LIMITED') return `${a.error.code}: ${a.error.message}`;
  return null;
}

/** Sends `total` generated payloads of `event` in concurrent batches, regenerating against the live state each batch. */
async function flood(event: CommandName, total: number, seed: number, checkResults = true) {
  const tally = { ok: 0, errors: {} as Record<string, number>, problems: [] as string[] };
  for (let i = 0; i < total; i += BATCH) {
    // Keep requests queued so withdraw / reorder / grant / revoke have something real to act on.
    // meeting:join / meeting:leave payloads move sockets around; put them back so the batch reaches the room.
    await Promise.all(members.map((m) => request(m.socket, 'meeting:join', { meetingId: d.meetingId })));
    if (event !== 'floor:request') {
      await Promise.all(members.slice(1, 3).map((m) => request(m.socket, 'floor:request', { meetingId: d.meetingId })));
    }
    const snap = await request<JoinSnapshot>(members[0]!.socket, 'meeting:join', { meetingId: d.meetingId });
    const floor = snap.ok ? snap.data.floor : null;
    if (event === 'floor:request' && floor) {
      // Empty the queue so the requesters may ask again.
      await Promise.all(floor.queue.map((q) => request(members[0]!.socket, 'floor:withdraw', { meetingId: d.meetingId, requestId: q.id })));
    }
    if (event === 'floor:revoke' && floor && !floor.speaker && floor.queue[0]) {
      await request(members[0]!.socket, 'floor:grant', { meetingId: d.meetingId, requestId: floor.queue[0].id });
    }
    const live = { requestIds: [...(floor?.queue.map((q) => q.id) ?? []), ...(floor?.speaker ? [floor.speaker.id] : [])] };
    const list = payloads(event, seed + i, Math.min(BATCH, total - i), live);
    const acks = await Promise.all(
      list.map((p, j) =>
        request(members[(i + j) % members.length]!.socket, event, p).then(
          (ack) => [p, ack] as const,
          (err: Error) => [p, { timeout: err.message }] as const,
        ),
      ),
    );
    for (const [p, ack] of acks) {
      const bad = problem(event, ack, checkResults);
      if (bad) tally.problems.push(`${event} ${JSON.stringify(p)?.slice(0, 200)} → ${bad}`);
      else if ((ack as Ack<unknown>).ok) tally.ok++;
      else {
        const c = (ack as { error: { code: string } }).error.code;
        tally.errors[c] = (tally.errors[c] ?? 0) + 1;
      }
    }
  }
  return tally;
}

const RESERVED = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']);

it('answers every generated payload of every event with a typed error or a valid result', { timeout: 900_000 }, async () => {
  // The session and conference-room events this suite owns.
  const names = [...Object.keys(sessionCommands), ...Object.keys(conferenceCommands)] as CommandName[];
  // Start first so the live paths get exercised, end last so they stay reachable.
  const order = ['meeting:start', ...names.filter((n) => n !== 'meeting:start' && n !== 'meeting:end'), 'meeting:end'] as CommandName[];
  const summary: Record<string, { ok: number; errors: Record<string, number>; ms: number }> = {};
  const problems: string[] = [];
  let sent = 0;
  for (const [i, name] of order.entries()) {
    const started = performance.now();
    const tally = await flood(name, PER_EVENT, SEED + i * 10_000);
    sent += PER_EVENT;
    summary[name] = { ok: tally.ok, errors: tally.errors, ms: Math.round(performance.now() - started) };
    problems.push(...tally.problems);
  }

  // Every other event of the contract: typed answers, never a crash (results are their owners' to check).
  const foreign = (Object.keys(Commands) as CommandName[]).filter((n) => !names.includes(n));
  const foreignStarted = performance.now();
  for (const [i, name] of foreign.entries()) {
    const tally = await flood(name, PER_FOREIGN_EVENT, SEED + (100 + i) * 10_000, false);
    sent += PER_FOREIGN_EVENT;
    problems.push(...tally.problems);
  }

  const foreignMs = Math.round(performance.now() - foreignStarted);
  const unknown = fc.sample(fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !(s in Commands) && !RESERVED.has(s)), { numRuns: PER_EVENT, seed: SEED });
  const unknownAcks = await Promise.all(unknown.map((e, i) => request(members[i % members.length]!.socket, e, { meetingId: d.meetingId })));
  sent += unknown.length;
  for (const [i, ack] of unknownAcks.entries()) {
    if (ack.ok || ack.error.code !== 'UNKNOWN_EVENT') problems.push(`unknown event ${JSON.stringify(unknown[i])} → ${JSON.stringify(ack)}`);
  }

  const big = { meetingId: d.meetingId, topic: 'x'.repeat(64 * 1024) };
  for (const name of names) {
    const ack = await request(members[0]!.socket, name, big);
    sent++;
    if (ack.ok || ack.error.code !== 'PAYLOAD_TOO_LARGE') problems.push(`oversized ${name} → ${JSON.stringify(ack).slice(0, 200)}`);
  }

  expect(problems.slice(0, 10)).toEqual([]);
  expect(sent).toBeGreaterThanOrEqual(names.length * PER_EVENT);
  // The flood must have reached the machines, not only the validator.
  const oks = Object.values(summary).reduce((n, s) => n + s.ok, 0);
  const reached = Object.values(summary).reduce((n, s) => n + Object.entries(s.errors).filter(([c]) => c !== 'VALIDATION_FAILED').reduce((a, [, v]) => a + v, 0), 0);
  expect(oks).toBeGreaterThan(500);
  expect(reached).toBeGreaterThan(2000);
  console.info(`fuzz: ${sent} events, ${oks} ok; ${foreign.length} other events in ${foreignMs} ms`, JSON.stringify(summary));

  // Still up: every socket connected, and a brand-new client can join and gets a valid snapshot.
  expect(members.every((m) => m.socket.connected)).toBe(true);
  const fresh = await join(t, 'admin', d.meetingId);
  try {
    expect(Compile(Snapshot).Check(fresh.snapshot)).toBe(true);
  } finally {
    fresh.socket.close();
  }
});
