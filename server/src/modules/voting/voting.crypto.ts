/**
 * Secret-ballot cryptography.
 *
 * Why encryption at all: an ack means the ballot is durably written, and a
 * ballot commits together with "this delegate has voted". So a copy of the
 * database (or its WAL) taken between two commits shows which delegate and
 * which ballot row arrived together. No row layout can hide that delta; only
 * a key kept outside the database file can. So while a secret poll is open:
 *
 * - each poll has a random 256-bit ballot key K, held in memory and stored
 *   only wrapped (AES-256-GCM) under a key derived from APP_SECRET, so a
 *   restart after a crash can still seal the poll;
 * - each ballot is stored as an AES-GCM box under K, padded to one length per
 *   poll, so neither its content nor its size says anything;
 * - the box is found again by `tag = HMAC(K, ballotId)`, where ballotId is a
 *   random id made by the voter's device and known only to it. The receipt
 *   is `HMAC(K, ballotId)` too (another label), so a retry after a lost ack
 *   gets the same receipt back without any stored voter→receipt link.
 *
 * At close or cancel the boxes are opened, the choices and the receipts are
 * written as two separately sorted lists, and the boxes and the wrapped key
 * are deleted (secure_delete zeroes them) and the WAL truncated.
 *
 * Residual risk: someone holding both a copy taken while the poll was open
 * and APP_SECRET (or the server's memory) can open the boxes of that copy
 * and pair them with the voter flips recorded in the same commits.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { pooledRandomBytes } from '../../lib/random-pool.ts';

const IV = 12;
const TAG = 16;
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A fresh ballot key for one poll. */
export const newBallotKey = (): Buffer => randomBytes(32);

function gcmSeal(key: Buffer, plain: Buffer, aad: string): Buffer {
  const iv = pooledRandomBytes(IV);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(aad));
  const body = Buffer.concat([c.update(plain), c.final()]);
  return Buffer.concat([iv, c.getAuthTag(), body]);
}

function gcmOpen(key: Buffer, box: Buffer, aad: string): Buffer {
  const d = createDecipheriv('aes-256-gcm', key, box.subarray(0, IV));
  d.setAAD(Buffer.from(aad));
  d.setAuthTag(box.subarray(IV, IV + TAG));
  return Buffer.concat([d.update(box.subarray(IV + TAG)), d.final()]);
}

/** The key that wraps a poll's ballot key: bound to APP_SECRET and the poll. */
const wrappingKey = (appSecret: string, pollId: number) =>
  Buffer.from(hkdfSync('sha256', appSecret, 'diemcau/poll-ballot-key', `poll:${pollId}`, 32));

export const wrapBallotKey = (appSecret: string, pollId: number, key: Buffer): string =>
  gcmSeal(wrappingKey(appSecret, pollId), key, `wrap:${pollId}`).toString('base64');

export const unwrapBallotKey = (appSecret: string, pollId: number, wrapped: string): Buffer =>
  gcmOpen(wrappingKey(appSecret, pollId), Buffer.from(wrapped, 'base64'), `wrap:${pollId}`);

const hmac = (key: Buffer, label: string, ballotId: string) => createHmac('sha256', key).update(`${label}\0${ballotId}`).digest();

/** Lookup tag of a ballot box: unlinkable to the ballot id without K. */
export const ballotTag = (key: Buffer, ballotId: string): string => hmac(key, 'tag', ballotId).toString('base64url');

/** The receipt of a ballot, `K7QM-2XD4-R9TB` (60 bits): the same for every retry of one ballot id. */
export function ballotReceipt(key: Buffer, ballotId: string): string {
  const bytes = hmac(key, 'receipt', ballotId);
  // The digest's first 60 bits, in twelve 5-bit digits, most significant first: as two 30-bit halves
  // in plain numbers (a BigInt shift loop made the receipt cost three times the HMAC itself).
  const hi = bytes.readUInt32BE(0);
  const lo = bytes.readUInt32BE(4);
  const halves = [hi >>> 2, ((hi & 3) << 28) | (lo >>> 4)];
  let out = '';
  for (const half of halves) for (let shift = 25; shift >= 0; shift -= 5) out += CROCKFORD[(half >>> shift) & 31];
  return `${out.slice(0, 4)}-${out.slice(4, 8)}-${out.slice(8)}`;
}

export interface BallotContent {
  choices: string[];
  receipt: string;
}

/** Plaintext length of every box of a poll: room for the longest possible ballot, whatever is marked. */
export const boxLength = (optionIds: readonly string[]) => JSON.stringify({ choices: optionIds, receipt: 'XXXX-XXXX-XXXX' }).length + 8;

/** Encrypts a ballot, padded with spaces to `length` bytes (JSON ignores trailing blanks). */
export function sealBallot(key: Buffer, pollId: number, content: BallotContent, length: number): Buffer {
  const json = JSON.stringify({ choices: content.choices, receipt: content.receipt });
  if (json.length > length) throw new Error('ballot longer than its box');
  return gcmSeal(key, Buffer.from(json.padEnd(length, ' ')), `ballot:${pollId}`);
}

export function openBallot(key: Buffer, pollId: number, box: Buffer): BallotContent {
  const v = JSON.parse(gcmOpen(key, box, `ballot:${pollId}`).toString()) as BallotContent;
  return { choices: v.choices, receipt: v.receipt };
}
