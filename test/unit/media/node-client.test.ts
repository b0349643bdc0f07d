// Requests to another node fail as typed errors: a hung node is a timeout
// (504), a closed port is unreachable (502), and a typed error the other node
// answered keeps its code and status.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../server/src/lib/app-error.ts';
import { CLUSTER_SECRET_HEADER, NodeClient } from '../../../server/src/modules/media/node-client.ts';

let server: Server;
let url: string;
const seen: (string | undefined)[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.headers[CLUSTER_SECRET_HEADER] as string | undefined);
    if (req.url?.endsWith('/hang')) return; // never answers
    if (req.url?.endsWith('/typed')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'Link not found' } }));
      return;
    }
    if (req.url?.endsWith('/html')) {
      res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>Bad gateway</h1>');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const failure = async (p: Promise<unknown>) => {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
};

describe('NodeClient', () => {
  // Generous for answers that come (a busy machine), short only where the deadline is the point.
  const client = new NodeClient({ secret: 's'.repeat(32), timeoutMs: 15_000 });
  const impatient = new NodeClient({ secret: 's'.repeat(32), timeoutMs: 300 });

  it('sends the secret and returns the JSON answer', async () => {
    await expect(client.call(url, 'GET', '/ping')).resolves.toEqual({ ok: true });
    expect(seen.at(-1)).toBe('s'.repeat(32));
  });

  it('turns a node that does not answer in time into NODE_UNREACHABLE 504', async () => {
    const err = await failure(impatient.call(url, 'GET', '/hang'));
    expect([err.code, err.status]).toEqual(['NODE_UNREACHABLE', 504]);
  });

  it('turns a refused connection into NODE_UNREACHABLE 502', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const closedPort = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const err = await failure(client.call(`http://127.0.0.1:${closedPort}`, 'GET', '/ping'));
    expect([err.code, err.status]).toEqual(['NODE_UNREACHABLE', 502]);
  });

  it('keeps the code and status of a typed error, and judges a non-JSON error by its status', async () => {
    const typed = await failure(client.call(url, 'DELETE', '/typed'));
    expect([typed.code, typed.status]).toEqual(['NOT_FOUND', 404]);
    expect(typed.message).toMatch(/Link not found/);
    const html = await failure(client.call(url, 'POST', '/html', { x: 1 }));
    expect([html.code, html.status]).toEqual(['NODE_UNREACHABLE', 502]);
  });
});
