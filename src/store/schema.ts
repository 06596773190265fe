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

export interface Database {
  accounts: AccountsTable;
  sessions: SessionsTable;
  users: UsersTable;
  settings: SettingsTable;
}
