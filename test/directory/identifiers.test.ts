import { describe, expect, it } from 'vitest';
import { encodeDescriptor } from '../../src/directory/faces.ts';
import {
  canonicalType,
  checkIdentifierWrite,
  insideValidTime,
  lockNumber,
  numberKey,
  samePasses,
  type Validity,
} from '../../src/directory/identifiers.ts';

const descriptor = encodeDescriptor(Float32Array.from({ length: 128 }, (_, i) => i / 128 - 0.5));

describe('numberKey', () => {
  it.each([
    ['card', '0', '0'],
    ['card', '0012345', '12345'],
    ['card', '4294967295', '4294967295'],
    ['ukey', '1234567890', '1234567890'],
    ['card', 'ab:cd', 'AB:CD'],
    ['card', 'ab-cd-ef-01-23-45-67-89', 'AB:CD:EF:01:23:45:67:89'],
    ['inputCode', '0012', '0012'],
    ['qr', '91C615E3-1040-4815-8ECB-039A18B756B5', '91c615e3-1040-4815-8ecb-039a18b756b5'],
    ['license_plate', 'ab 123  c', 'AB123C'],
  ] as const)('%s %s → %s', (type, number, key) => {
    expect(numberKey(type, number)).toBe(key);
  });

  it.each([
    ['card', ''],
    ['card', '12345678901'],
    ['card', '-1'],
    ['card', 'ab'],
    ['card', 'ab:cd-ef'],
    ['card', 'ab:cd:ef:01:23:45:67:89:10'],
    ['card', 'abc:de'],
    ['ukey', 'zz:zz'],
    ['inputCode', ''],
    ['inputCode', '12a'],
    ['inputCode', '12345678901234567'],
    ['qr', 'not-a-uuid'],
    ['license_plate', '   '],
    ['license_plate', 'x'.repeat(101)],
    ['face_id', 'AAAA'],
    ['face_id', 'not base64!'],
  ] as const)('%s %j does not fit', (type, number) => {
    expect(numberKey(type, number)).toBeNull();
  });

  it('takes a face descriptor of 128 float32 values, canonically encoded', () => {
    expect(numberKey('face_id', descriptor)).toBe(descriptor);
    expect(numberKey('face_id', ` ${descriptor} `)).toBe(descriptor);
    const nan = encodeDescriptor(Float32Array.from({ length: 128 }, () => Number.NaN));
    expect(numberKey('face_id', nan)).toBeNull();
  });
});

describe('checkIdentifierWrite', () => {
  const base = { identifier_type: 'card', identifier_number: '123', lock: 'first' };

  it('accepts a valid write and one that only has a photo for a face', () => {
    expect(checkIdentifierWrite(base)).toBeNull();
    expect(checkIdentifierWrite({ ...base, identifier_type: 'face_id', identifier_number: 'ignored', face_image: 'x' })).toBeNull();
    expect(checkIdentifierWrite({ ...base, identifier_type: 'face_id', identifier_number: descriptor })).toBeNull();
    expect(checkIdentifierWrite({ ...base, identifier_type: 'input_code', identifier_number: '0042' })).toBeNull();
  });

  it('names the number, the photo, the window and the pass limit', () => {
    expect(checkIdentifierWrite({ ...base, identifier_number: 'x' })).toEqual({ path: 'identifier_number', problem: 'range' });
    expect(checkIdentifierWrite({ ...base, identifier_number: null })).toEqual({ path: 'identifier_number', problem: 'missing' });
    expect(checkIdentifierWrite({ ...base, identifier_type: 'face_id', identifier_number: undefined })).toEqual({
      path: 'face_image',
      problem: 'missing',
    });
    expect(checkIdentifierWrite({ ...base, identifier_type: 'face_id', identifier_number: '123' })).toEqual({
      path: 'identifier_number',
      problem: 'range',
    });
    expect(checkIdentifierWrite({ ...base, valid: { time: { is_permanent: false, to: 5 } } })).toEqual({
      path: 'valid.time.from',
      problem: 'missing',
    });
    expect(checkIdentifierWrite({ ...base, valid: { time: { is_permanent: false, from: 5 } } })).toEqual({
      path: 'valid.time.to',
      problem: 'missing',
    });
    expect(checkIdentifierWrite({ ...base, valid: { time: { is_permanent: false, from: 6, to: 5 } } })).toEqual({
      path: 'valid.time.to',
      problem: 'range',
    });
    expect(checkIdentifierWrite({ ...base, valid: { passes: { is_permanent: false } } })).toEqual({
      path: 'valid.passes.max_passes',
      problem: 'missing',
    });
    expect(checkIdentifierWrite({ ...base, valid: { time: { is_permanent: true, from: 6, to: 5 }, passes: { is_permanent: true } } })).toBeNull();
  });
});

describe('validity and locks', () => {
  const valid = (from: number | null, to: number | null, permanent = false): Validity => ({
    time: { is_permanent: permanent, from, to },
    passes: { is_permanent: true, max_passes: null },
  });

  it('is inside its window inclusively, or always when permanent', () => {
    expect(insideValidTime(valid(10, 20), 10)).toBe(true);
    expect(insideValidTime(valid(10, 20), 20)).toBe(true);
    expect(insideValidTime(valid(10, 20), 9)).toBe(false);
    expect(insideValidTime(valid(10, 20), 21)).toBe(false);
    expect(insideValidTime(valid(null, null, true), 0)).toBe(true);
  });

  it('keeps passes only for the same limit', () => {
    const limited = (max: number): Validity => ({ ...valid(null, null, true), passes: { is_permanent: false, max_passes: max } });
    expect(samePasses(limited(5), limited(5))).toBe(true);
    expect(samePasses(limited(5), limited(6))).toBe(false);
    expect(samePasses(limited(5), valid(null, null, true))).toBe(false);
  });

  it('maps locks to lock numbers and input_code to inputCode', () => {
    expect([lockNumber('first'), lockNumber('second'), lockNumber('all')]).toEqual([1, 2, 0]);
    expect(canonicalType('input_code')).toBe('inputCode');
    expect(canonicalType('card')).toBe('card');
  });
});
