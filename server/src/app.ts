/**
 * App factory: builds a ready, not listening Fastify instance. server.ts
 * listens; tests call buildApp with their own config and database.
 */
import { readFileSync } from 'node:fs';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { registerAjvFormats, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { strictValidatorCompiler } from './lib/validator.ts';
import { redactingLogger } from './lib/log-redact.ts';
import type { Config } from './config.ts';
import type { Db } from './db/index.ts';
import auditPlugin from './plugins/audit.ts';
import authPlugin, { SESSION_COOKIE } from './plugins/auth.ts';
import dbPlugin from './plugins/db.ts';
import docsPlugin from './plugins/docs.ts';
import errorsPlugin from './plugins/errors.ts';
import hygienePlugin from './plugins/hygiene.ts';
import redisPlugin from './plugins/redis.ts';
import leasePlugin from './plugins/lease.ts';
import realtimePlugin, { type RealtimeOptions } from './plugins/realtime.ts';
import securityPlugin from './plugins/security.ts';
import webPlugin from './plugins/web.ts';
import mailerPlugin from './plugins/mailer.ts';
import remindersModule from './modules/reminders/reminders.routes.ts';
import agendaRoutes from './modules/agenda/agenda.routes.ts';
import authRoutes from './modules/auth/auth.routes.ts';
import authSocket from './modules/auth/auth.socket.ts';
import bridgePointsRoutes from './modules/bridge-points/bridge-points.routes.ts';
import meetingsRoutes from './modules/meetings/meetings.routes.ts';
import unitsRoutes from './modules/units/units.routes.ts';
import usersRoutes from './modules/users/users.routes.ts';
import votingRoutes from './modules/voting/voting.routes.ts';
import votingSocket from './modules/voting/voting.socket.ts';
import conferenceSocket, { type ConferenceSocketOptions } from './modules/conference/conference.socket.ts';
import mediaSocket from './modules/media/media.socket.ts';
import documentsModule from './modules/documents/documents.routes.ts';
import healthRoutes from './modules/health/health.routes.ts';
import auditRoutes from './modules/audit/audit.routes.ts';
import reportsRoutes from './modules/reports/reports.routes.ts';
import minutesRoutes from './modules/minutes/minutes.routes.ts';
import { lazySerializers } from './lib/lazy-serializer.ts';

/** How long close() lets open responses finish before it cuts their connections. */
const SHUTDOWN_GRACE_MS = 3000;
import recordingModule, { type RecordingPluginOptions } from './modules/recording/recording.routes.ts';

export interface AppDeps {
  /** An already-open database (tests); otherwise opened under config.dataDir. */
  db?: Db;
  /** Pino options or `false`; defaults to config.logLevel. */
  logger?: FastifyServerOptions['logger'];
  realtime?: RealtimeOptions;
  conference?: ConferenceSocketOptions;
  /** Clock for QR code validity and reminders (tests move time); defaults to the system clock. */
  now?: () => Date;
  /** Recording clock (retention) and disk probe; tests move time and fill the disk. */
  recording?: Omit<RecordingPluginOptions, 'config'>;
}

export type App = FastifyInstance;

export async function buildApp(config: Config, deps: AppDeps = {}): Promise<App> {
  const https = config.tls ? { cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) } : null;
  const app = Fastify({
    logger: redactingLogger(deps.logger, config.logLevel),
    ...(https ? { https } : {}),
    bodyLimit: 1024 * 1024,
    schemaController: lazySerializers,
  }).withTypeProvider<TypeBoxTypeProvider>();
  // TypeBox validates exactly the shared schemas: bodies are never coerced (a number where a string
  // belongs is a 400, not a silent "5"), unknown fields are rejected, and only params/querystring
  // strings are converted to their declared types.
  // close() waits for every open HTTP response, and one a client stopped reading (a paused
  // download, a stalled viewer) would hold a shutdown or a restart open for ever. After a grace,
  // cut what is left: a client retries a cut request, but nobody recovers a server that never stops.
  let drain: NodeJS.Timeout | undefined;
  app.addHook('preClose', async () => {
    drain = setTimeout(() => app.server.closeAllConnections(), SHUTDOWN_GRACE_MS);
    drain.unref();
  });
  app.addHook('onClose', async () => clearTimeout(drain));
  registerAjvFormats();
  app.setValidatorCompiler(strictValidatorCompiler);

  await app.register(errorsPlugin);
  await app.register(securityPlugin, { publicBaseUrl: config.publicBaseUrl, allowedOrigins: config.allowedOrigins, sessionCookie: SESSION_COOKIE });
  await app.register(redisPlugin, { url: config.redisUrl });
  await app.register(leasePlugin, { redis: app.redis, nodeId: config.cluster.nodeId, ttlMs: config.leaseTtlMs });
  await app.register(dbPlugin, { dataDir: config.dataDir, seedDemo: config.seedDemo, seedReportHistory: config.seedReportHistory, databaseUrl: config.databaseUrl, ...(deps.db && { db: deps.db }) });
  await app.register(authPlugin, { sessionTtlHours: config.sessionTtlHours });
  await app.register(auditPlugin);
  await app.register(docsPlugin);
  await app.register(realtimePlugin, { maxSocketsPerUser: config.maxSocketsPerUser, userCommandsPerSecond: config.userCommandsPerSecond, ...deps.realtime });
  await app.register(hygienePlugin);

  await app.register(
    async (api) => {
      await api.register(authRoutes, { cookieSecure: config.cookieSecure, loginRateMax: config.loginRateMax, loginIpRateMax: config.loginIpRateMax });
      await api.register(unitsRoutes);
      await api.register(bridgePointsRoutes);
      await api.register(usersRoutes);
      await api.register(meetingsRoutes);
      await api.register(agendaRoutes);
      // feature routes: (one line each)
      await api.register(votingRoutes);
      await api.register(healthRoutes);
      await api.register(auditRoutes);
      await api.register(reportsRoutes, { config });
    },
    { prefix: '/api' },
  );
  // feature sockets and other plugins: (one line each)
  await app.register(conferenceSocket, deps.conference ?? {});
  await app.register(mediaSocket, { ...config.mediasoup, cluster: config.cluster });
  await app.register(votingSocket, { secret: config.secret });
  await app.register(authSocket);
  await app.register(mailerPlugin, { smtpUrl: config.smtpUrl, from: config.mailFrom });
  await app.register(remindersModule, { config, ...(deps.now && { now: deps.now }) });
  await app.register(documentsModule, { config, ...(deps.now && { now: deps.now }) });
  // After the conference socket: the minutes read the room through app.conference.
  await app.register(minutesRoutes, { prefix: '/api', config });
  await app.register(recordingModule, { config, ...deps.recording });

  await app.register(webPlugin, { distDir: config.webDistDir });
  await app.ready();
  return app as unknown as App;
}
