#!/usr/bin/env node
// Installs the Debian packages the test suite needs (Chromium for browser tests,
// poppler-utils for rendering confidential PDFs, ffmpeg for recording the main stage, Redis and
// PostgreSQL for the scale-out tests), when
// they are missing. The shaped-network tests install their own (test/netem/helpers/netns.ts).
// Runs before `pnpm test`, so a fresh machine or CI needs no manual step.
import { execFileSync } from 'node:child_process';
import { ensureDebianPackages } from './lib/ensure-debian.mjs';

/** Debian package → a file it installs, to tell whether it is there. */
const NEEDED = {
  chromium: '/usr/bin/chromium',
  'poppler-utils': '/usr/bin/pdftoppm',
  'fonts-dejavu-core': '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  // Signs and verifies the minutes' PDF signature (and makes the local CA).
  openssl: '/usr/bin/openssl',
  // The recorder (server/src/modules/recording) runs ffmpeg; ffprobe comes with it.
  ffmpeg: '/usr/bin/ffmpeg',
  // The scale-out tests run a real Redis and PostgreSQL (scripts/lib/services.mjs; it installs them too).
  'redis-server': '/usr/bin/redis-server',
  postgresql: '/usr/share/doc/postgresql/copyright',
};

if (!ensureDebianPackages(NEEDED)) process.exit(1);
console.log('[ensure] test packages present');
try {
  console.log(`[ensure] ${execFileSync('/usr/bin/chromium', ['--version'], { encoding: 'utf8' }).trim()}`);
} catch {
  console.error('[ensure] /usr/bin/chromium does not run');
  process.exit(1);
}
