#!/usr/bin/env node
/**
 * Production build, quick enough that `pnpm start` runs it every time:
 *   - server/ (with shared/) bundled by esbuild into server/dist/server.js plus lazily loaded
 *     chunks (the minutes and report exporters); type checking is `pnpm typecheck`'s job;
 *   - web/ built by Vite only when its inputs are newer than web/dist/index.html.
 * Usage: node scripts/build.mjs [--web-only | --server-only]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const webDir = join(root, 'web');

/** Newest modification time under `path` (a file or a folder, recursively); 0 when missing. */
function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const f of readdirSync(path)) if (f !== 'node_modules' && f !== 'dist') max = Math.max(max, newestMtime(join(path, f)));
  return max;
}

/** Builds web/dist when it is missing or older than its inputs; returns the dist folder. */
export function ensureWebBuilt() {
  const distDir = join(webDir, 'dist');
  const index = join(distDir, 'index.html');
  const inputs = [join(webDir, 'src'), join(webDir, 'index.html'), join(webDir, 'vite.config.ts'), join(webDir, 'package.json'), join(root, 'shared', 'src')];
  const stale = !existsSync(index) || Math.max(...inputs.map(newestMtime)) > statSync(index).mtimeMs;
  if (stale) execFileSync(process.execPath, [join(webDir, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], { cwd: webDir, stdio: 'inherit' });
  return distDir;
}

/**
 * Packages compiled into the bundle rather than loaded from node_modules at start: typebox and
 * drizzle-orm ship as thousands of small ES modules (2,380 and 445 resolutions at start-up), and
 * resolving them was half the start time (import 600 ms → 300 ms). The rest stay external: native
 * addons, packages that read their own files, and the ones only loaded on first use.
 */
const BUNDLED = new Set(['@diemcau/shared', 'typebox', 'drizzle-orm', '@fastify/type-provider-typebox']);

/**
 * Bundles the server (and shared/, from source) into `outdir` (server/dist); returns the entry file.
 * Another `outdir` must also sit two levels below the checkout (src/paths.ts finds the checkout so).
 * `entry` (default server/src/server.ts) is another entry point bundled the same way: the benches
 * bundle their server thread's imports so that they measure the code `pnpm start` runs.
 */
export async function buildServer(outdir = join(root, 'server', 'dist'), entry = join(root, 'server', 'src', 'server.ts')) {
  const { build } = await import('esbuild');
  const serverDir = join(root, 'server');
  const pkg = JSON.parse(readFileSync(join(serverDir, 'package.json'), 'utf8'));
  const external = Object.keys(pkg.dependencies).filter((d) => !BUNDLED.has(d)).flatMap((d) => [d, `${d}/*`]);
  rmSync(outdir, { recursive: true, force: true });
  await build({
    entryPoints: { server: entry },
    outdir,
    bundle: true,
    // Chunks keep the lazy imports lazy (a single file would hoist the exporters' libraries into start-up).
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    conditions: ['source'],
    external,
    sourcemap: 'linked',
    logLevel: 'warning',
    // Bundled CommonJS (drizzle's drivers are ESM, but a dependency may not be) needs require().
    banner: { js: "import { createRequire as __diemcauRequire } from 'node:module'; const require = __diemcauRequire(import.meta.url);" },
  });
  return join(outdir, 'server.js');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const only = process.argv[2];
  if (only !== '--server-only') ensureWebBuilt();
  if (only !== '--web-only') await buildServer();
}
