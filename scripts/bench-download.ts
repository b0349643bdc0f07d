/**
 * Download benchmark: 200 concurrent downloads of a 20 MB document on loopback.
 *
 *   pnpm bench:download        (BENCH_CLIENTS=50 BENCH_MB=5 for a quicker run)
 *
 * Two servers run, one after the other, each in its own worker thread (own
 * event loop) while the clients run on the main thread:
 *   - baseline: nginx from Debian (installed with apt-get when missing; its own
 *     process, one worker), else a bare node:http server piping
 *     fs.createReadStream of the same file;
 *   - diemcau: the real app on a temp data dir, the file uploaded through the
 *     API and fetched through a delegate's QR link (token check, access rules,
 *     Range/ETag planning, streaming, and a receipt row + live push per download).
 * It prints throughput for both and the ratio, only if every download of both
 * legs succeeded (scripts/lib/bench-ratio.ts). Bounded: fixed request count, a
 * per-request and a global time limit; temp dirs are removed at the end.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { percentile, printRatio, type Leg } from './lib/bench-ratio.ts';
import { ensureDebianPackages } from './lib/ensure-debian.mjs';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 200);
const MB = Number(process.env.BENCH_MB ?? 20);
const HARD_LIMIT_MS = 5 * 60_000;

type Role = 'baseline' | 'diemcau';
type FromServer = { type: 'ready'; url: string; label: string; size: number } | { type: 'error'; message: string } | { type: 'stopped' };

if (isMainThread) await main();
else await serve(workerData as { role: Role; dir: string; file: string });

// ---------------------------------------------------------------- servers
async function serve({ role, dir, file }: { role: Role; dir: string; file: string }) {
  const port = parentPort!;
  const { createReadStream, statSync, readFileSync } = await import('node:fs');
  const size = statSync(file).size;
  let close: () => Promise<void>;
  try {
    if (role === 'baseline') {
      const http = await import('node:http');
      const server = http.createServer((req, res) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(size) });
        createReadStream(file).pipe(res);
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const addr = server.address() as { port: number };
      close = () => new Promise((r) => server.close(() => r()));
      port.postMessage({ type: 'ready', url: `http://127.0.0.1:${addr.port}/file`, label: 'node:http + fs.createReadStream', size } satisfies FromServer);
    } else {
      const { join } = await import('node:path');
      const { buildApp } = await import('../server/src/app.ts');
      const { loadConfig } = await import('../server/src/config.ts');
      const { DEMO_PASSWORDS } = await import('../server/src/db/seed-data.ts');
      const config = loadConfig({}, { dataDir: join(dir, 'data'), logLevel: 'warn', seedDemo: true, webDistDir: join(dir, 'no-web'), uploadMaxBytes: size + 1024 * 1024, loginRateMax: 1000 });
      const app = await buildApp(config, { logger: false });
      await app.listen({ host: '127.0.0.1', port: 0 });
      const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
      const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'vanphong', password: DEMO_PASSWORDS.secretariat }) });
      const auth = { authorization: `Bearer ${((await login.json()) as { token: string }).token}` };
      const meetingId = (app.db.$client.prepare('SELECT id FROM meetings ORDER BY id LIMIT 1').get() as { id: number }).id;
      const form = new FormData();
      form.append('title', 'Tài liệu benchmark');
      form.append('file', new Blob([readFileSync(file)]), 'bench.docx');
      const up = await fetch(`${base}/api/meetings/${meetingId}/documents`, { method: 'POST', headers: auth, body: form });
      if (up.status !== 201) throw new Error(`upload failed: ${up.status} ${await up.text()}`);
      const doc = (await up.json()) as { id: number };
      await fetch(`${base}/api/meetings/${meetingId}/documents/${doc.id}/publish`, { method: 'POST', headers: auth });
      const tokens = (await (await fetch(`${base}/api/meetings/${meetingId}/qr/delegates`, { method: 'POST', headers: auth })).json()) as { url: string }[];
      const path = new URL(tokens[0]!.url).pathname;
      close = () => app.close();
      port.postMessage({ type: 'ready', url: `${base}${path}/files/${doc.id}`, label: 'diemcau /q/:token/files/:id', size } satisfies FromServer);
    }
  } catch (err) {
    port.postMessage({ type: 'error', message: (err as Error).stack ?? String(err) } satisfies FromServer);
    return;
  }
  port.on('message', async (m: { type: string }) => {
    if (m.type !== 'stop') return;
    await close();
    port.postMessage({ type: 'stopped' } satisfies FromServer);
  });
}

// ---------------------------------------------------------------- clients
interface RunResult {
  label: string;
  seconds: number;
  bytes: number;
  failures: number;
  firstError: string | undefined;
  latencies: number[];
}

/** `dir` and every folder above it. */
function ancestors(dir: string): string[] {
  const out = [dir];
  for (let d = dirname(dir); d !== out.at(-1); d = dirname(d)) out.push(d);
  return out;
}

