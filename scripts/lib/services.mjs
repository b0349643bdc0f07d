// Starts throw-away Redis and PostgreSQL servers from Debian packages on free loopback ports, for
// the cluster script (scripts/cluster.mjs) and the scale-out tests. Plain JS so both a script and
// vitest import it. Each server lives in a temp dir named after this process's pid, so leftovers of
// a process that died without stopping them are found and cleaned by the next start.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { ensureDebianPackages } from './ensure-debian.mjs';

export { ensureDebianPackages };

const run = promisify(execFile);
const PREFIX = 'diemcau-svc-';
/** Generous: a first start on a busy two-core machine (initdb, a cold disk cache) takes seconds. */
const READY_MS = 60_000;

/** Stoppers of what this process started, run synchronously on exit (exit handlers cannot wait). */
const onExit = new Set();
let hooked = false;
function stopOnExit(fn) {
  if (!hooked) {
    hooked = true;
    process.once('exit', () => {
      for (const f of onExit) {
        try {
          f();
        } catch {
          // Best effort: the process is going away, and the next start cleans what remains.
        }
      }
    });
  }
  onExit.add(fn);
  return () => onExit.delete(fn);
}

/** A port nobody listens on right now (the OS picks it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Polls `check` until it resolves truthy; throws after `ms`. */
async function until(check, what, ms = READY_MS) {
  const end = Date.now() + ms;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > end) throw new Error(`[services] timed out after ${ms} ms waiting for ${what}`);
    await sleep(100);
  }
}

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
};
const pidIn = (file) => {
  try {
    const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
};

/**
 * Temp dirs of `kind` whose owning process is gone: kills the server still running from one
 * (its pid file says which) and removes the dir, so ports and disk do not leak across crashed runs.
 */
function cleanStale(kind, pidFileIn) {
  for (const name of readdirSync(tmpdir())) {
    const m = new RegExp(`^${PREFIX}${kind}-(\\d+)-`).exec(name);
    if (!m || alive(Number(m[1]))) continue;
    const dir = join(tmpdir(), name);
    const server = pidIn(pidFileIn(dir));
    if (server && alive(server)) {
      try {
        process.kill(server, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Answers true once redis replies +PONG on the port. */
const redisPing = (port) =>
  new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let got = '';
    const done = (ok) => (s.destroy(), resolve(ok));
    s.setTimeout(2000, () => done(false));
    s.on('error', () => done(false));
    s.on('connect', () => s.write('PING\r\n'));
    s.on('data', (d) => {
      got += d;
      if (got.includes('\r\n')) done(got.startsWith('+PONG'));
    });
  });

/** A redis-server on a free loopback port, without persistence, in a temp dir. */
export async function startRedis({ port } = {}) {
  if (!ensureDebianPackages({ 'redis-server': '/usr/bin/redis-server' }, 'services')) throw new Error('[services] redis-server is not installed');
  cleanStale('redis', (dir) => join(dir, 'redis.pid'));
  const dir = mkdtempSync(join(tmpdir(), `${PREFIX}redis-${process.pid}-`));
  const p = port ?? (await freePort());
  // --save '' and --appendonly no: nothing is written to disk; the data dies with the server, as tests want.
  const child = spawn('/usr/bin/redis-server', ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--pidfile', join(dir, 'redis.pid'), '--logfile', join(dir, 'redis.log')], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  // The server must not keep this process alive: the exit hook stops it when the process ends.
  child.unref();
  let stopped = false;
  const stopNow = () => {
    if (stopped) return false;
    stopped = true;
    unhook();
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    return true;
  };
  const unhook = stopOnExit(stopNow);
  try {
    await until(() => redisPing(p), `redis-server on port ${p} (log: ${join(dir, 'redis.log')})`);
  } catch (err) {
    stopNow();
    throw err;
  }
  return {
    url: `redis://127.0.0.1:${p}`,
    port: p,
    async stop() {
      // Referenced again, so this process waits for the server's exit rather than ending under the await.
      child.ref();
      if (stopNow()) await exited;
    },
  };
}

/** The newest Debian PostgreSQL's bin dir (/usr/lib/postgresql/<major>/bin). */
function pgBinDir() {
  const base = '/usr/lib/postgresql';
  const majors = existsSync(base) ? readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'initdb'))) : [];
  const newest = majors.sort((a, b) => Number(b) - Number(a))[0];
  return newest ? join(base, newest, 'bin') : null;
}

/**
 * A PostgreSQL server in a temp cluster on a free loopback port, with a database and a password
 * user; `url` is postgres://user:password@127.0.0.1:port/db. The server refuses to run as root, so
 * as root it runs as the Debian `postgres` user, which then owns the temp dir.
 */
export async function startPostgres() {
  if (!pgBinDir() && !ensureDebianPackages({ postgresql: '/usr/share/doc/postgresql/copyright' }, 'services')) throw new Error('[services] postgresql is not installed');
  const bin = pgBinDir();
  if (!bin) throw new Error('[services] no initdb under /usr/lib/postgresql/*/bin');
  cleanStale('pg', (dir) => join(dir, 'data', 'postmaster.pid'));
  const dir = mkdtempSync(join(tmpdir(), `${PREFIX}pg-${process.pid}-`));
  const data = join(dir, 'data');
  const sockets = join(dir, 'sock');
  mkdirSync(sockets);
  const password = randomBytes(18).toString('base64url');
  writeFileSync(join(dir, 'pw'), password);
  chmodSync(join(dir, 'pw'), 0o600);
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (root) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    for (const p of [dir, sockets, join(dir, 'pw')]) chownSync(p, uid, gid);
  }
  const as = (cmd, args) => (root ? run('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]) : run(join(bin, cmd), args));
  const port = await freePort();
  const user = 'diemcau';
  const db = 'diemcau';
  let started = false;
  let stopped = false;
  const stopSync = () => {
    if (stopped) return false;
    stopped = true;
    unhook();
    if (started) {
      try {
        // Immediate: an exit hook cannot wait for a clean checkpoint, and the cluster is thrown away anyway.
        execFileSync(...(root ? ['runuser', ['-u', 'postgres', '--', join(bin, 'pg_ctl'), '-D', data, 'stop', '-m', 'immediate', '-w']] : [join(bin, 'pg_ctl'), ['-D', data, 'stop', '-m', 'immediate', '-w']]), { stdio: 'ignore' });
      } catch {
        // Already down.
      }
    }
    rmSync(dir, { recursive: true, force: true });
    return true;
  };
  const unhook = stopOnExit(stopSync);
  try {
    // Local (unix socket) connections are trusted for the set-up below; TCP needs the password.
    await as('initdb', ['-D', data, '-U', user, `--pwfile=${join(dir, 'pw')}`, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C', '--no-sync']);
    started = true;
    const opts = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${sockets} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    await as('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-o', opts, '-w', '-t', String(READY_MS / 1000), 'start']);
    await until(async () => (await as('pg_isready', ['-h', '127.0.0.1', '-p', String(port)]), true), `postgres on port ${port} (log: ${join(dir, 'server.log')})`);
    await as('createdb', ['-h', sockets, '-p', String(port), '-U', user, db]);
  } catch (err) {
    stopSync();
    throw err;
  }
  return {
    url: `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${db}`,
    port,
    /** Runs psql against the database (as the server's OS user, over TCP with the password). */
    async psql(sql) {
      const { stdout } = await run(join(bin, 'psql'), ['-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', sql, `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${db}`]);
      return stdout.trim();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      unhook();
      try {
        await as('pg_ctl', ['-D', data, 'stop', '-m', 'fast', '-w', '-t', String(READY_MS / 1000)]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
