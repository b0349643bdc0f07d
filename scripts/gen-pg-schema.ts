/**
 * Writes server/src/db/pg-schema.generated.ts from the SQLite tables (scripts/lib/pg-schema-gen.ts).
 * Run through `pnpm db:generate`, which then lets drizzle-kit write both dialects' migrations.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderPgSchema } from './lib/pg-schema-gen.ts';

const out = fileURLToPath(new URL('../server/src/db/pg-schema.generated.ts', import.meta.url));
writeFileSync(out, renderPgSchema());
console.log(`wrote ${out}`);
