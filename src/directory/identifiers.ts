/**
 * Identifiers (access-api.md §4): what a person presents at a door — a card or key fob, a PIN
 * code, a QR code, a face photo, a licence plate. This module holds the pure rules: the types,
 * the number format of each type, the key under which numbers are compared, the validity window
 * and passes, and the cross-field checks a schema cannot express.
 *
 * Numbers, per type, as given → as compared (the key; type + key is unique):
 * - `card`, `ukey`: 1–10 decimal digits (leading zeros do not count: `00123` is `123`), or 2–8
 *   hex bytes separated by `:` or `-` (one kind of separator; case and separator do not count:
 *   `ab-cd-ef` is `AB:CD:EF`). A decimal number and a hex one are never the same card.
 * - `inputCode` (also spelled `input_code`): 1–16 decimal digits, compared as given (`0012` is
 *   not `12`: a PIN code's leading zeros are part of it).
 * - `qr`: a UUID, compared in lower case.
 * - `license_plate`: 1–100 characters with at least one that is not a space; compared in upper
 *   case without spaces (`ab 123 c` is `AB123C`).
 * - `face_id`: the face descriptor (base64 of 128 little-endian float32 values), computed from
 *   `face_image` when one is given (whatever `identifier_number` said); compared as its
 *   canonical base64.
 */
import { DESCRIPTOR_LENGTH, decodeDescriptor, encodeDescriptor } from './faces.ts';
import { MAX_UNIX_SECONDS } from './time-profiles.ts';

export const IDENTIFIER_TYPES = ['card', 'ukey', 'inputCode', 'face_id', 'qr', 'license_plate'] as const;
export type IdentifierType = (typeof IDENTIFIER_TYPES)[number];
/** Types as accepted in requests: `input_code` is `inputCode`. */
export const IDENTIFIER_TYPE_NAMES = [...IDENTIFIER_TYPES, 'input_code'] as const;
export type IdentifierTypeName = (typeof IDENTIFIER_TYPE_NAMES)[number];

export const LOCKS = ['first', 'second', 'all'] as const;
export type Lock = (typeof LOCKS)[number];

export const OWNER_TYPES = ['owner', 'guest'] as const;
export type OwnerType = (typeof OWNER_TYPES)[number];

export const MAX_INPUT_CODE_DIGITS = 16;
export const MAX_LICENSE_PLATE_LENGTH = 100;
export const MAX_OWNER_NAME_LENGTH = 100;
export const MAX_PASSES = 1_000_000_000;
export { MAX_UNIX_SECONDS };

export function canonicalType(name: IdentifierTypeName): IdentifierType {
  return name === 'input_code' ? 'inputCode' : name;
}

/** The panel's lock number: first 1, second 2, all (both) 0. */
export function lockNumber(lock: Lock): 0 | 1 | 2 {
  return lock === 'first' ? 1 : lock === 'second' ? 2 : 0;
}

export interface Validity {
  time: { is_permanent: boolean; from: number | null; to: number | null };
  passes: { is_permanent: boolean; max_passes: number | null };
}

export const PERMANENT: Validity = {
  time: { is_permanent: true, from: null, to: null },
  passes: { is_permanent: true, max_passes: null },
};

/** The fields of one identifier write (create, replace, or one bulk item). */
export interface IdentifierWrite {
  owner: { name: string; type: OwnerType };
  type: IdentifierType;
  /** The number; for face_id it may be absent when `faceImage` is given (the descriptor is computed). */
  number?: string;
  faceImage?: string;
  lock: Lock;
  valid: Validity;
  /** undefined: keep the current one (null on create). */
  linkId?: string | null;
  /** undefined: keep the current apartment (none on create); null: none. */
  apartmentLinkId?: string | null;
  /** undefined: keep the current time profiles (none on create). */
  timeProfileLinkIds?: string[];
}

export interface Identifier {
  id: number;
  linkId: string | null;
  userId: number | null;
  owner: { name: string; type: OwnerType };
  type: IdentifierType;
  number: string;
  lock: Lock;
  valid: Validity;
  passesUsed: number;
  apartmentLinkId: string | null;
  timeProfileLinkIds: string[];
}

