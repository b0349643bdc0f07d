/** Loopback helpers shared by the benches that launch the server as a child process, and by their tests. */
import { createServer } from 'node:net';
import { request } from 'node:http';

/** A TCP port free on 127.0.0.1 right now (the OS picks it; the caller binds it next). */
export const freePort = () =>
  new Promise<number>((r, j) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => r(p));
    });
    s.on('error', j);
  });

/** The HTTP status of a GET, or 0 when nothing answered within 2 s (a server still starting). */
export const httpStatus = (url: string) =>
  new Promise<number>((r) => {
    const req = request(url, { timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => r(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => r(0));
    req.end();
  });
