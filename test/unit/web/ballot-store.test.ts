/**
 * What the device keeps about its ballots: per user, never choices, nothing
 * after sign-out.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ballotIdFor, clearBallots, loadBallot, saveBallot } from '../../../web/src/lib/ballot-store.ts';

/** A minimal in-memory Web Storage (node has no localStorage). */
class MemoryStorage implements Storage {
  #m = new Map<string, string>();
  get length() {
    return this.#m.size;
  }
  clear() {
    this.#m.clear();
  }
  getItem(k: string) {
    return this.#m.get(k) ?? null;
  }
  key(i: number) {
    return [...this.#m.keys()][i] ?? null;
  }
  removeItem(k: string) {
    this.#m.delete(k);
  }
  setItem(k: string, v: string) {
    this.#m.set(k, String(v));
  }
  dump() {
    return [...this.#m.entries()];
  }
}

let store: MemoryStorage;
beforeEach(() => {
  store = new MemoryStorage();
  Object.defineProperty(globalThis, 'localStorage', { value: store, configurable: true });
});
afterEach(() => {
  Reflect.deleteProperty(globalThis, 'localStorage');
});

describe('ballot store', () => {
  it('keeps one ballot id per user and poll, stable across retries, and never one user’s for another', () => {
    const id = ballotIdFor(5, 9);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(ballotIdFor(5, 9)).toBe(id);
    saveBallot(5, 9, { ballotId: id, receipt: 'K7QM-2XD4-R9TB' });
    expect(loadBallot(5, 9)).toEqual({ ballotId: id, receipt: 'K7QM-2XD4-R9TB' });
    // Another user on the same device sees nothing of it and gets a ballot id of their own.
    expect(loadBallot(6, 9)).toBeNull();
    expect(ballotIdFor(6, 9)).not.toBe(id);
    expect(loadBallot(5, 10)).toBeNull();
  });

  it('stores no choice', () => {
    saveBallot(5, 9, { ballotId: ballotIdFor(5, 9), receipt: 'K7QM-2XD4-R9TB', choices: ['yes'] } as never);
    expect(JSON.stringify(store.dump())).not.toMatch(/yes|choices/);
  });

  it('forgets every ballot and receipt on sign-out, including receipts stored by older versions', () => {
    saveBallot(5, 9, { ballotId: ballotIdFor(5, 9), receipt: 'K7QM-2XD4-R9TB' });
    saveBallot(6, 9, { ballotId: ballotIdFor(6, 9), receipt: 'AAAA-BBBB-CCCC' });
    store.setItem('diemcau.receipt.9', 'K7QM-2XD4-R9TB');
    store.setItem('diemcau.lang', 'vi');
    clearBallots();
    expect(store.dump()).toEqual([['diemcau.lang', 'vi']]);
    expect(loadBallot(5, 9)).toBeNull();
  });
});
