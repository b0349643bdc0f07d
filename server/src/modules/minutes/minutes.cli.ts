/**
 * `pnpm minutes:verify <file.pdf> [--db file] [--ca file] [--json]`: checks a
 * final minutes PDF without the server: its PAdES signature against the CA
 * (default: the local CA of `pnpm certs`), and that its SHA-256 is recorded by
 * a `minutes.finalise` entry of an intact audit chain. Exit 0: both hold;
 * 1: either fails; 2: usage error or unreadable file.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '../../config.ts';
import { parseArgs } from 'node:util';
import { openReadonlyDatabase } from '../../lib/readonly-db.ts';
import { verifyRecorded, verifySignature } from './minutes.verify.ts';

const USAGE = 'usage: minutes:verify <file.pdf> [--db <file or postgres:// URL>] [--ca <CA certificate PEM>] [--json]';

export async function verifyMinutesCli(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { db: { type: 'string' }, ca: { type: 'string' }, json: { type: 'boolean' } } });
  } catch (err) {
    out(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const file = parsed.positionals[0];
  if (!file) {
    out(USAGE);
    return 2;
  }
  let pdf: Buffer;
  try {
    pdf = readFileSync(file);
  } catch (err) {
    out(`cannot read ${file}: ${(err as Error).message}`);
    return 2;
  }
  const opened = await openReadonlyDatabase(parsed.values.db);
  if ('error' in opened) {
    out(opened.error);
    return 2;
  }
  try {
    const ca = parsed.values.ca ? resolve(parsed.values.ca) : join(loadConfig().minutes.certDir, 'diemcau-ca.crt');
    const signature = verifySignature(pdf, ca);
    const record = await opened.database.run((s) => verifyRecorded(s, pdf));
    const ok = signature.ok && record.ok;
    if (parsed.values.json) out(JSON.stringify({ ok, signature, record }, null, 2));
    else out(`${ok ? 'OK' : 'FAILED'}: ${signature.message}; ${record.message}`);
    return ok ? 0 : 1;
  } finally {
    await opened.close();
  }
}
