/**
 * Loads mediasoup with the worker binary built offline by
 * scripts/build-mediasoup-worker.mjs.
 *
 * mediasoup 3.8 reads MEDIASOUP_WORKER_BIN once, at module load (a top-level
 * const in lib/Worker.js), so the variable must be set before the first
 * import. Setting it here is the one place this module touches process.env;
 * the value comes from Config.
 */
import { accessSync, constants } from 'node:fs';
import type * as Mediasoup from 'mediasoup';
import { AppError } from '../../lib/app-error.ts';

export type MediasoupModule = typeof Mediasoup;
export type { types as ms } from 'mediasoup';

let loaded: { bin: string; mod: Promise<MediasoupModule> } | null = null;

/** Imports mediasoup once, pointing it at `workerBin`. Throws a clear error if the binary is missing. */
export function loadMediasoup(workerBin: string): Promise<MediasoupModule> {
  if (loaded) {
    if (loaded.bin !== workerBin) {
      // The module is a process-wide singleton; a second binary cannot take effect.
      throw new AppError('MEDIA_ERROR', 500, `mediasoup already loaded with worker ${loaded.bin}`);
    }
    return loaded.mod;
  }
  try {
    accessSync(workerBin, constants.X_OK);
  } catch {
    throw new AppError(
      'MEDIA_ERROR',
      500,
      `mediasoup worker binary not found at ${workerBin}; run "node scripts/build-mediasoup-worker.mjs" or set MEDIASOUP_WORKER_BIN`,
    );
  }
  // eslint-disable-next-line no-restricted-properties -- mediasoup 3.8 takes the worker path only from its environment; this writes the Config value, it reads nothing
  process.env.MEDIASOUP_WORKER_BIN = workerBin;
  loaded = { bin: workerBin, mod: import('mediasoup') };
  return loaded.mod;
}
