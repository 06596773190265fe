/**
 * The fields a record may be found by (platform-api.md §3–4): the path `Name`, `SubName`,
 * `FieldType.Field`, the bulk `UserId` key. A fixed list per entity, matched without regard to
 * case; the column comes from here, never from the request.
 */
import { InvalidInputError } from './errors.ts';

export type KeyEntity = 'User' | 'Department';

export interface KeyField {
  /** Canonical public name. */
  name: string;
  column: 'id' | 'name' | 'external_id' | 'username_key' | 'email' | 'mobile_phone';
  type: 'integer' | 'text';
  /** Compared lower-cased: the users' Username (unique without regard to case), department Ids (UUIDs). */
  lowerCase?: boolean;
  /** At most one record can match. */
  unique: boolean;
}

const USER_KEYS: readonly KeyField[] = [
  { name: 'Id', column: 'id', type: 'integer', unique: true },
  { name: 'Username', column: 'username_key', type: 'text', lowerCase: true, unique: true },
  { name: 'Email', column: 'email', type: 'text', unique: false },
  { name: 'External_Id', column: 'external_id', type: 'text', unique: true },
  { name: 'MobilePhone', column: 'mobile_phone', type: 'text', unique: false },
  { name: 'Name', column: 'name', type: 'text', unique: false },
];

const DEPARTMENT_KEYS: readonly KeyField[] = [
  // A UUID, case-insensitive on input (RFC 4122 §3); stored in lower case.
  { name: 'Id', column: 'id', type: 'text', lowerCase: true, unique: true },
  { name: 'Name', column: 'name', type: 'text', unique: false },
  { name: 'ExternalId', column: 'external_id', type: 'text', unique: true },
];

const KEYS: Record<KeyEntity, readonly KeyField[]> = { User: USER_KEYS, Department: DEPARTMENT_KEYS };

/**
 * A record named by one of its key fields (`field`, default Id) and a value; `labels` say how
 * the caller's input names the two in messages (default `Name` and `Id`).
 */
export interface Address {
  field?: string;
  value: string;
  labels?: { field: string; value: string };
}

/** Largest id the stores' integer user ids hold. */
export const MAX_USER_ID = 2_147_483_647;

/**
 * The key field called `name` (default `Id`) of `entity`; `where` names the parameter for the
 * error, e.g. `UserId.Field`.
 */
export function keyField(entity: KeyEntity, name: string | undefined, where: string): KeyField {
  const wanted = (name ?? '').trim() === '' ? 'id' : name!.trim().toLowerCase();
  const found = KEYS[entity].find((k) => k.name.toLowerCase() === wanted);
  if (!found) {
    throw new InvalidInputError(
      `${where}: unknown field '${String(name).slice(0, 60)}' for a ${entity} (allowed: ${KEYS[entity].map((k) => k.name).join(', ')})`,
    );
  }
  return found;
}

/** The value as the key's column holds it; a malformed user Id is an error naming `where`. */
export function keyValue(key: KeyField, value: string, where: string): string | number {
  if (key.type === 'integer') {
    const n = /^\s*\d{1,10}\s*$/.test(value) ? Number(value) : NaN;
    if (!(n >= 1 && n <= MAX_USER_ID)) throw new InvalidInputError(`${where}: '${value.slice(0, 60)}' is not a valid Id (a positive integer)`);
    return n;
  }
  return key.lowerCase ? value.toLowerCase() : value;
}
