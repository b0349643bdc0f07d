/**
 * PAdES signing of the final minutes. @signpdf places the signature (an
 * incremental update with SubFilter ETSI.CAdES.detached) and node-forge does
 * the cryptography; the CMS is built here only because forge's PKCS#7 signer
 * cannot add the signing-certificate-v2 attribute that PAdES baseline B
 * requires (and PAdES wants no signingTime attribute: the time is the
 * signature dictionary's /M). The certificate is the organisation's PKCS#12
 * or, for trials, one issued by the local CA of `pnpm certs`.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { plainAddPlaceholder } from '@signpdf/placeholder-plain';
import { SignPdf } from '@signpdf/signpdf';
import { Signer, SUBFILTER_ETSI_CADES_DETACHED } from '@signpdf/utils';
import forge from 'node-forge';
import { AppError } from '../../lib/app-error.ts';

const { asn1, pki } = forge;
const OID_SIGNING_CERT_V2 = '1.2.840.113549.1.9.16.2.47';
const der = (a: forge.asn1.Asn1) => asn1.toDer(a).getBytes();
const oid = (o: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(o).getBytes());
const seq = (v: forge.asn1.Asn1[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, v);
const set = (v: forge.asn1.Asn1[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, v);
const octets = (b: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, b);
const int = (n: number) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(n).getBytes());
const attr = (type: string, value: forge.asn1.Asn1) => seq([oid(type), set([value])]);
const sha256Alg = () => seq([oid(pki.oids.sha256!), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '')]);

interface Identity {
  key: forge.pki.rsa.PrivateKey;
  cert: forge.pki.Certificate;
  chain: forge.pki.Certificate[];
}

function readP12(p12: Buffer, passphrase: string): Identity {
  let parsed: forge.pkcs12.Pkcs12Pfx;
  try {
    parsed = forge.pkcs12.pkcs12FromAsn1(asn1.fromDer(p12.toString('binary')), false, passphrase);
  } catch (err) {
    throw new AppError('VALIDATION_FAILED', 400, `Không đọc được chứng thư số PKCS#12 / cannot read the PKCS#12: ${(err as Error).message}`);
  }
  const certs = (parsed.getBags({ bagType: pki.oids.certBag! })[pki.oids.certBag!] ?? []).flatMap((b) => (b.cert ? [b.cert] : []));
  const key = (parsed.getBags({ bagType: pki.oids.pkcs8ShroudedKeyBag! })[pki.oids.pkcs8ShroudedKeyBag!] ?? [])[0]?.key as forge.pki.rsa.PrivateKey | undefined;
  const cert = certs.find((c) => key && (c.publicKey as forge.pki.rsa.PublicKey).n.compareTo(key.n) === 0);
  if (!key || !cert) throw new AppError('VALIDATION_FAILED', 400, 'The PKCS#12 holds no RSA key with its certificate');
  return { key, cert, chain: certs };
}

/** CMS SignedData (detached) with contentType, messageDigest and signing-certificate-v2. */
class PadesSigner extends Signer {
  constructor(readonly id: Identity) {
    super();
  }
  override async sign(content: Buffer): Promise<Buffer> {
    const { key, cert, chain } = this.id;
    const certDer = der(pki.certificateToAsn1(cert));
    const certHash = createHash('sha256').update(Buffer.from(certDer, 'binary')).digest('binary');
    const issuerSerial = seq([seq([asn1.create(asn1.Class.CONTEXT_SPECIFIC, 4, true, [pki.distinguishedNameToAsn1(cert.issuer)])]), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, forge.util.hexToBytes(cert.serialNumber))]);
    const attrs = [
      attr(pki.oids.contentType!, oid(pki.oids.data!)),
      attr(pki.oids.messageDigest!, octets(createHash('sha256').update(content).digest('binary'))),
      // SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 }; sha256 is the default hash, so omitted.
      attr(OID_SIGNING_CERT_V2, seq([seq([seq([octets(certHash), issuerSerial])])])),
    ];
    const md = forge.md.sha256.create();
    md.update(der(set(attrs)));
    const signature = key.sign(md);
    const signerInfo = seq([
      int(1),
      seq([pki.distinguishedNameToAsn1(cert.issuer), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, forge.util.hexToBytes(cert.serialNumber))]),
      sha256Alg(),
      asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, attrs),
      seq([oid(pki.oids.rsaEncryption!), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '')]),
      octets(signature),
    ]);
    const signedData = seq([
      int(1),
      set([sha256Alg()]),
      seq([oid(pki.oids.data!)]),
      asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, chain.map((c) => pki.certificateToAsn1(c))),
      set([signerInfo]),
    ]);
    const contentInfo = seq([oid(pki.oids.signedData!), asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [signedData])]);
    return Buffer.from(der(contentInfo), 'binary');
  }
}

