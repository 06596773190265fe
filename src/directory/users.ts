/**
 * Users: the people who may open doors. One row serves both dialects: the panel dialect sees
 * `item_uid`, `link_id`, the five access fields; the platform dialect sees `Id`, `Name`,
 * `Username`, `Email`, … of the same row.
 */

export const AUTH_FACTORS = ['card', 'input_code', 'face_id', 'qr', 'ukey', 'license_plate'] as const;
export type AuthFactor = (typeof AUTH_FACTORS)[number];

export type LockNumber = 0 | 1 | 2;

/** The five fields the panel dialect writes. */
export interface AccessFields {
  name: string;
  info: string;
  auth_factors: AuthFactor[];
  lock_number: LockNumber;
  is_custom_user_access: boolean;
}

export interface User extends AccessFields {
  id: number;
  link_id: string | null;
  username: string | null;
  email: string | null;
  mobile_phone: string | null;
  external_id: string | null;
  is_active: boolean;
  created_at: string;
  modified_at: string;
  last_login: string | null;
}

/** A user with every field at its default (no name yet, no auth factors, active); `id` 0 until allocated. */
export function newUser(id: number, linkId: string | null, now: string): User {
  return {
    id,
    link_id: linkId,
    name: '',
    info: '',
    auth_factors: [],
    lock_number: 0,
    is_custom_user_access: false,
    username: null,
    email: null,
    mobile_phone: null,
    external_id: null,
    is_active: true,
    created_at: now,
    modified_at: now,
    last_login: null,
  };
}

/** The key under which names are compared: case and surrounding spaces do not count. */
export function nameKey(name: string): string {
  return name.trim().toLowerCase();
}

/** A set in canonical order, whatever order and repetition it was given in. */
export function canonicalAuthFactors(factors: Iterable<AuthFactor>): AuthFactor[] {
  const given = new Set(factors);
  return AUTH_FACTORS.filter((f) => given.has(f));
}

const FACTOR_BITS = new Map<string, number>(AUTH_FACTORS.map((factor, i) => [factor, 1 << i]));

/** The stored text of every subset of AUTH_FACTORS, by bit mask (bulk syncs encode 100 000s of sets). */
const ENCODED_SETS = Array.from({ length: 1 << AUTH_FACTORS.length }, (_, mask) => AUTH_FACTORS.filter((_f, i) => mask & (1 << i)).join(','));

/** The stored form: the canonical set, comma-separated. */
export function encodeAuthFactors(factors: readonly AuthFactor[]): string {
  let mask = 0;
  for (const factor of factors) mask |= FACTOR_BITS.get(factor) ?? 0;
  return ENCODED_SETS[mask];
}

export function decodeAuthFactors(stored: string): AuthFactor[] {
  return stored === '' ? [] : (stored.split(',') as AuthFactor[]);
}

/** Per-item outcome codes of the panel dialect's bulk routes. */
export type ExtendedInfo =
  | 'created'
  | 'updated'
  | 'deleted'
  | 'entity_not_found'
  | 'has_dublicates'
  | 'number_taken_by_another_identifier'
  | 'bad_base_64_image_file'
  | 'face_has_not_recognized'
  | 'bound_time_profile_doesnt_exist'
  | 'bound_apartment_doesnt_exist'
  | 'bound_identifier_doesnt_exist'
  | 'face_id_not_supported'
  | 'number_of_face_identifiers_exceeded'
  | 'number_of_identifiers_exceeded'
  | 'invalid_time_rules_settings'
  | 'number_of_entities_exceeded';

export interface BulkItemResult {
  link_id: string;
  success: boolean;
  extended_info: ExtendedInfo;
  has_dublicates?: boolean;
}

export class NotFoundError extends Error {
  /** `detail`: which record was looked for, e.g. `no Department has ExternalId 'S100'`. */
  constructor(
    readonly entity: string,
    readonly detail?: string,
  ) {
    super(detail ?? `${entity} not found`);
    this.name = 'NotFoundError';
  }
}

export class CapacityError extends Error {
  constructor(readonly entity: string) {
    super(`Number of ${entity} exceeded`);
    this.name = 'CapacityError';
  }
}
