/** Types for scripts/build.mjs (plain JS so `pnpm start` needs no TypeScript loader to build). */
export function ensureWebBuilt(): string;
export function buildServer(): void;
