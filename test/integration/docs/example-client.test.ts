/**
 * The example client in scripts/ runs as its own process against a test
 * server and plays join, roll-call, floor request and a vote using only the
 * documented protocol; the test checks its output and the server's state.
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';

const root = resolve(import.meta.dirname, '..', '..', '..');
let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
  await t.listen();
});
afterAll(async () => {
  await t?.close();
});

const run = (args: string[]) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'example-client.ts'), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`example client did not finish: ${stdout} ${stderr}`));
    }, 90_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });

describe('scripts/example-client.ts', () => {
  it('logs in, joins, answers the roll-call, requests the floor and votes', async () => {
    const { code, stdout, stderr } = await run(['--url', t.url]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('logged in: secretariat, bridge operator, delegate');
    expect(lines[1]).toMatch(/^joined meeting \d+: \S/);
    expect(stdout).toMatch(/^roll-call \d+ answered: 1\/\d+ bridges confirmed$/m);
    expect(stdout).toMatch(/^floor requested: request \d+ "Ý kiến về dự thảo Nghị quyết"$/m);
    expect(stdout).toMatch(/^vote cast in poll \d+: yes$/m);
    expect(stdout).toMatch(/^poll closed: 1 vote\(s\), outcome \w+$/m);
    expect(lines.at(-1)).toBe('done');

    // What the client did is on the server: the bridge's confirmation, the queued request, the counted ballot.
    const db = t.app.db.$client;
    const pollId = Number(/vote cast in poll (\d+)/.exec(stdout)![1]);
    expect((db.prepare('SELECT COUNT(*) AS n FROM poll_voters WHERE poll_id = ? AND voted = 1').get(pollId) as { n: number }).n).toBe(1);
  });
});
