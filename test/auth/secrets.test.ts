import crypto from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { md5Hex, sameSecret, sha256 } from '../../src/auth/secrets.ts';

// Known digests of 'pässword-1' (UTF-8), from the Hash object API.
const TEXT = 'pässword-1';
const MD5 = crypto.createHash('md5').update(TEXT, 'utf8').digest('hex');
const SHA256 = crypto.createHash('sha256').update(TEXT, 'utf8').digest();

describe('digests of tokens and passwords', () => {
  afterEach(() => vi.resetModules());

  it('are the UTF-8 text digests: md5 in hex, sha256 in base64url', () => {
    expect(md5Hex(TEXT)).toBe(MD5);
    expect(sha256(TEXT)).toBe(SHA256.toString('base64url'));
  });

  it('are the same on Node 20 releases before crypto.hash (20.0–20.11)', async () => {
    const oneShot = crypto.hash;
    try {
      (crypto as { hash?: unknown }).hash = undefined;
      vi.resetModules();
      const older = await import('../../src/auth/secrets.ts');
      expect(older.md5Hex(TEXT)).toBe(MD5);
      expect(older.sha256(TEXT)).toBe(SHA256.toString('base64url'));
    } finally {
      crypto.hash = oneShot;
    }
  });
});

describe('comparing a presented secret with the expected one', () => {
  it('is true only for the very same text', () => {
    const key = 'panel-ключ-1';
    expect(sameSecret(key, key)).toBe(true);
    for (const given of ['', 'p', key.slice(0, -1), `${key}1`, `${key}\u0000`, `X${key.slice(1)}`, 'panel-ключ-2', 'PANEL-ключ-1']) {
      expect({ given, same: sameSecret(given, key) }).toEqual({ given, same: false });
    }
    expect(sameSecret('', '')).toBe(true);
    expect(sameSecret('x', '')).toBe(false);
  });
});
