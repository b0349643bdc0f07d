/** Types for ensure-debian.mjs (plain JS: it runs before any TypeScript loader is installed). */
export function ensureDebianPackages(needed: Record<string, string>, tag?: string): boolean;
