/** Loopback helpers shared by the benches that launch the server as a child process, and by their tests. */
import { request } from 'node:http';

// One implementation for the TypeScript benches and the plain-JS service scripts (`pnpm cluster`).
export { freePort } from './services.mjs';

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
