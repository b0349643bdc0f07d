import { defineConfig } from 'drizzle-kit';

// The PostgreSQL tables are generated from the SQLite ones (scripts/gen-pg-schema.ts); `pnpm db:generate` runs both.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/pg-schema.generated.ts',
  out: './drizzle-pg',
});
