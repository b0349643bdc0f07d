/**
 * The only place that reads process.env. Everything else receives a Config.
 */
import { homedir, hostname } from 'node:os';
import { join, resolve } from 'node:path';
import Type, { type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { repoRoot } from './paths.ts';

const Port = Type.Integer({ minimum: 0, maximum: 65535 });

export const ConfigSchema = Type.Object({
  host: Type.String({ minLength: 1 }),
  port: Port,
  dataDir: Type.String({ minLength: 1 }),
  /** Base URL printed into QR links; what a phone on the government LAN can reach. */
  publicBaseUrl: Type.String({ pattern: '^https?://[^\\s/]+(/.*)?$' }),
  logLevel: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  /** HMAC key for QR links and other signed tokens. */
  secret: Type.String({ minLength: 32 }),
  sessionTtlHours: Type.Integer({ minimum: 1, maximum: 24 * 30 }),
  /** A QR code is valid from issue until the meeting's end plus this many hours. */
  qrGraceHours: Type.Integer({ minimum: 0, maximum: 24 * 365 }),
  cookieSecure: Type.Boolean(),
  seedDemo: Type.Boolean(),
  /** With the demo seed: also 12 months of held meetings, so the report page shows figures on first start. */
  seedReportHistory: Type.Boolean(),
  loginRateMax: Type.Integer({ minimum: 1 }),
  uploadMaxBytes: Type.Integer({ minimum: 1024 }),
  tls: Type.Union([Type.Null(), Type.Object({ certFile: Type.String(), keyFile: Type.String() })]),
  webDistDir: Type.String(),
  mediasoup: Type.Object({
    workerBin: Type.String(),
    numWorkers: Type.Integer({ minimum: 1, maximum: 64 }),
    rtcMinPort: Port,
    rtcMaxPort: Port,
    listenIp: Type.String({ minLength: 1 }),
    announcedIp: Type.Union([Type.String({ minLength: 1 }), Type.Null()]),
    consumerBudgetPerRouter: Type.Integer({ minimum: 1 }),
    workerCpuLimit: Type.Number({ exclusiveMinimum: 0, maximum: 100 }),
    loadSampleMs: Type.Integer({ minimum: 100 }),
  }),
  /**
   * Scale-out of the video conference (issue 12): with a secret, this node answers the
   * internal node-to-node media API (/internal/media, modules/media/media.internal.ts) and
   * pipes media to other nodes; null keeps the single-node behaviour and registers no such route.
   */
  cluster: Type.Object({
    secret: Type.Union([Type.String({ minLength: 32 }), Type.Null()]),
    /** This node's name in logs and in the ids of media piped in from it. */
    nodeId: Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' }),
    /** The internal base URL other nodes reach this one by; null: http://PIPE_LISTEN_IP:<listening port>. */
    nodeUrl: Type.Union([Type.String({ pattern: '^https?://[^\\s/]+$' }), Type.Null()]),
    /** Address the pipe transports to other nodes listen on, and the one announced to them. */
    pipeListenIp: Type.String({ minLength: 1 }),
    pipeAnnouncedIp: Type.Union([Type.String({ minLength: 1 }), Type.Null()]),
    /** Deadline of one request to another node. */
    requestTimeoutMs: Type.Integer({ minimum: 100, maximum: 120_000 }),
    /** How often a node we exchange media with is probed; three missed probes count it as gone. */
    heartbeatMs: Type.Integer({ minimum: 100, maximum: 600_000 }),
  }),
  /** Origins besides PUBLIC_BASE_URL's whose pages may send state-changing requests and open sockets. */
  allowedOrigins: Type.Array(Type.String({ pattern: '^https?://[^\\s/]+$' })),
  /** Login attempts per minute from one IP address, across usernames. */
  loginIpRateMax: Type.Integer({ minimum: 1 }),
  /** Live Socket.IO connections one user may hold at once. */
  maxSocketsPerUser: Type.Integer({ minimum: 1 }),
  /** Socket.IO commands per second one user may send across all their connections. */
  userCommandsPerSecond: Type.Integer({ minimum: 1 }),
  /** Unit costs of the savings report (VND) and average travel speed (km/h). */
  report: Type.Object({
    vndPerPage: Type.Number({ minimum: 0 }),
    vndPerKm: Type.Number({ minimum: 0 }),
    perDiemVnd: Type.Number({ minimum: 0 }),
    kmh: Type.Number({ exclusiveMinimum: 0 }),
  }),
  /** Reminders before a meeting's start, in minutes (REMINDER_OFFSETS=24h,1h), largest first. */
  reminderOffsetsMinutes: Type.Array(Type.Integer({ minimum: 1, maximum: 60 * 24 * 60 }), { maxItems: 10 }),
  /** How often due reminders are looked for (seconds). */
  reminderCheckSeconds: Type.Integer({ minimum: 1, maximum: 3600 }),
  /** The organisation's internal mail server (smtp://user:pass@host:port); null sends no e-mail. */
  smtpUrl: Type.Union([Type.String({ pattern: '^smtps?://' }), Type.Null()]),
  mailFrom: Type.String({ minLength: 3 }),
  /**
   * Redis shared by the nodes of a cluster (redis://host:port): Socket.IO's adapter, rate limits and
   * connection caps then hold across nodes. Null keeps everything in this process (one node).
   */
  redisUrl: Type.Union([Type.String({ pattern: '^rediss?://' }), Type.Null()]),
  /**
   * With Redis: lifetime of a node's lease on a live meeting (plugins/lease.ts). A dead owner's meetings,
   * their commands and timers, are taken over by another node within about this long.
   */
  leaseTtlMs: Type.Integer({ minimum: 500, maximum: 60_000 }),
  /**
   * PostgreSQL (postgres://user:password@host:port/db) instead of the embedded SQLite file. Null (the
   * quick start) keeps SQLite in dataDir. See the README's "Data layer" for what runs on it so far.
   */
  databaseUrl: Type.Union([Type.String({ pattern: '^postgres(ql)?://' }), Type.Null()]),
  /** Signing of final minutes: the organisation's PKCS#12, or null for one issued by the local CA in certDir (`pnpm certs`). */
  minutes: Type.Object({
    signP12: Type.Union([Type.String(), Type.Null()]),
    signPassword: Type.String(),
    certDir: Type.String(),
  }),
  /** Recording of the main stage (modules/recording): encoder, segment length, mixed mics, retention, disk guards. */
  recording: Type.Object({
    ffmpegBin: Type.String({ minLength: 1 }),
    ffprobeBin: Type.String({ minLength: 1 }),
    segmentSeconds: Type.Integer({ minimum: 1, maximum: 600 }),
    audioSlots: Type.Integer({ minimum: 1, maximum: 8 }),
    retentionDays: Type.Integer({ minimum: 1 }),
    minFreeMb: Type.Integer({ minimum: 0 }),
    stopFreeMb: Type.Integer({ minimum: 0 }),
  }),
});
export type Config = Static<typeof ConfigSchema>;

const validator = Compile(ConfigSchema);
const MEDIASOUP_VERSION = '3.8.4';

/** Mirrors scripts/build-mediasoup-worker.mjs so both agree where the worker lives. */
export function defaultWorkerBin(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.DIEMCAU_CACHE_DIR || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'diemcau');
  return join(base, `mediasoup-${MEDIASOUP_VERSION}`, 'mediasoup-worker');
}

