/**
 * Where the checkout is. This file sits one folder below server/ both as a source
 * (server/src/paths.ts) and once bundled (server/dist/*.js), so the same expression
 * holds for tsx, the tests and `pnpm start`; modules deeper in src/ must not compute
 * their own (their depth changes in the bundle).
 */
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '..', '..');
/** The checked-in SQL migrations (server/drizzle). */
export const migrationsDir = join(repoRoot, 'server', 'drizzle');
/** The PostgreSQL migrations, generated from the same tables (server/drizzle-pg). */
export const pgMigrationsDir = join(repoRoot, 'server', 'drizzle-pg');
