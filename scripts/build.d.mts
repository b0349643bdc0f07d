/** Types for scripts/build.mjs (plain JS so `pnpm start` needs no TypeScript loader to build). */
export function ensureWebBuilt(): string;
/** Bundles the server (or `entry`, default server/src/server.ts) into `outdir` (default server/dist, two levels below the checkout); resolves to the entry file. */
export function buildServer(outdir?: string, entry?: string): Promise<string>;
