/**
 * The server code a bench's server thread runs: by default bundled by esbuild exactly as `pnpm start`
 * runs it (scripts/build.mjs), not the source through tsx. tsx compiles with esbuild's keepNames, so
 * every closure the server makes also calls `__name` (about 3-5% of a storm's server CPU in a
 * profile): the benches measured a slightly slower server than the one deployed.
 * BENCH_SOURCE=1 runs the source instead (--cpu-prof profiles then name the .ts files and lines).
 */
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export type BenchServer = typeof import('./bench-server.ts');

const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, 'bench-server.ts');

/** Main thread: builds the bundle (removed when the process exits); the module URL to hand to the server threads. */
export async function bundleBenchServer(): Promise<string> {
  if (process.env.BENCH_SOURCE === '1') return pathToFileURL(source).href;
  const { buildServer } = await import('../build.mjs');
  // Two levels below the checkout, as src/paths.ts expects of a build.
  const outdir = resolve(here, '..', '..', 'server', `.dist-bench-${process.pid}`);
  process.on('exit', () => rmSync(outdir, { recursive: true, force: true }));
  return pathToFileURL(await buildServer(outdir, source)).href;
}

/** Server thread: the server's code from the URL `bundleBenchServer` made. */
export const loadBenchServer = (url: string): Promise<BenchServer> => import(url) as Promise<BenchServer>;
