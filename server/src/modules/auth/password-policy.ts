/**
 * Usernames in one canonical form, and the password policy every new password
 * passes (account creation, an admin's reset, the user's own change).
 */
import { dictionary } from '@zxcvbn-ts/language-common';
import { AppError } from '../../lib/app-error.ts';

/**
 * The one form a username is stored, looked up and throttled under. NFKC folds
 * fullwidth letters (ａｄｍｉｎ) and composes decomposed diacritics, so the
 * variants of one name cannot be used to step around the per-username limit.
 */
export function canonicalUsername(raw: string): string {
  return raw.normalize('NFKC').toLowerCase().normalize('NFKC').trim();
}

export const MIN_PASSWORD_LENGTH = 10;

let common: Set<string> | null = null;
// ~50 000 leaked passwords bundled with zxcvbn-ts; built lazily, once.
const commonPasswords = () => (common ??= new Set(dictionary['passwords-common'] as string[]));

/** Throws a typed 400 when the password is too short, contains the username or is a known common password. */
export function assertPasswordPolicy(password: string, username: string): void {
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    throw new AppError('PASSWORD_TOO_SHORT', 400, `A password has at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  const folded = canonicalUsername(password);
  const name = canonicalUsername(username);
  if (name.length >= 3 && folded.includes(name)) throw new AppError('PASSWORD_CONTAINS_USERNAME', 400, 'The password must not contain the username');
  if (commonPasswords().has(folded)) throw new AppError('PASSWORD_TOO_COMMON', 400, 'This password is on the list of common passwords');
}
