/**
 * WAL checkpoints on a thread of their own. The main connection never
 * checkpoints (wal_autocheckpoint = 0, or the 1000th page's committer would
 * copy the WAL back inside its commit), and a checkpoint on a timer of the
 * main thread still held the event loop while it copied and fsynced pages:
 * tens of milliseconds in the middle of a vote, the slowest acks of the
 * voting benchmark. A worker thread with its own connection to the same file
 * runs the PASSIVE checkpoints instead: they never wait for readers or block
 * writers, so the server's thread only appends to the WAL.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

// CommonJS evaluated in the worker: no loader, no bundling, the same in source and in the build.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.lib);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (err) { parentPort.postMessage({ error: String(err && err.message || err) }); }
}, workerData.intervalMs);
parentPort.on('message', () => { clearInterval(timer); db.close(); parentPort.close(); });
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

/**
 * Starts checkpointing `file` every `intervalMs` on a worker thread; `onError` hears failures (logged,
 * never fatal). The thread starts one interval later, when the first checkpoint would be due anyway:
 * spawning it at once competed with the server's own start on a 2-core machine.
 */
export function startCheckpointer(file: string, intervalMs: number, onError: (message: string) => void): Checkpointer {
  let worker: Worker | null = null;
  const spawn = setTimeout(() => {
    const lib = createRequire(import.meta.url).resolve('better-sqlite3');
    worker = new Worker(WORKER, { eval: true, workerData: { file, lib, intervalMs } });
    worker.on('message', (m: { error?: string }) => m.error && onError(m.error));
    worker.on('error', (err) => onError(err.message));
    // The process may exit while it runs; the next start or checkpoint picks up where it stopped.
    worker.unref();
  }, intervalMs);
  spawn.unref();
  let stopped: Promise<void> | null = null;
  return {
    stop: () =>
      (stopped ??= new Promise<void>((resolve) => {
        clearTimeout(spawn);
        const w = worker;
        if (!w) return resolve();
        const bound = setTimeout(() => void w.terminate().then(() => resolve()), 5000);
        w.once('exit', () => (clearTimeout(bound), resolve()));
        w.postMessage('stop');
      })),
  };
}
