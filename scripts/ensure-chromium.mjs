#!/usr/bin/env node
// Installs the Debian packages the test suite needs (Chromium for browser tests,
// poppler-utils for rendering confidential PDFs), when they are missing.
// Runs before `pnpm test`, so a fresh machine or CI needs no manual step.
import { execFileSync, execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian package → a file it installs, to tell whether it is there. */
const NEEDED = {
  chromium: '/usr/bin/chromium',
  'poppler-utils': '/usr/bin/pdftoppm',
  'fonts-dejavu-core': '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
};

const missing = Object.entries(NEEDED).filter(([, file]) => !existsSync(file)).map(([pkg]) => pkg);
if (missing.length === 0) {
  console.log('[ensure] test packages present');
} else {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const sudo = root ? '' : 'sudo ';
  console.log(`[ensure] installing ${missing.join(', ')} from Debian…`);
  try {
    execSync(`${sudo}apt-get update -qq && ${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${missing.join(' ')}`, { stdio: 'inherit' });
  } catch {
    console.error(`[ensure] could not install ${missing.join(', ')}; install them with apt-get and re-run`);
    process.exit(1);
  }
}
try {
  console.log(`[ensure] ${execFileSync('/usr/bin/chromium', ['--version'], { encoding: 'utf8' }).trim()}`);
} catch {
  console.error('[ensure] /usr/bin/chromium does not run');
  process.exit(1);
}
