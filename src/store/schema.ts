/**
 * Table types for Kysely. Conventions that both stores share:
 * - booleans are integers 0/1 (better-sqlite3 cannot bind JS booleans);
 * - instants are ISO-8601 UTC text `YYYY-MM-DDTHH:MM:SS.sssZ` (sorts and compares as text);
 * - expiries that are only compared by the server are unix milliseconds (bigint in PostgreSQL,
 *   read back through `Number`).
 */
import type { Generated } from 'kysely';

export interface AccountsTable {
  username: string;
  password_hash: string;
  account_type: 'admin' | 'manager';
  created_at: string;
}

export interface SessionsTable {
  token_hash: string;
  username: string;
  expires_at: number;
  created_at: string;
}

export interface UsersTable {
  /** Assigned by the store (AUTOINCREMENT / sequence), or reserved ahead by a bulk write. */
  id: Generated<number>;
  link_id: string | null;
  name: string;
  /** lower(trim(name)): the key of has_dublicates and of bulk name matching. */
  name_key: string;
  info: string;
  /** Canonical comma list of auth factors, e.g. `card,input_code`; empty for none. */
  auth_factors: string;
  lock_number: number;
  is_custom_user_access: number;
  username: string | null;
  /** lower(username): unique when set. */
  username_key: string | null;
  email: string | null;
  mobile_phone: string | null;
  external_id: string | null;
  is_active: number;
  created_at: string;
  modified_at: string;
  last_login: string | null;
}

export interface SettingsTable {
  name: string;
  value: string;
}

export type WriterKind = 'client' | 'account';

export interface DepartmentsTable {
  /** A UUID string (text on both stores). */
  id: string;
  /** Unique when set. */
  external_id: string | null;
  name: string;
  type: 'Internal' | 'External';
  parent_id: string | null;
  contact_name: string | null;
  contact_email: string | null;
  contact_phone: string | null;
  is_active: number;
  created_on: string;
  /** Client id or account username that created the row; `created_by_kind` says which. */
  created_by: string;
  created_by_kind: WriterKind;
  modified_on: string;
  modified_by: string;
  modified_by_kind: WriterKind;
}

export interface MembershipsTable {
  department_id: string;
  user_id: number;
}

export interface ApiClientsTable {
  client_id: string;
  secret_hash: string;
  /** Space-separated scopes the client may ask for; `*` is all. */
  scopes: string;
  created_at: string;
  modified_at: string;
}

export interface RefreshTokensTable {
  /** SHA-256 digest of the token (the token itself is never stored). */
  token_hash: string;
  client_id: string;
  /** The scope granted with it (space-separated). */
  scope: string;
  /** Unix milliseconds. */
  expires_at: number;
  created_at: string;
}

export interface TimeProfilesTable {
  id: number;
  link_id: string | null;
  name: string;
  /** JSON `{time_options, repeat_options}`. */
  rules: string;
  created_at: string;
  modified_at: string;
}

export interface ApartmentsTable {
  id: number;
  link_id: string | null;
  name: string;
  building: number;
  unit: number;
  floor: number;
  room: number;
  residents_count: number;
  created_at: string;
  modified_at: string;
}

export interface IdentifiersTable {
  id: number;
  link_id: string | null;
  user_id: number | null;
  apartment_id: number | null;
  owner_name: string;
  owner_type: string;
  /** Canonical type: card, ukey, inputCode, face_id, qr, license_plate. */
  type: string;
  /** The number as given (for face_id: the descriptor, base64). */
  number: string;
  /** The number as compared: unique together with type. */
  number_key: string;
  lock: string;
  time_permanent: number;
  /** Unix seconds (bigint in PostgreSQL: read back through Number). */
  valid_from: number | null;
  valid_to: number | null;
  passes_permanent: number;
  max_passes: number | null;
  passes_used: number;
  created_at: string;
  modified_at: string;
}

export interface UserTimeProfilesTable {
  user_id: number;
  time_profile_id: number;
}

export interface UserApartmentsTable {
  user_id: number;
  apartment_id: number;
}

export interface IdentifierTimeProfilesTable {
  identifier_id: number;
  time_profile_id: number;
}

export interface Database {
  accounts: AccountsTable;
  sessions: SessionsTable;
  users: UsersTable;
  settings: SettingsTable;
  departments: DepartmentsTable;
  memberships: MembershipsTable;
  api_clients: ApiClientsTable;
  refresh_tokens: RefreshTokensTable;
  time_profiles: TimeProfilesTable;
  apartments: ApartmentsTable;
  identifiers: IdentifiersTable;
  user_time_profiles: UserTimeProfilesTable;
  user_apartments: UserApartmentsTable;
  identifier_time_profiles: IdentifierTimeProfilesTable;
}
