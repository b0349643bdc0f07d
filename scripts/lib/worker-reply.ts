import type { Worker } from 'node:worker_threads';

/**
 * Awaits a bench's server thread's reply of one type: `fromWorker('stats')`. A `{ type: 'error' }`
 * message or the worker's own error rejects. Both listeners go once answered: a bench asks hundreds
 * of times, and listeners left behind piled up (MaxListenersExceededWarning).
 */
export function workerReplies<M extends { type: string }>(worker: Worker) {
  return <T extends M['type']>(type: T) =>
    new Promise<Extract<M, { type: T }>>((resolve, reject) => {
      const done = () => {
        worker.off('message', on);
        worker.off('error', fail);
      };
      const fail = (err: unknown) => {
        done();
        reject(err);
      };
      const on = (m: M) => {
        if (m.type === 'error') return fail(new Error((m as { message?: string }).message));
        if (m.type !== type) return;
        done();
        resolve(m as Extract<M, { type: T }>);
      };
      worker.on('message', on);
      worker.on('error', fail);
    });
}
