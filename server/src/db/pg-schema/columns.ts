/** Column types the generated PostgreSQL tables (pg-schema/*.generated.ts) use beyond pg-core's own. */
import { customType } from 'drizzle-orm/pg-core';

/** JSON kept as text, so it reads back byte for byte as SQLite's text mode json does. */
export const jsonText = customType<{ data: unknown; driverData: string }>({
  dataType: () => 'text',
  toDriver: (v) => JSON.stringify(v),
  fromDriver: (v) => JSON.parse(v),
});

export const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });
