/**
 * The users table: reads by key sets (one query per key kind, whatever the batch size) and
 * set-based writes (one multi-row upsert per chunk; `unnest` arrays on PostgreSQL).
 */
import { sql, type Selectable, type SqlBool } from 'kysely';
import { decodeAuthFactors, encodeAuthFactors, type User } from '../directory/users.ts';
import { rowWriter, type RowTable } from './bulk-write.ts';
import type { Queryable, Store, Tx } from './database.ts';
import type { UsersTable } from './schema.ts';

export type UserRow = Selectable<UsersTable>;

/** The columns of a user that the platform returns (§5.1's record). */
export type ShownUserRow = Pick<UserRow, 'id' | 'name' | 'username' | 'email' | 'mobile_phone' | 'external_id' | 'is_active' | 'created_at' | 'last_login'>;

/** An existing user as the platform's upserts read it: the columns returned and the unique keys. */
export type StoredUser = ShownUserRow & Pick<UserRow, 'username_key'>;

export const STORED_USER_COLUMNS = [
  'id',
  'name',
  'username',
  'username_key',
  'email',
  'mobile_phone',
  'external_id',
  'is_active',
  'created_at',
  'last_login',
] as const satisfies readonly (keyof StoredUser)[];

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

const COLUMNS: RowTable<UserRow>['columns'] = [
  { name: 'id', type: 'int4' },
  { name: 'link_id', type: 'text' },
  { name: 'name', type: 'text' },
  { name: 'name_key', type: 'text' },
  { name: 'info', type: 'text' },
  { name: 'auth_factors', type: 'text' },
  { name: 'lock_number', type: 'int4' },
  { name: 'is_custom_user_access', type: 'int4' },
  { name: 'username', type: 'text' },
  { name: 'username_key', type: 'text' },
  { name: 'email', type: 'text' },
  { name: 'mobile_phone', type: 'text' },
  { name: 'external_id', type: 'text' },
  { name: 'is_active', type: 'int4' },
  { name: 'created_at', type: 'text' },
  { name: 'modified_at', type: 'text' },
  { name: 'last_login', type: 'text' },
];

/** The panel dialect's part of a row: link_id and the five fields (with their bookkeeping). */
const ACCESS_COLUMNS = new Set<string>(['id', 'link_id', 'name', 'name_key', 'info', 'auth_factors', 'lock_number', 'is_custom_user_access', 'created_at', 'modified_at']);

const ACCESS = COLUMNS.filter((c) => ACCESS_COLUMNS.has(c.name)) as RowTable<AccessRow>['columns'];

export type AccessRow = Pick<
  UserRow,
  'id' | 'link_id' | 'name' | 'name_key' | 'info' | 'auth_factors' | 'lock_number' | 'is_custom_user_access' | 'created_at' | 'modified_at'
>;

export interface NameStats {
  count: number;
  unlinked: number;
  oldestUnlinkedId: number | undefined;
}

/** A name key that some user carries, with its stats. */
export interface StoredName extends NameStats {
  name_key: string;
}

/** What matching needs to know of a user: who it is, its link and its name key. */
export type UserKey = Pick<UserRow, 'id' | 'link_id' | 'name_key'>;

/** A user found by its link_id, with the name it has now. */
export type LinkedUser = UserKey & Pick<UserRow, 'name'>;

/** Rows of new users; their ids are handed out by `createNew`. */
export type NewUserRow = Omit<UserRow, 'id'>;

const NEW_COLUMNS = COLUMNS.filter((c) => c.name !== 'id');

/**
 * PostgreSQL: new ids, the insert, and which name keys other users already carried, in ONE
 * statement (atomic by itself, one round trip): single creates are committed a batch at a time,
 * and each round trip of a batch was time every request of the next batch waited. The final
 * select sees the table as it was before the statement, so `taken` is "before". The name check
 * is a lateral probe with LIMIT 1: a named statement keeps the generic plan made while the table
 * was small, and an `exists` there became a hashed scan of the whole table (5 ms a batch at
 * 20 000 users); a LIMIT 1 probe cannot be hashed and stays on the name index.
 */
export const NEW_USERS_STATEMENT = (() => {
  const names = NEW_COLUMNS.map((c) => c.name).join(', ');
  const arrays = NEW_COLUMNS.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ');
  return `with input as (select * from unnest(${arrays}) with ordinality as i(${names}, ord)),
      numbered as materialized (select nextval('users_id_seq'::regclass) as id, input.* from input order by ord),
      inserted as (insert into users (id, ${names}) select id, ${names} from numbered)
      select id, found.one is not null as taken from numbered
        left join lateral (select 1 as one from users u where u.name_key = numbered.name_key limit 1) as found on true
        order by ord`;
})();