/** Debian's nginx serving the same file from a private config on a free loopback port. */
async function runNginx(dir: string, file: string, deadline: number): Promise<RunResult> {
  const { spawn } = await import('node:child_process');
  const { chmodSync, existsSync, readFileSync, writeFileSync, mkdirSync, statSync } = await import('node:fs');
  const { createConnection } = await import('node:net');
  const { basename, join } = await import('node:path');
  const { freePort } = await import('./lib/net.ts');
  const port = await freePort();
  mkdirSync(join(dir, 'nginx', 'logs'), { recursive: true });
  // mkdtemp makes the folder 0700, and nginx's workers run as "nobody" when started as
  // root: they answered 403 to every download. Let them read the file (nothing secret).
  chmodSync(dir, 0o755);
  chmodSync(file, 0o644);
  // They must also pass through every folder above it (TMPDIR may sit in a private home);
  // when one is closed to them and we are root, the workers run as root instead.
  const closed = ancestors(dir).some((d) => (statSync(d).mode & 0o001) === 0);
  const user = closed && process.getuid?.() === 0 ? 'user root; ' : '';
  const conf = join(dir, 'nginx', 'nginx.conf');
  writeFileSync(
    conf,
    `${user}worker_processes 1; pid ${join(dir, 'nginx', 'nginx.pid')}; error_log ${join(dir, 'nginx', 'logs', 'error.log')};
events { worker_connections 1024; }
http { access_log off; sendfile on; client_body_temp_path ${join(dir, 'nginx')}; proxy_temp_path ${join(dir, 'nginx')};
  fastcgi_temp_path ${join(dir, 'nginx')}; uwsgi_temp_path ${join(dir, 'nginx')}; scgi_temp_path ${join(dir, 'nginx')};
  server { listen 127.0.0.1:${port}; root ${dir}; } }`,
  );
  const child = spawn('nginx', ['-p', join(dir, 'nginx'), '-c', conf, '-g', 'daemon off;'], { stdio: 'ignore' });
  // Ready when it accepts connections (bounded: 20 s).
  for (let i = 0; i < 400; i++) {
    const up = await new Promise<boolean>((r) => {
      const c = createConnection(port, '127.0.0.1', () => (c.end(), r(true))).on('error', () => r(false));
    });
    if (up) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  try {
    const r = await clients({ url: `http://127.0.0.1:${port}/${basename(file)}`, label: 'nginx (Debian, 1 worker)', size: statSync(file).size }, deadline);
    if (r.failures) {
      // Say why (403s from permissions show up here), not just that it failed.
      const log = join(dir, 'nginx', 'logs', 'error.log');
      const tail = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').slice(-3).join('\n  ') : '(no error log)';
      console.error(`  nginx error log:\n  ${tail}`);
    }
    return r;
  } finally {
    child.kill('SIGTERM');
  }
}

async function run(role: Role, dir: string, file: string, deadline: number): Promise<RunResult> {
  // tsx's hooks do not carry over to workers by themselves: register them first.
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`;
  const worker = new Worker(boot, { eval: true, workerData: { role, dir, file } });
  const ready = await new Promise<Extract<FromServer, { type: 'ready' }>>((resolve, reject) => {
    worker.once('message', (m: FromServer) => (m.type === 'ready' ? resolve(m) : reject(new Error(m.type === 'error' ? m.message : 'unexpected'))));
    worker.once('error', reject);
  });
  try {
    return await clients(ready, deadline);
  } finally {
    worker.postMessage({ type: 'stop' });
    await new Promise<void>((r) => {
      const timer = setTimeout(r, 10_000);
      worker.on('message', (m: FromServer) => m.type === 'stopped' && (clearTimeout(timer), r()));
    });
    await worker.terminate();
  }
}

/** CLIENTS simultaneous GETs of the whole file; counts bytes, checks the size. */
async function clients(ready: { url: string; label: string; size: number }, deadline: number): Promise<RunResult> {
  const http = await import('node:http');
  const agent = new http.Agent({ keepAlive: false, maxSockets: CLIENTS });
  const one = () =>
    new Promise<{ bytes: number; ms: number }>((resolve, reject) => {
      const t0 = performance.now();
      const req = http.get(ready.url, { agent, timeout: Math.max(1000, deadline - Date.now()) }, (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () => (res.statusCode === 200 && bytes === ready.size ? resolve({ bytes, ms: performance.now() - t0 }) : reject(new Error(`status ${res.statusCode}, ${bytes} bytes`))));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
    });
  const t0 = performance.now();
  const results = await Promise.allSettled(Array.from({ length: CLIENTS }, one));
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  const ok = results.filter((r): r is PromiseFulfilledResult<{ bytes: number; ms: number }> => r.status === 'fulfilled').map((r) => r.value);
  const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
  if (failed.length) console.error(`  ${failed.length} failed, first: ${(failed[0]!.reason as Error).message}`);
  return {
    label: ready.label,
    seconds,
    bytes: ok.reduce((s, r) => s + r.bytes, 0),
    failures: failed.length,
    firstError: failed[0] ? (failed[0].reason as Error).message : undefined,
    latencies: ok.map((r) => r.ms),
  };
}

function report(r: RunResult): number {
  const mbps = r.bytes / 1024 / 1024 / r.seconds;
  console.log(
    `${r.label.padEnd(34)} ${String(CLIENTS - r.failures).padStart(4)}/${CLIENTS} ok  ${r.seconds.toFixed(2).padStart(6)} s  ${mbps.toFixed(0).padStart(6)} MiB/s  ` +
      `latency p50 ${(percentile(r.latencies, 50) / 1000).toFixed(2)} s  p99 ${(percentile(r.latencies, 99) / 1000).toFixed(2)} s`,
  );
  return mbps;
}

async function main() {
  const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { execFileSync } = await import('node:child_process');
  const { zipSync, strToU8 } = await import('fflate');
  const { randomBytes } = await import('node:crypto');
  const dir = mkdtempSync(join(tmpdir(), 'diemcau-bench-dl-'));
  const hard = setTimeout(() => {
    console.error('bench-download: hard time limit reached, stopping');
    rmSync(dir, { recursive: true, force: true });
    process.exit(2);
  }, HARD_LIMIT_MS);
  hard.unref();
  try {
    // A real DOCX (so the upload passes content sniffing) padded with an
    // incompressible stored part to MB mebibytes.
    const file = join(dir, 'bench.docx');
    const types = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>';
    writeFileSync(
      file,
      zipSync(
        { '[Content_Types].xml': strToU8(types), 'word/document.xml': strToU8('<w:document/>'), 'word/media/blob.bin': [randomBytes(MB * 1024 * 1024), { level: 0 }] },
        { level: 0 },
      ),
    );
    let nginx = ensureDebianPackages({ nginx: '/usr/sbin/nginx' }, 'bench-download');
    try {
      execFileSync('nginx', ['-v'], { stdio: 'ignore' });
    } catch {
      nginx = false; // could not be installed: the node:http baseline is used
    }
    console.log(`bench-download: ${CLIENTS} concurrent downloads of a ${MB} MiB file, loopback, 1 client thread + 1 server thread`);
    const deadline = Date.now() + HARD_LIMIT_MS - 30_000;
    const base = nginx ? await runNginx(dir, file, deadline) : await run('baseline', dir, file, deadline);
    const app = await run('diemcau', dir, file, deadline);
    const b = report(base);
    const a = report(app);
    const leg = (r: RunResult): Leg => ({ label: r.label, attempted: CLIENTS, succeeded: CLIENTS - r.failures, firstError: r.firstError });
    printRatio('bench-download', 'ratio diemcau / baseline throughput', { baseline: leg(base), subject: leg(app) }, a / b);
  } finally {
    clearTimeout(hard);
    rmSync(dir, { recursive: true, force: true });
  }
}
