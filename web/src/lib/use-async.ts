import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface AsyncState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload(): void;
  setData(v: T): void;
}

/** Runs a loader when deps change; stale answers from earlier runs are dropped. */
export function useAsync<T>(fn: () => Promise<T>, deps: unknown[]): AsyncState<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const run = useRef(0);
  useEffect(() => {
    const id = ++run.current;
    setLoading(true);
    fn().then(
      (v) => {
        if (id !== run.current) return;
        setData(v);
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        if (id !== run.current) return;
        setError(e);
        setLoading(false);
      },
    );
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data, error, loading, reload, setData };
}

export interface Action {
  busy: boolean;
  error: unknown;
  /**
   * Runs `fn` with `busy` set and the last error cleared. A throw is kept in
   * `error` (and resolves to undefined) instead of propagating. `keepBusy`
   * leaves `busy` set after a success, for actions that navigate away.
   */
  run<T>(fn: () => Promise<T>, opts?: { keepBusy?: boolean }): Promise<T | undefined>;
}

/** Busy/error state around one user action (a form submit, a socket command, a REST call). */
export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async <T>(fn: () => Promise<T>, opts: { keepBusy?: boolean } = {}): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      const v = await fn();
      if (!opts.keepBusy) setBusy(false);
      return v;
    } catch (e) {
      setError(e);
      setBusy(false);
      return undefined;
    }
  };
  return { busy, error, run };
}