export function usersRepository(store: Store) {
  const upsert = rowWriter<UserRow>(store, { table: 'users', columns: COLUMNS, keepOnUpdate: ['created_at'] });

  const DETAIL_KEEP = new Set(['created_at', 'link_id', 'name', 'name_key']);
  const upsertAccessDetails = rowWriter<AccessRow>(store, { table: 'users', columns: ACCESS, keepOnUpdate: [...DETAIL_KEEP] as (keyof AccessRow)[] });
  const DETAILS = ACCESS.filter((c) => !DETAIL_KEEP.has(c.name));
  const detailsUpdate = (() => {
    const assignments = DETAILS.filter((c) => c.name !== 'id').map((c) => `${c.name} = r.${c.name}`).join(', ');
    const record = DETAILS.map((c) => `${c.name} ${c.type}`).join(', ');
    return `update users set ${assignments} from json_to_recordset($1::json) as r(${record}) where users.id = r.id`;
  })();

  /**
   * Existing users (by id) whose link and name stay: their other access fields and modified_at,
   * without touching the indexed columns. PostgreSQL: a plain UPDATE … FROM the rows as JSON (an
   * upsert would try each row as an insert first: ~10 % more updates/s); SQLite keeps the upsert.
   */
  async function updateAccessDetails(tx: Tx, rows: readonly AccessRow[]): Promise<void> {
    if (rows.length === 0) return;
    if (store.kind !== 'postgres') return upsertAccessDetails(tx, rows);
    const json = JSON.stringify(rows, DETAILS.map((c) => c.name));
    await tx.executeQuery({ ...sql.raw(detailsUpdate).compile(tx), parameters: [json] });
  }

  /**
   * The users whose `column` holds one of `values`, to select from (`users.` columns). On SQLite a
   * join over json_each, each value probing the column's index: `IN (select … from json_each(…))`
   * first copies the whole list into a temporary index (~5 ms per 10 000 values, found or not).
   * There a value given twice finds its users twice: callers pass distinct values or do not mind
   * (a bulk's 10 000 values in a JavaScript Set cost a hash table the size of the batch, and on
   * the bench machine every fresh page of such a table is a page fault). PostgreSQL: `= any(array)`.
   */
  function usersWith(db: Queryable, column: 'link_id' | 'name_key', values: readonly string[]) {
    if (store.kind === 'postgres') return db.selectFrom('users').where(store.inList(`users.${column}`, values, 'text'));
    return db
      .selectFrom(sql<{ value: string }>`json_each(${JSON.stringify(values)})`.as('list'))
      .innerJoin('users', (join) => join.on(sql<SqlBool>`${sql.ref(`users.${column}`)} = list.value`));
  }

  /** `createNew` inside the caller's transaction (which a capacity check needs): names taken before, ids, insert. */
  async function insertNew(tx: Tx, rows: readonly NewUserRow[]): Promise<{ ids: number[]; taken: Set<string> }> {
    const keys = [...new Set(rows.map((row) => row.name_key))];
    const found = keys.length === 0 ? [] : await tx.selectFrom('users').select('name_key').distinct().where(store.inList('name_key', keys, 'text')).execute();
    const ids = await store.allocateIds(tx, 'users', rows.length);
    await upsert(tx, rows.map((row, i) => ({ ...row, id: ids[i] })));
    return { ids, taken: new Set(found.map((row) => row.name_key)) };
  }

  /** New users on PostgreSQL: NEW_USERS_STATEMENT, one round trip. */
  const createNewPostgres = (() => {
    const compiled = sql.raw(NEW_USERS_STATEMENT).compile(store.db);
    return async (rows: readonly NewUserRow[]): Promise<{ ids: number[]; taken: Set<string> }> => {
      const parameters = NEW_COLUMNS.map((c) => rows.map((row) => row[c.name as keyof NewUserRow]));
      const result = await store.db.executeQuery<{ id: string | number; taken: boolean }>({ ...compiled, parameters });
      const taken = new Set<string>();
      result.rows.forEach((row, i) => row.taken && taken.add(rows[i].name_key));
      return { ids: result.rows.map((row) => Number(row.id)), taken };
    };
  })();

  return {
    async byId(db: Queryable, id: number): Promise<UserRow | undefined> {
      return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    },

    async byIds(db: Queryable, ids: readonly number[]): Promise<UserRow[]> {
      if (ids.length === 0) return [];
      return db.selectFrom('users').selectAll().where(store.inList('id', ids, 'integer')).execute();
    },

    /**
     * The keys among `keys` that two or more users carry. One statement; each key reads at most
     * two index entries, however many users share a name.
     */
    async duplicatedNameKeys(db: Queryable, keys: readonly string[]): Promise<Set<string>> {
      if (keys.length === 0) return new Set();
      const probes = keys.map((key) => sql`select * from (select name_key from users where name_key = ${key} limit 2) as p`);
      const result = await sql<{ name_key: string }>`select name_key from (${sql.join(probes, sql` union all `)}) as found
        group by name_key having count(*) > 1`.execute(db);
      return new Set(result.rows.map((row) => row.name_key));
    },

    async count(db: Queryable): Promise<number> {
      const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** Writes whole rows: inserts the new ids, replaces the existing ones (created_at kept). */
    upsert,

    /**
     * New users, atomically: their ids (in the order of `rows`) and the name keys among theirs
     * that other users carried before. At most `store.maxRowsPerStatement` rows per call.
     */
    async createNew(rows: readonly NewUserRow[]): Promise<{ ids: number[]; taken: Set<string> }> {
      if (rows.length === 0) return { ids: [], taken: new Set() };
      if (store.kind === 'postgres') return createNewPostgres(rows);
      // SQLite: one transaction of statements that cost no round trips.
      return store.transaction((tx) => insertNew(tx, rows));
    },

    insertNew,

    /** Writes the panel dialect's columns: new ids are inserted, existing rows keep their other columns. */
    upsertAccess: rowWriter<AccessRow>(store, { table: 'users', columns: ACCESS, keepOnUpdate: ['created_at'] }),

    /** Inserts new users (ids fresh from `allocateUserIds`) with the panel dialect's columns. */
    insertAccess: rowWriter<AccessRow>(store, { table: 'users', columns: ACCESS, insertOnly: true }),

    /**
     * The same, the store numbering the rows as it inserts them (in the order given): for new
     * users whose ids nothing else in the batch needs, this spares a query that reserves them.
     */
    insertAccessNumbered: rowWriter<Omit<AccessRow, 'id'>>(store, {
      table: 'users',
      columns: ACCESS.filter((c) => c.name !== 'id') as RowTable<Omit<AccessRow, 'id'>>['columns'],
      insertOnly: true,
    }),

    /**
     * Updates the panel dialect's columns of existing users whose name and link_id stay as they
     * are. Leaving the indexed columns out of the update spares their index maintenance (SQLite
     * rewrites the entries of every index whose column is assigned, same value or not; PostgreSQL
     * can then update in place): about 5x faster than `upsertAccess` for such rows.
     */
    updateAccessDetails,

    /** The users with these link_ids; a link_id given twice may find its user twice (SQLite). */
    async keysByLinkIds(db: Queryable, linkIds: readonly string[]): Promise<LinkedUser[]> {
      if (linkIds.length === 0) return [];
      return usersWith(db, 'link_id', linkIds).select(['users.id', 'users.link_id', 'users.name_key', 'users.name']).execute();
    },

    /**
     * `keysByLinkIds` and `nameStats` for a bulk sync. PostgreSQL reads the names on another
     * pooled connection at the same time (each lookup is ~25 ms of a 10 000-user bulk): both
     * read only what is committed, as they would inside the caller's transaction before it writes,
     * and the caller holds the exclusive lock, so no other bulk sync commits meanwhile.
     * SQLite has one connection: one after the other.
     */
    async linksAndNameStats(tx: Tx, linkIds: readonly string[], keys: readonly string[]): Promise<[LinkedUser[], StoredName[]]> {
      if (store.kind === 'postgres') return Promise.all([this.keysByLinkIds(tx, linkIds), this.nameStats(store.db, keys)]);
      return [await this.keysByLinkIds(tx, linkIds), await this.nameStats(tx, keys)];
    },

    /**
     * Per name key (`keys` distinct): how many users carry it, how many of those have no link_id,
     * and the oldest of those (what the bulk sync matches by name). Keys nobody carries are absent.
     */
    async nameStats(db: Queryable, keys: readonly string[]): Promise<StoredName[]> {
      if (keys.length === 0) return [];
      const rows = await usersWith(db, 'name_key', keys)
        .select((eb) => [
          'users.name_key',
          eb.fn.countAll<number>().as('n'),
          eb.fn.count<number>('users.link_id').as('linked'),
          eb.fn.min<number | null>(eb.case().when('users.link_id', 'is', null).then(eb.ref('users.id')).end()).as('unlinked_id'),
        ])
        .groupBy('users.name_key')
        .execute();
      return rows.map((row) => {
        const count = Number(row.n);
        return {
          name_key: row.name_key,
          count,
          unlinked: count - Number(row.linked),
          oldestUnlinkedId: row.unlinked_id === null ? undefined : Number(row.unlinked_id),
        };
      });
    },

    /** Is there a user other than `id` with this name key? */
    async nameTakenByAnother(db: Queryable, key: string, id: number): Promise<boolean> {
      const row = await db.selectFrom('users').select('id').where('name_key', '=', key).where('id', '<>', id).limit(1).executeTakeFirst();
      return row !== undefined;
    },

    async deleteByIds(db: Queryable, ids: readonly number[]): Promise<void> {
      if (ids.length === 0) return;
      await db.deleteFrom('users').where(store.inList('id', ids, 'integer')).execute();
    },
  };
}

export type UsersRepository = ReturnType<typeof usersRepository>;
