/**
 * Test harness: builds a real app on a temp data dir with the demo seed,
 * logs users in, and opens real socket.io-client connections.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io as ioClient, type Socket } from 'socket.io-client';
import { PROTOCOL_VERSION, type Ack, type ClientToServerEvents, type ServerToClientEvents } from '@diemcau/shared';
import { buildApp, type App, type AppDeps } from '../../server/src/app.ts';
import { loadConfig, type Config } from '../../server/src/config.ts';
import { DEMO_PASSWORDS } from '../../server/src/db/seed-data.ts';
import { createPgDatabase, dropPgDatabase, pgUrl } from './database.ts';

export interface TestApp {
  app: App;
  config: Config;
  dataDir: string;
  /** Base URL once `listen()` was called. */
  url: string;
  listen(): Promise<string>;
  /** Closes the app; `keepData` leaves the data dir for a restart test. */
  close(opts?: { keepData?: boolean }): Promise<void>;
}

export function testConfig(dataDir: string, overrides: Partial<Config> = {}): Config {
  return loadConfig({}, { dataDir, logLevel: 'silent', seedDemo: true, seedReportHistory: false, loginRateMax: 1000, loginIpRateMax: 10_000, maxSocketsPerUser: 50, webDistDir: join(dataDir, 'no-web'), ...overrides });
}

/**
 * The PostgreSQL database of a data dir when the run is on PostgreSQL (scripts/test-pg.mjs sets
 * DATABASE_URL): made on first use and named in a file of the dir, so reopening the dir (a restart
 * test) or a second node on it (scale-out tests) reaches the same database. Null on SQLite.
 */
export async function pgDatabaseOf(dataDir: string): Promise<string | null> {
  const server = pgUrl();
  if (!server) return null;
  const marker = join(dataDir, 'postgres-url');
  if (existsSync(marker)) return readFileSync(marker, 'utf8');
  const url = await createPgDatabase(server);
  writeFileSync(marker, url);
  return url;
}

/** Drops the data dir and, on PostgreSQL, its database. */
export async function removeDataDir(dataDir: string): Promise<void> {
  const marker = join(dataDir, 'postgres-url');
  const server = pgUrl();
  if (server && existsSync(marker)) await dropPgDatabase(server, readFileSync(marker, 'utf8'));
  rmSync(dataDir, { recursive: true, force: true });
}

/** A fresh app on a new temp dir (or `dataDir` to reopen one) with the demo data seeded. */
export async function buildTestApp(opts: { dataDir?: string; config?: Partial<Config>; deps?: AppDeps } = {}): Promise<TestApp> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'diemcau-test-'));
  const databaseUrl = await pgDatabaseOf(dataDir);
  const config = testConfig(dataDir, { ...(databaseUrl && { databaseUrl }), ...opts.config });
  const app = await buildApp(config, { logger: false, ...opts.deps });
  const t: TestApp = {
    app,
    config,
    dataDir,
    url: '',
    async listen() {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const addr = app.server.address();
      if (!addr || typeof addr === 'string') throw new Error('no address');
      t.url = `http://127.0.0.1:${addr.port}`;
      return t.url;
    },
    async close({ keepData = false } = {}) {
      await app.close();
      if (!keepData) await removeDataDir(dataDir);
    },
  };
  return t;
}

export const demoPassword = (username: string): string => {
  if (username === 'admin') return DEMO_PASSWORDS.admin;
  if (username === 'vanphong') return DEMO_PASSWORDS.secretariat;
  if (username === 'quansat') return DEMO_PASSWORDS.observer;
  if (username.startsWith('cau.')) return DEMO_PASSWORDS.bridge_operator;
  if (username.startsWith('daibieu')) return DEMO_PASSWORDS.delegate;
  throw new Error(`no demo password for ${username}`);
};

/** Logs in through the API and returns the bearer token. */
export async function login(app: App, username: string, password = demoPassword(username)): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
  if (res.statusCode !== 200) throw new Error(`login ${username} failed: ${res.statusCode} ${res.body}`);
  return res.json().token as string;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Opens a real Socket.IO connection and waits until it is connected (or rejects with the connect error). */
export function connect(url: string, token: string | undefined, opts: { protocol?: number; reconnection?: boolean } = {}): Promise<TestSocket> {
  const socket: TestSocket = ioClient(url, {
    auth: { protocol: opts.protocol ?? PROTOCOL_VERSION, ...(token && { token }) },
    transports: ['websocket'],
    reconnection: opts.reconnection ?? false,
    reconnectionDelay: 100,
    reconnectionDelayMax: 500,
    forceNew: true,
  });
  return new Promise((resolve, reject) => {
    // Only the first outcome counts: a later connect_error (a reconnect attempt while the
    // server restarts) must not close a socket that is meant to keep retrying.
    const onError = (err: Error) => {
      socket.off('connect', onConnect);
      socket.close();
      reject(err);
    };
    const onConnect = () => {
      socket.off('connect_error', onError);
      resolve(socket);
    };
    socket.once('connect', onConnect);
    socket.once('connect_error', onError);
  });
}

/**
 * Generous by default: an ack or a broadcast arrives as soon as it can, and only a real failure
 * waits the deadline out; 5 s was too short when the suite ran beside other work (load 15+).
 */
const LIVE_DEADLINE_MS = 30_000;

/** Emits any event (also ones outside the contract) and resolves with its ack. */
export function request<T = unknown>(socket: TestSocket, event: string, payload: unknown, timeoutMs = LIVE_DEADLINE_MS): Promise<Ack<T>> {
  return (socket as unknown as Socket).timeout(timeoutMs).emitWithAck(event, payload) as Promise<Ack<T>>;
}

/** Resolves with the next payload of a broadcast, or rejects after `timeoutMs`. */
export function nextEvent<T = unknown>(socket: TestSocket, event: string, timeoutMs = LIVE_DEADLINE_MS): Promise<T> {
  const s = socket as unknown as Socket;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      s.off(event, on);
      reject(new Error(`no ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    const on = (payload: T) => {
      clearTimeout(timer);
      resolve(payload);
    };
    s.once(event, on);
  });
}

/** Resolves false if `event` does not arrive within `ms` (used to prove non-members get nothing). */
export function noEvent(socket: TestSocket, event: string, ms = 400): Promise<boolean> {
  return nextEvent(socket, event, ms).then(
    () => false,
    () => true,
  );
}
