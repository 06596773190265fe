/**
 * Slow salted hashing for passwords and client secrets (scrypt), and fast digests for random
 * tokens (which carry 256 bits of their own entropy, so a plain SHA-256 is enough to store them).
 */
import crypto from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(crypto.scrypt) as (password: string, salt: Buffer, keylen: number, options: crypto.ScryptOptions) => Promise<Buffer>;
const PARAMS = { N: 16384, r: 8, p: 1 };
const KEY_LENGTH = 32;

/** `scrypt$N$r$p$<salt b64>$<hash b64>` */
export async function hashSecret(secret: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const hash = await scrypt(secret, salt, KEY_LENGTH, PARAMS);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scrypt(secret, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p) });
  return crypto.timingSafeEqual(actual, expected);
}

/**
 * A digest in one shot (`crypto.hash`): a Hash object per call is a native object with a weak
 * handle, and a thousand of them dying between scavenges cost each scavenge ~0.7 ms of weak-handle
 * work. `crypto.hash` arrived in Node 20.12; on older Node 20 releases the Hash object it is.
 */
const digest: (algorithm: string, text: string) => Buffer =
  typeof crypto.hash === 'function'
    ? (algorithm, text) => crypto.hash(algorithm, text, 'buffer')
    : (algorithm, text) => crypto.createHash(algorithm).update(text, 'utf8').digest();

export function md5Hex(text: string): string {
  return digest('md5', text).toString('hex');
}

export function sha256(text: string): string {
  return digest('sha256', text).toString('base64url');
}

/**
 * Whether a presented secret equals the expected one, in a time that depends only on the expected
 * secret's length: not on where the two differ, nor on the presented length. For a check on
 * every request (panels' device key), where a digest per call costs more than the rest of it.
 */
export function sameSecret(given: string, expected: string): boolean {
  let difference = given.length ^ expected.length;
  // Past the end of `given`, charCodeAt is NaN, and NaN | 0 is 0: the lengths already differ.
  for (let i = 0; i < expected.length; i += 1) difference |= (given.charCodeAt(i) | 0) ^ expected.charCodeAt(i);
  return difference === 0;
}

/** An opaque token with 256 random bits. */
export function randomToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

/** A strong generated password (for the bootstrap admin). */
export function randomPassword(): string {
  return crypto.randomBytes(18).toString('base64url');
}
