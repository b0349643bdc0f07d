/**
 * scripts/lib/services.mjs starts a real PostgreSQL from Debian packages (installing it when
 * missing, which may take a minute) as the non-root `postgres` user in a temporary cluster.
 */
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresService } from '../../../scripts/lib/services.mjs';

let pg: PostgresService;
const mine = () => readdirSync(tmpdir()).filter((n) => n.startsWith(`diemcau-svc-pg-${process.pid}-`));

beforeAll(async () => {
  pg = await startPostgres();
}, 300_000);
afterAll(() => pg?.stop());

describe('startPostgres', () => {
  it('serves the database over loopback TCP to the password user in its url', async () => {
    const url = new URL(pg.url);
    expect(url.hostname).toBe('127.0.0.1');
    expect(Number(url.port)).toBe(pg.port);
    expect(await pg.psql('select 1')).toBe('1');
    expect(await pg.psql('select current_user || \' \' || current_database()')).toBe(`${url.username} ${url.pathname.slice(1)}`);
  });

  it('stops the server and removes its temp dir, and a second stop is harmless', async () => {
    const dirs = mine();
    expect(dirs).toHaveLength(1);
    await pg.stop();
    await pg.stop();
    expect(existsSync(`${tmpdir()}/${dirs[0]}`)).toBe(false);
    await expect(pg.psql('select 1')).rejects.toThrow();
  });
});
