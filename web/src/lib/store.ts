import { useLayoutEffect, useRef, useState } from 'preact/hooks';

/** A minimal observable value; enough state management for this client. */
export interface Store<T> {
  get(): T;
  set(next: T | ((prev: T) => T)): void;
  subscribe(fn: (v: T) => void): () => void;
}

export function createStore<T>(initial: T): Store<T> {
  let value = initial;
  const subs = new Set<(v: T) => void>();
  return {
    get: () => value,
    set(next) {
      const v = typeof next === 'function' ? (next as (p: T) => T)(value) : next;
      if (Object.is(v, value)) return;
      value = v;
      for (const fn of [...subs]) fn(v);
    },
    subscribe(fn) {
      subs.add(fn);
      return () => subs.delete(fn);
    },
  };
}

/**
 * Re-renders the component whenever the store changes. Subscribes in a layout
 * effect and re-checks the value there: a change that lands between render and
 * subscription (a fast /api/auth/me answer) must not be missed.
 */
export function useStore<T>(store: Store<T>): T {
  const value = store.get();
  const [, force] = useState(0);
  const seen = useRef(value);
  seen.current = value;
  useLayoutEffect(() => {
    const unsubscribe = store.subscribe(() => force((n) => n + 1));
    if (!Object.is(store.get(), seen.current)) force((n) => n + 1);
    return unsubscribe;
  }, [store]);
  return value;
}
