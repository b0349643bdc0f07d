#!/usr/bin/env node
/**
 * Production build, incremental so `pnpm start` stays quick on a second run:
 *   - shared/ and server/ compiled to dist/ by `tsc -b` (tsbuildinfo: unchanged sources cost ~1 s);
 *   - web/ built by Vite only when its inputs are newer than web/dist/index.html.
 * Usage: node scripts/build.mjs [--web-only | --server-only]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
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

/** Compiles shared/ and server/ to JavaScript (project references, incremental). */
export function buildServer() {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-b', join(root, 'server', 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const only = process.argv[2];
  if (only !== '--server-only') ensureWebBuilt();
  if (only !== '--web-only') buildServer();
}
