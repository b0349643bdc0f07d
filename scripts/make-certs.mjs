#!/usr/bin/env node
// Makes a local certificate authority and a server certificate for the
// government LAN, where there is no public CA. Browsers give camera and
// microphone only to https pages (or localhost), so bridge PCs reach the
// server over https with this certificate after trusting the CA once.
//
//   pnpm certs -- 10.20.0.5 diemcau.local          # IPs and host names the server is reached by
//   pnpm certs -- --out /etc/diemcau/certs 10.20.0.5
//
// The CA is created once and reused, so re-running for a new address does not
// make every bridge PC trust a new CA. Uses openssl (Debian: package openssl).
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const HOST_RE = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

function usage(msg) {
  if (msg) console.error(`make-certs: ${msg}\n`);
  console.error(
    'Usage: node scripts/make-certs.mjs [--out DIR] [--days N] [--new-ca] ADDRESS...\n' +
      '  ADDRESS  an IP address or host name bridge PCs use to reach the server (localhost and 127.0.0.1 are always added)\n' +
      '  --out    output directory (default: data/certs)\n' +
      '  --days   server certificate validity in days (default 825)\n' +
      '  --new-ca replace an existing CA (every bridge PC must then trust the new one)',
  );
  process.exit(msg ? 2 : 0);
}

function parseArgs(argv) {
  const opts = { out: join(root, 'data', 'certs'), days: 825, newCa: false, names: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') continue;
    else if (a === '-h' || a === '--help') usage();
    else if (a === '--out') opts.out = resolve(argv[++i] ?? usage('--out needs a directory'));
    else if (a === '--days') {
      opts.days = Number(argv[++i]);
      if (!Number.isInteger(opts.days) || opts.days < 1 || opts.days > 3650) usage('--days must be 1..3650');
    } else if (a === '--new-ca') opts.newCa = true;
    else if (a.startsWith('-')) usage(`unknown option ${a}`);
    else if (isIP(a) || HOST_RE.test(a)) opts.names.push(a);
    else usage(`"${a}" is neither an IP address nor a host name`);
  }
  if (!opts.names.length) usage('give at least one IP address or host name of the server');
  return opts;
}

function openssl(args, cwd) {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    if (err.code === 'ENOENT') {
      console.error('make-certs: openssl not found; install it (Debian/Ubuntu: apt-get install openssl)');
      process.exit(1);
    }
    console.error(`make-certs: openssl ${args[0]} failed:\n${err.stderr?.toString() ?? err.message}`);
    process.exit(1);
  }
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  mkdirSync(opts.out, { recursive: true });
  const caKey = join(opts.out, 'diemcau-ca.key');
  const caCrt = join(opts.out, 'diemcau-ca.crt');
  const key = join(opts.out, 'server.key');
  const crt = join(opts.out, 'server.crt');
  const work = mkdtempSync(join(tmpdir(), 'diemcau-certs-'));
  try {
    if (opts.newCa || !existsSync(caKey) || !existsSync(caCrt)) {
      writeFileSync(
        join(work, 'ca.cnf'),
        [
          '[req]', 'distinguished_name=dn', 'x509_extensions=v3_ca', 'prompt=no', 'utf8=yes',
          '[dn]', 'CN=diemcau Local CA', 'O=diemcau',
          '[v3_ca]', 'basicConstraints=critical,CA:TRUE,pathlen:0', 'keyUsage=critical,keyCertSign,cRLSign',
          'subjectKeyIdentifier=hash',
        ].join('\n'),
      );
      openssl(['req', '-x509', '-new', '-newkey', 'rsa:3072', '-nodes', '-sha256', '-days', '3650', '-config', 'ca.cnf', '-keyout', caKey, '-out', caCrt], work);
      chmodSync(caKey, 0o600);
      console.log(`Created CA            ${caCrt}`);
    } else {
      console.log(`Reusing CA            ${caCrt}`);
    }

    const names = [...new Set([...opts.names, 'localhost', '127.0.0.1'])];
    const san = names.map((n) => (isIP(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
    writeFileSync(
      join(work, 'server.cnf'),
      ['[req]', 'distinguished_name=dn', 'prompt=no', 'utf8=yes', '[dn]', `CN=${opts.names[0]}`, 'O=diemcau'].join('\n'),
    );
    writeFileSync(
      join(work, 'ext.cnf'),
      [
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature,keyEncipherment',
        'extendedKeyUsage=serverAuth',
        `subjectAltName=${san}`,
        'subjectKeyIdentifier=hash',
        'authorityKeyIdentifier=keyid,issuer',
      ].join('\n'),
    );
    openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-config', 'server.cnf', '-keyout', key, '-out', 'server.csr'], work);
    openssl(
      ['x509', '-req', '-in', 'server.csr', '-CA', caCrt, '-CAkey', caKey, '-set_serial', `0x${Date.now().toString(16)}`, '-sha256',
        '-days', String(opts.days), '-extfile', 'ext.cnf', '-out', crt],
      work,
    );
    chmodSync(key, 0o600);
    // DER copy of the CA for tools that want .cer (Windows, Android).
    openssl(['x509', '-in', caCrt, '-outform', 'der', '-out', join(opts.out, 'diemcau-ca.cer')], work);

    console.log(`Server certificate    ${crt}  (${san})`);
    console.log(`Server key            ${key}`);
    console.log('\nStart the server with:');
    console.log(`  TLS_CERT_FILE=${crt}`);
    console.log(`  TLS_KEY_FILE=${key}`);
    console.log(`  PUBLIC_BASE_URL=https://${opts.names[0]}:3000`);
    console.log(`\nThen trust ${caCrt} (or .cer) on every bridge PC and phone; see README "HTTPS on the LAN".`);
    console.log('Keep diemcau-ca.key secret and offline if you can: whoever has it can impersonate any server to those PCs.');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main();
