/**
 * Recognises database and storage failures by their error code (better-sqlite3 sets
 * `err.code` to SQLite's extended result code name; Node sets `err.code` on fs errors).
 * Never by message text: messages change between versions and languages.
 */
export type ConstraintKind = 'UNIQUE' | 'PRIMARYKEY' | 'FOREIGNKEY' | 'CHECK' | 'NOTNULL' | 'TRIGGER';

const codeOf = (err: unknown): string | undefined =>
  typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : undefined;

/** The constraint a SQLite error violated, or null when it is not a constraint error. */
export function constraintKind(err: unknown): ConstraintKind | 'OTHER' | null {
  const code = codeOf(err);
  if (!code?.startsWith('SQLITE_CONSTRAINT')) return null;
  const kind = code.slice('SQLITE_CONSTRAINT_'.length);
  return (['UNIQUE', 'PRIMARYKEY', 'FOREIGNKEY', 'CHECK', 'NOTNULL', 'TRIGGER'] as const).find((k) => k === kind) ?? 'OTHER';
}

export const isConstraint = (err: unknown, kind: ConstraintKind): boolean => constraintKind(err) === kind;

/**
 * A full disk: ENOSPC/EDQUOT from fs writes, SQLITE_FULL from SQLite (also when the database hits
 * max_page_count). SQLITE_IOERR_WRITE can mean the same on some file systems, but also a failing
 * disk, so it is not counted here.
 */
export function isStorageFull(err: unknown): boolean {
  const code = codeOf(err);
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL';
}
