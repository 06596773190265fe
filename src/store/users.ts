/**
 * The users table: reads by key sets (one query per key kind, whatever the batch size) and
 * set-based writes (one multi-row upsert per chunk; `unnest` arrays on PostgreSQL).
 */
import type { Selectable } from 'kysely';
import { decodeAuthFactors, encodeAuthFactors, type User } from '../directory/users.ts';
import { rowWriter, type PgColumnTypes } from './bulk-write.ts';
import type { Queryable, Store } from './database.ts';
import type { UsersTable } from './schema.ts';

export type UserRow = Selectable<UsersTable>;

export function rowToUser(row: UserRow): User {
  return {
    id: Number(row.id),
    link_id: row.link_id,
    name: row.name,
    info: row.info,
    auth_factors: decodeAuthFactors(row.auth_factors),
    lock_number: Number(row.lock_number) as User['lock_number'],
    is_custom_user_access: Number(row.is_custom_user_access) === 1,
    username: row.username,
    email: row.email,
    mobile_phone: row.mobile_phone,
    external_id: row.external_id,
    is_active: Number(row.is_active) === 1,
    created_at: row.created_at,
    modified_at: row.modified_at,
    last_login: row.last_login,
  };
}

export function userToRow(user: User, nameKeyOf: (name: string) => string): UserRow {
  return {
    id: user.id,
    link_id: user.link_id,
    name: user.name,
    name_key: nameKeyOf(user.name),
    info: user.info,
    auth_factors: encodeAuthFactors(user.auth_factors),
    lock_number: user.lock_number,
    is_custom_user_access: user.is_custom_user_access ? 1 : 0,
    username: user.username,
    username_key: user.username === null ? null : user.username.toLowerCase(),
    email: user.email,
    mobile_phone: user.mobile_phone,
    external_id: user.external_id,
    is_active: user.is_active ? 1 : 0,
    created_at: user.created_at,
    modified_at: user.modified_at,
    last_login: user.last_login,
  };
}

/** Column order of the set-based upsert (every column: a row is written whole). */
const COLUMNS = [
  'id',
  'link_id',
  'name',
  'name_key',
  'info',
  'auth_factors',
  'lock_number',
  'is_custom_user_access',
  'username',
  'username_key',
  'email',
  'mobile_phone',
  'external_id',
  'is_active',
  'created_at',
  'modified_at',
  'last_login',
] as const satisfies readonly (keyof UserRow)[];

const PG_TYPES: PgColumnTypes<UserRow> = {
  id: 'int4',
  link_id: 'text',
  name: 'text',
  name_key: 'text',
  info: 'text',
  auth_factors: 'text',
  lock_number: 'int4',
  is_custom_user_access: 'int4',
  username: 'text',
  username_key: 'text',
  email: 'text',
  mobile_phone: 'text',
  external_id: 'text',
  is_active: 'int4',
  created_at: 'text',
  modified_at: 'text',
  last_login: 'text',
};

export function usersRepository(store: Store) {
  const writeRows = rowWriter<UserRow>(store, { table: 'users', columns: COLUMNS, pgTypes: PG_TYPES, keepOnUpdate: ['created_at'] });
  return {
    async byId(db: Queryable, id: number): Promise<UserRow | undefined> {
      return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    },

    async byIds(db: Queryable, ids: readonly number[]): Promise<UserRow[]> {
      if (ids.length === 0) return [];
      return db.selectFrom('users').selectAll().where(store.inList('id', ids, 'integer')).execute();
    },

    async byLinkIds(db: Queryable, linkIds: readonly string[]): Promise<UserRow[]> {
      if (linkIds.length === 0) return [];
      return db.selectFrom('users').selectAll().where(store.inList('link_id', linkIds, 'text')).execute();
    },

    /** Users without a link_id whose name key is one of `keys`, oldest first. */
    async unlinkedByNameKeys(db: Queryable, keys: readonly string[]): Promise<UserRow[]> {
      if (keys.length === 0) return [];
      return db
        .selectFrom('users')
        .selectAll()
        .where('link_id', 'is', null)
        .where(store.inList('name_key', keys, 'text'))
        .orderBy('id')
        .execute();
    },

    /** How many users carry each of the name keys (keys with none are absent). */
    async countByNameKeys(db: Queryable, keys: readonly string[]): Promise<Map<string, number>> {
      const counts = new Map<string, number>();
      if (keys.length === 0) return counts;
      const rows = await db
        .selectFrom('users')
        .select(['name_key', (eb) => eb.fn.countAll<number>().as('n')])
        .where(store.inList('name_key', keys, 'text'))
        .groupBy('name_key')
        .execute();
      for (const row of rows) counts.set(row.name_key, Number(row.n));
      return counts;
    },

    async count(db: Queryable): Promise<number> {
      const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** Writes whole rows: inserts the new ids, replaces the existing ones (created_at kept). */
    async upsert(db: Queryable, rows: readonly UserRow[]): Promise<void> {
      await writeRows(db, rows);
    },

    async deleteByIds(db: Queryable, ids: readonly number[]): Promise<void> {
      if (ids.length === 0) return;
      await db.deleteFrom('users').where(store.inList('id', ids, 'integer')).execute();
    },
  };
}

export type UsersRepository = ReturnType<typeof usersRepository>;
