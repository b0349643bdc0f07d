#!/usr/bin/env node
// Builds the mediasoup 3.8.4 worker from the sources vendored in its npm tarball.
// mediasoup's own postinstall downloads things and fails on the offline
// government network, so pnpm skips it and this script runs instead.
//
// The binary is cached outside the clone, keyed by mediasoup version, so a fresh
// clone on the same machine (and CI right after a session) reuses it. The server
// finds it through MEDIASOUP_WORKER_BIN, defaulting to the same cache path
// (see server/src/config.ts and workerBinPath below).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'server', 'package.json'));

/** Cache location for a given mediasoup version; mirrored by server config defaults. */
export function workerBinPath(version) {
  const base = process.env.DIEMCAU_CACHE_DIR || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'diemcau');
  return join(base, `mediasoup-${version}`, 'mediasoup-worker');
}

function main() {
  let pkgJson;
  try {
    pkgJson = require.resolve('mediasoup/package.json');
  } catch {
    console.log('[mediasoup] not installed yet; skipping worker build');
    return;
  }
  const msDir = dirname(pkgJson);
  const { version } = JSON.parse(readFileSync(pkgJson, 'utf8'));
  const cached = workerBinPath(version);
  const built = join(msDir, 'worker', 'out', 'Release', 'mediasoup-worker');

  if (existsSync(cached)) {
    console.log(`[mediasoup] worker ${version} cached at ${cached}; skipping build`);
    return;
  }
  // A second install (another pnpm add, a parallel clone) waits for the first build instead of racing it.
  const lock = `${cached}.lock`;
  mkdirSync(dirname(cached), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (existsSync(cached)) return console.log(`[mediasoup] worker ${version} built by another install`);
      console.log('[mediasoup] another build is running; waiting…');
      execFileSync('sleep', ['10']);
    }
  }
  try {
    build(msDir, version, built, cached);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function build(msDir, version, built, cached) {
  if (!existsSync(built)) {
    // Python 3.10+ removed the collections.* ABC aliases the vendored gyp uses.
    const shim = join(msDir, 'worker', '.diemcau-build');
    mkdirSync(shim, { recursive: true });
    writeFileSync(
      join(shim, 'sitecustomize.py'),
      'import collections, collections.abc\n' +
        "for _n in ('MutableSet', 'Mapping', 'MutableMapping', 'Sequence', 'Iterable', 'Callable'):\n" +
        '    if not hasattr(collections, _n):\n' +
        '        setattr(collections, _n, getattr(collections.abc, _n))\n',
    );
    // glibc 2.34 made SIGSTKSZ non-constant, which the vendored libuv/abseil reject.
    const header = join(shim, 'sigstksz.h');
    writeFileSync(header, '#include <signal.h>\n#undef SIGSTKSZ\n#define SIGSTKSZ 16384\n');
    console.log(`[mediasoup] building worker ${version} (about 5 minutes, once per machine)…`);
    const started = Date.now();
    execFileSync('make', ['-C', join(msDir, 'worker')], {
      stdio: 'inherit',
      env: {
        ...process.env,
        PYTHON: 'python3',
        PYTHONPATH: [shim, process.env.PYTHONPATH].filter(Boolean).join(':'),
        CXXFLAGS: `-include ${header} ${process.env.CXXFLAGS ?? ''}`.trim(),
        MEDIASOUP_MAX_CORES: process.env.MEDIASOUP_MAX_CORES ?? '2',
      },
    });
    console.log(`[mediasoup] worker built in ${Math.round((Date.now() - started) / 1000)} s`);
  }
  // Copy then rename so a concurrent reader never sees a half-written binary.
  copyFileSync(built, `${cached}.tmp`);
  chmodSync(`${cached}.tmp`, 0o755);
  renameSync(`${cached}.tmp`, cached);
  console.log(`[mediasoup] worker cached at ${cached}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
