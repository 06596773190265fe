/** The stored form of a set of auth factors: canonical order, no repeats, whatever the input's order. */
import { describe, expect, it } from 'vitest';
import { AUTH_FACTORS, decodeAuthFactors, encodeAuthFactors, type AuthFactor } from '../../src/directory/users.ts';

describe('auth factor encoding', () => {
  it('writes the canonical order and drops repeats', () => {
    expect(encodeAuthFactors(['qr', 'card', 'qr'])).toBe('card,qr');
    expect(encodeAuthFactors(['license_plate', 'input_code', 'face_id', 'ukey', 'qr', 'card'])).toBe(AUTH_FACTORS.join(','));
    expect(encodeAuthFactors([])).toBe('');
  });

  it('round-trips every subset, given in reverse order', () => {
    for (let mask = 0; mask < 1 << AUTH_FACTORS.length; mask++) {
      const subset = AUTH_FACTORS.filter((_f, i) => mask & (1 << i));
      const encoded = encodeAuthFactors([...subset].reverse() as AuthFactor[]);
      expect(decodeAuthFactors(encoded)).toEqual(subset);
    }
  });
});