// A fixed development secret keeps `pnpm start` one command; production refuses it.
const DEV_SECRET = 'diemcau-development-secret-change-me-in-production!';

const int = (v: string | undefined, d: number) => (v === undefined || v === '' ? d : Number(v));
/** "24h,1h,30m,2d" → minutes, largest first; a malformed entry becomes NaN and fails validation. */
export const parseOffsets = (v: string | undefined, d: string): number[] => {
  const unit: Record<string, number> = { m: 1, h: 60, d: 1440 };
  const parts = (v === undefined ? d : v).split(',').map((p) => p.trim()).filter(Boolean);
  const mins = parts.map((p) => /^(\d+)\s*([mhd])$/i.exec(p)).map((m) => (m ? Number(m[1]) * unit[m[2]!.toLowerCase()]! : Number.NaN));
  return [...new Set(mins)].sort((a, b) => b - a);
};
const bool = (v: string | undefined, d: boolean) => (v === undefined || v === '' ? d : /^(1|true|yes|on)$/i.test(v));

export class ConfigError extends Error {}

/** Reads and validates configuration; throws ConfigError with every problem listed. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const port = int(env.PORT, 3000);
  const cert = env.TLS_CERT_FILE;
  const key = env.TLS_KEY_FILE;
  const raw: Config = {
    host: env.HOST ?? '0.0.0.0',
    port,
    dataDir: resolve(env.DATA_DIR ?? join(repoRoot, 'data')),
    publicBaseUrl: (env.PUBLIC_BASE_URL ?? `http${cert ? 's' : ''}://localhost:${port}`).replace(/\/+$/, ''),
    logLevel: (env.LOG_LEVEL ?? 'info') as Config['logLevel'],
    secret: env.APP_SECRET ?? DEV_SECRET,
    sessionTtlHours: int(env.SESSION_TTL_HOURS, 12),
    qrGraceHours: int(env.QR_GRACE_HOURS, 24),
    cookieSecure: bool(env.COOKIE_SECURE, Boolean(cert)),
    seedDemo: bool(env.SEED_DEMO, true),
    seedReportHistory: bool(env.SEED_REPORT_HISTORY, true),
    loginRateMax: int(env.LOGIN_RATE_MAX, 10),
    uploadMaxBytes: int(env.UPLOAD_MAX_BYTES, 100 * 1024 * 1024),
    tls: cert && key ? { certFile: resolve(cert), keyFile: resolve(key) } : null,
    webDistDir: resolve(env.WEB_DIST_DIR ?? join(repoRoot, 'web', 'dist')),
    mediasoup: {
      workerBin: env.MEDIASOUP_WORKER_BIN ?? defaultWorkerBin(env),
      numWorkers: int(env.MEDIASOUP_NUM_WORKERS, 2),
      rtcMinPort: int(env.RTC_MIN_PORT, 40000),
      rtcMaxPort: int(env.RTC_MAX_PORT, 49999),
      listenIp: env.RTC_LISTEN_IP ?? '0.0.0.0',
      announcedIp: env.RTC_ANNOUNCED_IP || null,
      consumerBudgetPerRouter: int(env.CONSUMER_BUDGET_PER_ROUTER, 2000),
      workerCpuLimit: int(env.MEDIA_WORKER_CPU_LIMIT, 70),
      loadSampleMs: int(env.MEDIA_LOAD_SAMPLE_MS, 2000),
    },
    cluster: {
      secret: env.CLUSTER_SECRET || null,
      nodeId: env.NODE_ID || hostname().replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 64) || 'node',
      nodeUrl: env.NODE_URL ? env.NODE_URL.replace(/\/+$/, '') : null,
      pipeListenIp: env.PIPE_LISTEN_IP || '127.0.0.1',
      pipeAnnouncedIp: env.PIPE_ANNOUNCED_IP || null,
      requestTimeoutMs: int(env.CLUSTER_REQUEST_TIMEOUT_MS, 5000),
      heartbeatMs: int(env.CLUSTER_HEARTBEAT_MS, 2000),
    },
    allowedOrigins: (env.ALLOWED_ORIGINS ?? '').split(',').map((o) => o.trim().replace(/\/+$/, '')).filter(Boolean),
    loginIpRateMax: int(env.LOGIN_IP_RATE_MAX, 60),
    maxSocketsPerUser: int(env.MAX_SOCKETS_PER_USER, 5),
    userCommandsPerSecond: int(env.USER_COMMANDS_PER_SECOND, 40),
    report: {
      vndPerPage: int(env.REPORT_VND_PER_PAGE, 500),
      vndPerKm: int(env.REPORT_VND_PER_KM, 5000),
      perDiemVnd: int(env.REPORT_PER_DIEM_VND, 200000),
      kmh: int(env.REPORT_KMH, 40),
    },
    reminderOffsetsMinutes: parseOffsets(env.REMINDER_OFFSETS, '24h,1h'),
    reminderCheckSeconds: int(env.REMINDER_CHECK_SECONDS, 60),
    smtpUrl: env.SMTP_URL || null,
    redisUrl: env.REDIS_URL || null,
    leaseTtlMs: int(env.LEASE_TTL_MS, 5000),
    databaseUrl: env.DATABASE_URL || null,
    mailFrom: env.MAIL_FROM || 'Hệ thống họp không giấy <no-reply@diemcau.local>',
    minutes: {
      signP12: env.MINUTES_SIGN_P12 ? resolve(env.MINUTES_SIGN_P12) : null,
      signPassword: env.MINUTES_SIGN_P12_PASSWORD ?? '',
      // Empty means unset (as in .env.example); the default follows the final dataDir, set below.
      certDir: env.MINUTES_CERT_DIR ? resolve(env.MINUTES_CERT_DIR) : '',
    },
    recording: {
      ffmpegBin: env.FFMPEG_BIN ?? '/usr/bin/ffmpeg',
      ffprobeBin: env.FFPROBE_BIN ?? '/usr/bin/ffprobe',
      segmentSeconds: int(env.RECORDING_SEGMENT_SECONDS, 5),
      audioSlots: int(env.RECORDING_AUDIO_SLOTS, 3),
      retentionDays: int(env.RECORDING_RETENTION_DAYS, 1825),
      minFreeMb: int(env.RECORDING_MIN_FREE_MB, 2048),
      stopFreeMb: int(env.RECORDING_STOP_FREE_MB, 512),
    },
    ...overrides,
  };
  // The trial signing CA lives with the data it signs for, also when a caller (a test) moves dataDir.
  if (!raw.minutes.certDir) raw.minutes = { ...raw.minutes, certDir: join(raw.dataDir, 'certs') };
  const problems = [...validator.Errors(raw)].map((e) => `${e.instancePath || '/'} ${e.message}`);
  if (raw.mediasoup.rtcMinPort > raw.mediasoup.rtcMaxPort) problems.push('RTC_MIN_PORT must not exceed RTC_MAX_PORT');
  // Other nodes connect to the announced pipe address and call NODE_URL back: a wildcard address is neither.
  const wildcard = ['0.0.0.0', '::'].includes(raw.cluster.pipeListenIp);
  if (raw.cluster.secret && wildcard && !raw.cluster.pipeAnnouncedIp) problems.push('PIPE_ANNOUNCED_IP must be set when PIPE_LISTEN_IP is a wildcard address');
  if (raw.cluster.secret && wildcard && !raw.cluster.nodeUrl) problems.push('NODE_URL must be set when PIPE_LISTEN_IP is a wildcard address');
  if (env.NODE_ENV === 'production' && raw.secret === DEV_SECRET) problems.push('APP_SECRET must be set in production');
  if (problems.length) throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  return raw;
}
