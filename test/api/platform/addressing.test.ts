import { describe, expect, it } from 'vitest';
import { decodePathId } from '../../../src/api/platform/addressing.ts';
import { PlatformError } from '../../../src/api/platform/errors.ts';

describe('base64 path ids', () => {
  it('decodes standard and URL-safe base64, with or without padding', () => {
    expect(decodePathId('base64|bmFtZUBkb21haW4uY29t', 'Id')).toBe('name@domain.com');
    expect(decodePathId('BASE64|bmFtZUBkb21haW4uY29t', 'Id')).toBe('name@domain.com');
    const tricky = 'ä/ö?>>~';
    expect(decodePathId(`base64|${Buffer.from(tricky).toString('base64')}`, 'Id')).toBe(tricky);
    expect(decodePathId(`base64|${Buffer.from(tricky).toString('base64url')}`, 'Id')).toBe(tricky);
    expect(decodePathId('base64|YQ', 'Id')).toBe('a');
    expect(decodePathId('base64|YQ==', 'Id')).toBe('a');
    expect(decodePathId('plain-value', 'Id')).toBe('plain-value');
  });

  it('refuses malformed base64 and bytes that are not UTF-8, naming the parameter', () => {
    for (const bad of ['base64|', 'base64|a', 'base64|!!!!', 'base64|YQ===', `base64|${Buffer.from([0xff, 0xfe]).toString('base64')}`]) {
      let caught: unknown;
      try {
        decodePathId(bad, "Path parameter 'Id'");
      } catch (error) {
        caught = error;
      }
      expect(caught, bad).toBeInstanceOf(PlatformError);
      expect((caught as PlatformError).statusCode).toBe(400);
      expect((caught as PlatformError).errors[0]).toMatch(/^Path parameter 'Id': /);
    }
  });
});
