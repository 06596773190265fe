import crypto from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { md5Hex, sha256, sha256Bytes } from '../../src/auth/secrets.ts';

// Known digests of 'pässword-1' (UTF-8), from the Hash object API.
const TEXT = 'pässword-1';
const MD5 = crypto.createHash('md5').update(TEXT, 'utf8').digest('hex');
const SHA256 = crypto.createHash('sha256').update(TEXT, 'utf8').digest();

describe('digests of tokens and passwords', () => {
  afterEach(() => vi.resetModules());

  it('are the UTF-8 text digests: md5 in hex, sha256 in base64url and as bytes', () => {
    expect(md5Hex(TEXT)).toBe(MD5);
    expect(sha256(TEXT)).toBe(SHA256.toString('base64url'));
    expect(sha256Bytes(TEXT).equals(SHA256)).toBe(true);
  });

  it('are the same on Node 20 releases before crypto.hash (20.0–20.11)', async () => {
    const oneShot = crypto.hash;
    try {
      (crypto as { hash?: unknown }).hash = undefined;
      vi.resetModules();
      const older = await import('../../src/auth/secrets.ts');
      expect(older.md5Hex(TEXT)).toBe(MD5);
      expect(older.sha256(TEXT)).toBe(SHA256.toString('base64url'));
      expect(older.sha256Bytes(TEXT).equals(SHA256)).toBe(true);
    } finally {
      crypto.hash = oneShot;
    }
  });
});
