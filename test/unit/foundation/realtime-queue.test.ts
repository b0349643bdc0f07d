// The realtime command scheduler on its own (no sockets): per-socket order, fairness, slicing, bound, errors, shutdown.
import { describe, expect, it } from 'vitest';
import { createCommandQueue } from '../../../server/src/plugins/realtime-queue.ts';

/** Resolves once `cond` holds, checking on each turn of the event loop (bounded by count, not time). */
const settled = async (cond: () => boolean) => {
  for (let i = 0; i < 1_000_000 && !cond(); i++) await new Promise((r) => setImmediate(r));
  expect(cond()).toBe(true);
};
const busy = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

describe('realtime command queue', () => {
  it("runs each socket's commands in the order received, taking sockets in turn", async () => {
    const q = createCommandQueue();
    const ran: string[] = [];
    for (let i = 0; i < 5; i++) q.push('flood', () => ran.push(`flood${i}`));
    q.push('a', () => ran.push('a0'));
    q.push('b', () => ran.push('b0'));
    q.push('a', () => ran.push('a1'));
    expect(ran).toEqual([]); // nothing runs inside the I/O callback that queued it
    await settled(() => q.size === 0);
    for (const key of ['flood', 'a', 'b']) {
      const mine = ran.filter((r) => r.startsWith(key));
      expect(mine).toEqual([...mine].sort((x, y) => Number(x.slice(key.length)) - Number(y.slice(key.length))));
    }
    expect(ran).toHaveLength(8);
    // One socket's burst does not hold the others back: a and b run before the flood's tail.
    expect(ran.indexOf('b0')).toBeLessThan(ran.indexOf('flood2'));
    expect(ran.indexOf('a1')).toBeLessThan(ran.indexOf('flood3'));
  });

  it('yields to timers between slices: a timer due during a long burst fires before the burst ends', async () => {
    const q = createCommandQueue({ sliceMs: 8 });
    const total = 200;
    let done = 0;
    let doneWhenTimerFired = -1;
    // The timer is set by the burst's first command, so it is certainly due while the burst is under way.
    q.push('socket0', () => void setTimeout(() => (doneWhenTimerFired = done), 0));
    // 200 commands of ~1 ms each: ~200 ms in one go without slicing.
    for (let i = 0; i < total; i++) q.push(`socket${i}`, () => (busy(1), done++));
    await settled(() => done === total && doneWhenTimerFired >= 0);
    expect(doneWhenTimerFired).toBeLessThan(total);
  });

  it('refuses past its bound (the caller answers SERVER_BUSY) and accepts again once drained', async () => {
    const q = createCommandQueue({ maxQueued: 3 });
    let ran = 0;
    const accepted = Array.from({ length: 5 }, (_, i) => q.push(`s${i % 2}`, () => ran++));
    expect(accepted).toEqual([true, true, true, false, false]);
    expect(q.size).toBe(3);
    await settled(() => q.size === 0);
    expect(ran).toBe(3);
    expect(q.push('s0', () => ran++)).toBe(true);
    await settled(() => ran === 4);
  });

  it('runs deferred jobs (a broadcast cut in chunks) ahead of waiting commands, in order', async () => {
    const q = createCommandQueue();
    const ran: string[] = [];
    q.push('a', () => ran.push('cmd-a'));
    q.defer(() => ran.push('chunk1'));
    q.defer(() => ran.push('chunk2'));
    q.push('b', () => ran.push('cmd-b'));
    expect(q.size).toBe(2);
    await settled(() => ran.length === 4);
    expect(ran).toEqual(['chunk1', 'chunk2', 'cmd-a', 'cmd-b']);
  });

  it('lets overtaking commands (ballots) run between the chunks of a broadcast, a few per chunk, in per-socket order', async () => {
    const q = createCommandQueue();
    const ran: string[] = [];
    for (let c = 0; c < 3; c++) q.defer(() => ran.push(`chunk${c}`));
    // 30 sockets cast; `join` has an ordinary command first, so its ballot waits behind it.
    for (let i = 0; i < 30; i++) q.push(`s${i}`, () => ran.push(`cast${i}`), true);
    q.push('join', () => ran.push('join-cmd'));
    q.push('join', () => ran.push('join-cast'), true);
    q.push('other', () => ran.push('other-cmd'));
    await settled(() => ran.length === 36);
    // Twenty ballots, then a chunk, the other ten, the next chunk: the broadcast is not held back by them all.
    expect(ran.slice(0, 21)).toEqual([...Array.from({ length: 20 }, (_, i) => `cast${i}`), 'chunk0']);
    expect(ran.slice(21, 32)).toEqual([...Array.from({ length: 10 }, (_, i) => `cast${i + 20}`), 'chunk1']);
    // Ordinary commands still wait for the whole broadcast; the queued ballot behind one waits for it.
    expect(ran.indexOf('chunk2')).toBeLessThan(ran.indexOf('join-cmd'));
    expect(ran.indexOf('chunk2')).toBeLessThan(ran.indexOf('other-cmd'));
    expect(ran.indexOf('join-cmd')).toBeLessThan(ran.indexOf('join-cast'));
    expect(q.size).toBe(0);
  });

  it('goes on after a command that throws', async () => {
    const errors: unknown[] = [];
    const q = createCommandQueue({ onError: (err) => errors.push(err) });
    const ran: number[] = [];
    q.push('a', () => ran.push(1));
    q.push('a', () => {
      throw new Error('boom');
    });
    q.push('a', () => ran.push(3));
    q.push('b', () => ran.push(4));
    await settled(() => q.size === 0);
    expect(ran.sort()).toEqual([1, 3, 4]);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('boom');
  });

  it('on close runs every waiting command at once and refuses new ones', async () => {
    const q = createCommandQueue();
    const ran: number[] = [];
    for (let i = 0; i < 50; i++) q.push(`s${i % 7}`, () => ran.push(i));
    q.close();
    expect(ran).toHaveLength(50);
    expect(q.push('s0', () => ran.push(99))).toBe(false);
    await new Promise((r) => setImmediate(r)); // the drain scheduled before close finds nothing to do
    expect(ran).toHaveLength(50);
  });
});
