/**
 * Recognises database and storage failures by their error code (better-sqlite3 sets
 * `err.code` to SQLite's extended result code name; node-postgres sets it to the SQLSTATE;
 * Node sets `err.code` on fs errors). Never by message text: messages change between
 * versions and languages. drizzle may wrap a driver error (DrizzleQueryError), so the
 * `cause` chain is searched.
 */
export type ConstraintKind = 'UNIQUE' | 'PRIMARYKEY' | 'FOREIGNKEY' | 'CHECK' | 'NOTNULL' | 'TRIGGER';

/** The driver error: `err` itself or the first error in its `cause` chain that carries a code. */
function driverError(err: unknown): { code: string; constraint?: unknown } | undefined {
  for (let e = err, depth = 0; typeof e === 'object' && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (typeof (e as { code?: unknown }).code === 'string') return e as { code: string };
  }
  return undefined;
}

const codeOf = (err: unknown): string | undefined => driverError(err)?.code;

/** PostgreSQL SQLSTATE class 23 (integrity constraint violation). */
const PG_CONSTRAINT: Record<string, ConstraintKind | 'OTHER'> = {
  '23505': 'UNIQUE',
  '23503': 'FOREIGNKEY',
  '23514': 'CHECK',
  '23502': 'NOTNULL',
  '23P01': 'OTHER', // exclusion
  '23001': 'OTHER', // restrict
  '23000': 'OTHER',
};

/** The constraint a SQLite or PostgreSQL error violated, or null when it is not a constraint error. */
export function constraintKind(err: unknown): ConstraintKind | 'OTHER' | null {
  const e = driverError(err);
  const code = e?.code;
  const pgKind = code ? PG_CONSTRAINT[code] : undefined;
  if (pgKind) {
    // PostgreSQL reports a primary-key violation as a unique violation; the constraint's name tells them
    // apart (PostgreSQL names a primary key <table>_pkey, drizzle a composite one <table>_<cols>_pk).
    const name = typeof e?.constraint === 'string' ? e.constraint : '';
    return pgKind === 'UNIQUE' && /_pk(ey)?$/.test(name) ? 'PRIMARYKEY' : pgKind;
  }
  if (!code?.startsWith('SQLITE_CONSTRAINT')) return null;
  const kind = code.slice('SQLITE_CONSTRAINT_'.length);
  return (['UNIQUE', 'PRIMARYKEY', 'FOREIGNKEY', 'CHECK', 'NOTNULL', 'TRIGGER'] as const).find((k) => k === kind) ?? 'OTHER';
}

export const isConstraint = (err: unknown, kind: ConstraintKind): boolean => constraintKind(err) === kind;

/**
 * A full disk: ENOSPC/EDQUOT from fs writes, SQLITE_FULL from SQLite (also when the database hits
 * max_page_count), 53100 (disk_full) from PostgreSQL. SQLITE_IOERR_WRITE can mean the same on some file systems, but also a failing
 * disk, so it is not counted here.
 */
export function isStorageFull(err: unknown): boolean {
  const code = codeOf(err);
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL' || code === '53100';
}
