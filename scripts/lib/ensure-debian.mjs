// Installs Debian packages a script needs when they are missing (apt-get update first),
// so a fresh machine or CI needs no manual step. Used by ensure-chromium.mjs and the benches.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * `needed` maps a Debian package to a file it installs (to tell whether it is there).
 * Returns true when every package is present afterwards, false when installing failed.
 */
export function ensureDebianPackages(needed, tag = 'ensure') {
  const missing = Object.entries(needed)
    .filter(([, file]) => !existsSync(file))
    .map(([pkg]) => pkg);
  if (missing.length === 0) return true;
  const sudo = typeof process.getuid === 'function' && process.getuid() === 0 ? '' : 'sudo ';
  console.log(`[${tag}] installing ${missing.join(', ')} from Debian…`);
  try {
    execSync(`${sudo}apt-get update -qq && ${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${missing.join(' ')}`, { stdio: 'inherit' });
  } catch {
    console.error(`[${tag}] could not install ${missing.join(', ')}; install them with apt-get and re-run`);
    return false;
  }
  return Object.values(needed).every((f) => existsSync(f));
}