const DECIMAL_CARD = /^\d{1,10}$/;
const HEX_CARD = /^[0-9a-f]{2}(?:(:)[0-9a-f]{2}){1,7}$|^[0-9a-f]{2}(?:(-)[0-9a-f]{2}){1,7}$/i;
const INPUT_CODE = new RegExp(`^\\d{1,${MAX_INPUT_CODE_DIGITS}}$`);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function faceKey(number: string): string | null {
  const descriptor = decodeDescriptor(number);
  if (!descriptor || descriptor.length !== DESCRIPTOR_LENGTH || !descriptor.every(Number.isFinite)) return null;
  return encodeDescriptor(descriptor);
}

/** The key a number is compared under, or null when it does not fit its type's format. */
export function numberKey(type: IdentifierType, number: string): string | null {
  switch (type) {
    case 'card':
    case 'ukey':
      // Leading zeros do not make another card; most numbers have none, and then no second regex runs.
      if (DECIMAL_CARD.test(number)) return number.charCodeAt(0) === 48 ? number.replace(/^0+(?=\d)/, '') : number;
      if (HEX_CARD.test(number)) return number.toUpperCase().replace(/-/g, ':');
      return null;
    case 'inputCode':
      return INPUT_CODE.test(number) ? number : null;
    case 'qr':
      return UUID.test(number) ? number.toLowerCase() : null;
    case 'license_plate': {
      if (number.length > MAX_LICENSE_PLATE_LENGTH) return null;
      const key = number.replace(/\s+/g, '').toUpperCase();
      return key === '' ? null : key;
    }
    case 'face_id':
      return faceKey(number);
  }
}

export interface FieldProblem {
  /** JSON path from the write's root, e.g. `valid.time.to`. */
  path: string;
  problem: 'missing' | 'range';
}

type Json = Record<string, unknown>;
const given = (v: unknown): boolean => v !== undefined && v !== null;
const obj = (v: unknown): Json | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined);

/**
 * The checks of an identifier write that depend on several fields, on a body that already has the
 * right structure (types, enums, bounds): the number's format for its type, a face without photo
 * or descriptor, a closed validity window without its bounds or with from > to, limited passes
 * without a maximum. Returns the first problem, or null.
 */
export function checkIdentifierWrite(body: unknown): FieldProblem | null {
  const b = obj(body);
  if (!b) return null;
  const type = canonicalType(b.identifier_type as IdentifierTypeName);
  const number = b.identifier_number;
  if (type === 'face_id' && given(b.face_image)) {
    // The number is computed from the photo, whatever the request said.
  } else if (!given(number)) {
    return { path: type === 'face_id' ? 'face_image' : 'identifier_number', problem: 'missing' };
  } else if (numberKey(type, number as string) === null) {
    return { path: 'identifier_number', problem: 'range' };
  }
  const time = obj(obj(b.valid)?.time);
  if (time && time.is_permanent === false) {
    if (!given(time.from)) return { path: 'valid.time.from', problem: 'missing' };
    if (!given(time.to)) return { path: 'valid.time.to', problem: 'missing' };
    if ((time.from as number) > (time.to as number)) return { path: 'valid.time.to', problem: 'range' };
  }
  const passes = obj(obj(b.valid)?.passes);
  if (passes && passes.is_permanent === false && !given(passes.max_passes)) {
    return { path: 'valid.passes.max_passes', problem: 'missing' };
  }
  return null;
}

/** Whether `at` (unix seconds) is inside the identifier's validity window. */
export function insideValidTime(valid: Validity, at: number): boolean {
  const { time } = valid;
  if (time.is_permanent) return true;
  return time.from !== null && time.to !== null && at >= time.from && at <= time.to;
}

/** Whether two validities count passes the same way (an identical rewrite keeps the passes used). */
export function samePasses(a: Validity, b: Validity): boolean {
  return a.passes.is_permanent === b.passes.is_permanent && (a.passes.is_permanent || a.passes.max_passes === b.passes.max_passes);
}
