/**
 * A CPU profile of one phase of a benchmark, taken from inside the thread that runs the server
 * (the `--cpu-prof` flag would profile the whole run, set-up and baselines included).
 */
import { Session } from 'node:inspector';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PhaseProfiler {
  /** Starts profiling; resolves once the profiler runs. */
  start(): Promise<void>;
  /** Stops and writes `<dir>/<name>-<time>.cpuprofile`; resolves with the file's path. */
  stop(name: string): Promise<string>;
}

export function phaseProfiler(dir: string): PhaseProfiler {
  const session = new Session();
  const post = <T = unknown>(method: string) =>
    new Promise<T>((resolve, reject) => session.post(method, (err, out) => (err ? reject(err) : resolve(out as T))));
  return {
    async start() {
      session.connect();
      await post('Profiler.enable');
      await post('Profiler.start');
    },
    async stop(name) {
      const { profile } = await post<{ profile: unknown }>('Profiler.stop');
      session.disconnect();
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `${name}-${Date.now()}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      return file;
    },
  };
}

/** `--cpu-prof=DIR` from the command line, if given. */
export const cpuProfDir = (argv: readonly string[] = process.argv): string | undefined => argv.find((a) => a.startsWith('--cpu-prof='))?.split('=')[1];
