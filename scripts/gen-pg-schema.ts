/**
 * Writes server/src/db/pg-schema/*.generated.ts and their index pg-schema.generated.ts from the SQLite
 * tables (scripts/lib/pg-schema-gen.ts). Run through `pnpm db:generate`, which then lets drizzle-kit
 * write both dialects' migrations.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderPgSchemaFiles } from './lib/pg-schema-gen.ts';

for (const [path, text] of renderPgSchemaFiles()) {
  const out = fileURLToPath(new URL(`../server/src/db/${path}`, import.meta.url));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, text);
  console.log(`wrote ${out}`);
}
