/**
 * Process entry: load config, build the app, listen, shut down gracefully.
 */
import { ConfigError, loadConfig } from './config.ts';
import { DataDirError, ensureDataDir } from './lib/data-dir.ts';
import { buildApp } from './app.ts';
import { DEMO_ACCOUNTS } from './db/seed.ts';
import { DEMO_PASSWORDS } from './db/seed-data.ts';

let config;
try {
  config = loadConfig();
  ensureDataDir(config.dataDir);
} catch (err) {
  if (err instanceof ConfigError || err instanceof DataDirError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}

const app = await buildApp(config);
// A promise some library leaves unhandled must not take every meeting on this node down with it.
// Seen: @socket.io/redis-streams-adapter 0.3.1 publishes its ephemeral messages (serverSideEmit,
// fetchSockets) without handling the result, and node-redis rejects a command queued longer than its
// 5 s timeout (an event loop held by a 2,000-socket reconnect), which Node turns into a crash.
// Nothing of ours is left half-done by such a rejection: log it loudly and carry on.
process.on('unhandledRejection', (err) => app.log.error({ err }, 'unhandled promise rejection (a library bug); the server keeps running'));
await app.listen({ host: config.host, port: config.port });

if (config.seedDemo) {
  const scheme = config.tls ? 'https' : 'http';
  const lines = DEMO_ACCOUNTS.map((a) => `  ${a.role.padEnd(16)} ${a.username.padEnd(12)} ${DEMO_PASSWORDS[a.role]}`);
  // Printed plainly (not as JSON) so the person who ran the quick start can read it.
  console.log(
    `\ndiemcau is running at ${scheme}://localhost:${config.port}  (API docs: /docs)\n` +
      `Demo accounts (vai trò / tài khoản / mật khẩu):\n${lines.join('\n')}\n` +
      `  Every bridge point has an operator account cau.<unit code>, e.g. cau.99101.\n`,
  );
}

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    app.close().then(
      () => process.exit(0),
      (err) => {
        app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