export interface SignOptions {
  p12: Buffer;
  passphrase: string;
  reason: string;
  location: string;
  name: string;
}

export async function signPdf(pdf: Buffer, o: SignOptions): Promise<Buffer> {
  const id = readP12(o.p12, o.passphrase);
  const withPlaceholder = plainAddPlaceholder({
    pdfBuffer: pdf,
    reason: o.reason,
    contactInfo: '',
    name: o.name,
    location: o.location,
    subFilter: SUBFILTER_ETSI_CADES_DETACHED,
    signatureLength: 16384,
    appName: 'diemcau',
  });
  return new SignPdf().sign(withPlaceholder, new PadesSigner(id));
}

function openssl(args: string[]) {
  try {
    execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { code?: string; stderr?: Buffer };
    throw new AppError('INTERNAL', 500, e.code === 'ENOENT' ? 'openssl not found (apt-get install openssl)' : `openssl failed: ${e.stderr?.toString().slice(-300) ?? ''}`);
  }
}

/**
 * The trial signing identity: `minutes-signer.p12` beside the local CA made by
 * `pnpm certs` (issued on first use, then reused). Legacy PBE algorithms,
 * because forge reads no other PKCS#12 encryption.
 */
export function defaultSigner(certDir: string, passphrase: string): Buffer {
  const p12 = join(certDir, 'minutes-signer.p12');
  if (existsSync(p12)) return readFileSync(p12);
  const caKey = join(certDir, 'diemcau-ca.key');
  const caCrt = join(certDir, 'diemcau-ca.crt');
  if (!existsSync(caKey) || !existsSync(caCrt)) {
    throw new AppError('CONFLICT', 409, 'Chưa có chứng thư ký số: chạy `pnpm certs` hoặc đặt MINUTES_SIGN_P12 / no signing certificate: run `pnpm certs` or set MINUTES_SIGN_P12');
  }
  mkdirSync(certDir, { recursive: true });
  const tmp = mkdtempSync(join(tmpdir(), 'diemcau-signer-'));
  try {
    const ext = join(tmp, 'ext.cnf');
    writeFileSync(ext, 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nextendedKeyUsage=emailProtection,1.3.6.1.4.1.311.10.3.12\n');
    openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(tmp, 'k.pem'), '-out', join(tmp, 'r.csr'), '-subj', '/O=diemcau/CN=diemcau minutes signer', '-utf8']);
    openssl(['x509', '-req', '-in', join(tmp, 'r.csr'), '-CA', caCrt, '-CAkey', caKey, '-CAcreateserial', '-CAserial', join(tmp, 'ca.srl'), '-days', '1825', '-sha256', '-extfile', ext, '-out', join(tmp, 'c.pem')]);
    openssl(['pkcs12', '-export', '-inkey', join(tmp, 'k.pem'), '-in', join(tmp, 'c.pem'), '-certfile', caCrt, '-out', p12, '-passout', `pass:${passphrase}`, '-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return readFileSync(p12);
}
