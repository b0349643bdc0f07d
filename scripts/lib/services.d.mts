/** Types for services.mjs (plain JS, imported by scripts and by vitest). */
export { ensureDebianPackages } from './ensure-debian.mjs';
export function freePort(): Promise<number>;
export interface RedisService {
  url: string;
  port: number;
  stop(): Promise<void>;
}
export interface PostgresService {
  /** postgres://user:password@127.0.0.1:port/db */
  url: string;
  port: number;
  /** Runs one SQL command through psql over TCP; resolves its unaligned, tuples-only output. */
  psql(sql: string): Promise<string>;
  stop(): Promise<void>;
}
export function startRedis(opts?: { port?: number }): Promise<RedisService>;
export function startPostgres(): Promise<PostgresService>;
