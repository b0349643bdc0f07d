/**
 * What a bench's server thread takes from the server: the entry point that scripts/lib/bench-bundle.ts
 * bundles the way `pnpm start`'s build does (scripts/build.mjs), so the benches measure that code.
 */
export { buildApp } from '../../server/src/app.ts';
export { loadConfig } from '../../server/src/config.ts';
export { rooms } from '../../server/src/plugins/realtime.ts';
export { seedBenchDelegates } from './bench-seed.ts';
