import { accessSync, constants, mkdirSync, statSync } from 'node:fs';

/** Thrown when the data directory cannot be used; the message is one line for the operator. */
export class DataDirError extends Error {}

const PLAIN: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'not a directory',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  ENOENT: 'no such file or directory',
  ELOOP: 'too many symbolic links',
};

/**
 * Creates the data directory if needed and checks it is a directory we may read and write,
 * before anything else touches it: a mistyped DATA_DIR or a wrong owner should be one clear
 * line at start, not a stack trace from deep inside SQLite.
 */
export function ensureDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    accessSync(dir, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (err) {
    // mkdir -p over an existing file says EEXIST; what the operator needs to hear is "not a directory".
    const raw = (err as { code?: unknown }).code;
    const code = raw === 'EEXIST' ? 'ENOTDIR' : raw;
    const cause = typeof code === 'string' ? `${code} ${PLAIN[code] ?? (err as Error).message}` : String((err as Error).message ?? err);
    throw new DataDirError(`diemcau: cannot open data directory ${dir}: ${cause}`);
  }
}
