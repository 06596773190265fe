/**
 * The identifiers table and its time-profile links; the one-query lookup behind access
 * decisions and the atomic use of a pass.
 */
import { sql, type RawBuilder, type Selectable } from 'kysely';
import { rowWriter, type RowTable } from './bulk-write.ts';
import type { Queryable, Store } from './database.ts';
import { keyedTable, linkTable } from './keyed-tables.ts';
import type { IdentifiersTable } from './schema.ts';

export type IdentifierRow = Selectable<IdentifiersTable>;

/** What an access decision needs about one identifier (rules as stored JSON texts). */
export interface DecisionFacts {
  id: number;
  lock: string;
  time_permanent: number;
  valid_from: number | null;
  valid_to: number | null;
  passes_permanent: number;
  identifierRules: string[];
  userRules: string[];
}

const COLUMNS: RowTable<IdentifierRow>['columns'] = [
  { name: 'id', type: 'int4' },
  { name: 'link_id', type: 'text' },
  { name: 'user_id', type: 'int4' },
  { name: 'apartment_id', type: 'int4' },
  { name: 'owner_name', type: 'text' },
  { name: 'owner_type', type: 'text' },
  { name: 'type', type: 'text' },
  { name: 'number', type: 'text' },
  { name: 'number_key', type: 'text' },
  { name: 'lock', type: 'text' },
  { name: 'time_permanent', type: 'int4' },
  { name: 'valid_from', type: 'int8' },
  { name: 'valid_to', type: 'int8' },
  { name: 'passes_permanent', type: 'int4' },
  { name: 'max_passes', type: 'int4' },
  { name: 'passes_used', type: 'int4' },
  { name: 'created_at', type: 'text' },
  { name: 'modified_at', type: 'text' },
];

/** Reads a JSON array that SQLite returns as text and pg as a parsed value. */
function jsonList(value: unknown): string[] {
  const list = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  return Array.isArray(list) ? (list as string[]) : [];
}

type FactsRow = Omit<DecisionFacts, 'identifierRules' | 'userRules'> & { identifier_rules: unknown; user_rules: unknown };

export function identifiersRepository(store: Store) {
  const keyed = keyedTable<IdentifierRow>(store, 'identifiers');
  const agg = (expr: RawBuilder<unknown>) =>
    store.kind === 'postgres' ? sql`coalesce(json_agg(${expr}), '[]'::json)` : sql`json_group_array(${expr})`;

  const decisionQuery = sql<FactsRow>`
    select i.id, i.lock, i.time_permanent, i.valid_from, i.valid_to, i.passes_permanent,
      (select ${agg(sql`tp.rules`)} from identifier_time_profiles l join time_profiles tp on tp.id = l.time_profile_id
        where l.identifier_id = i.id) as identifier_rules,
      (select ${agg(sql`tp.rules`)} from user_time_profiles l join time_profiles tp on tp.id = l.time_profile_id
        where l.user_id = i.user_id) as user_rules
    from identifiers i where i.number_key = ${'key'} and i.type = ${'type'}`.compile(store.db);

  return {
    ...keyed,
    timeProfiles: linkTable(store, 'identifier_time_profiles', 'identifier_id', 'time_profile_id'),

    upsert: rowWriter<IdentifierRow>(store, {
      table: 'identifiers',
      columns: COLUMNS,
      keepOnUpdate: ['created_at'],
    }),

    /** Identifiers whose number key is one of `keys` (any type). */
    async byNumberKeys(db: Queryable, keys: readonly string[]): Promise<IdentifierRow[]> {
      if (keys.length === 0) return [];
      return db.selectFrom('identifiers').selectAll().where(store.inList('number_key', keys, 'text')).execute();
    },

    async byNumber(db: Queryable, type: string, key: string): Promise<IdentifierRow | undefined> {
      return db.selectFrom('identifiers').selectAll().where('number_key', '=', key).where('type', '=', type).executeTakeFirst();
    },

    async byUserIds(db: Queryable, userIds: readonly number[]): Promise<IdentifierRow[]> {
      if (userIds.length === 0) return [];
      return db.selectFrom('identifiers').selectAll().where(store.inList('user_id', userIds, 'integer')).orderBy('id').execute();
    },

    /** How many identifiers there are, and how many of them are faces. */
    async counts(db: Queryable): Promise<{ total: number; faces: number }> {
      const row = await sql<{ total: number | string; faces: number | string | null }>`select count(*) as total,
        sum(case when type = 'face_id' then 1 else 0 end) as faces from identifiers`.execute(db);
      return { total: Number(row.rows[0].total), faces: Number(row.rows[0].faces ?? 0) };
    },

    /**
     * Gives the identifiers temporary number keys no real number has (a space and the id), so a
     * set of rows can then swap or shift their numbers in one upsert.
     */
    async releaseNumbers(db: Queryable, ids: readonly number[]): Promise<void> {
      if (ids.length === 0) return;
      await sql`update identifiers set number_key = ${' '} || cast(id as text) where ${store.inList('id', ids, 'integer')}`.execute(db);
    },

    async setOwner(db: Queryable, ids: readonly number[], userId: number | null): Promise<void> {
      if (ids.length === 0) return;
      await db.updateTable('identifiers').set({ user_id: userId }).where(store.inList('id', ids, 'integer')).execute();
    },

    /** Unbinds every identifier of these users. */
    async unbindUsers(db: Queryable, userIds: readonly number[]): Promise<void> {
      if (userIds.length === 0) return;
      await db.updateTable('identifiers').set({ user_id: null }).where(store.inList('user_id', userIds, 'integer')).execute();
    },

    /** Binds each identifier to its user: `[identifierId, userId]` pairs, one statement. */
    async assignOwners(db: Queryable, pairs: readonly (readonly [number, number])[]): Promise<void> {
      if (pairs.length === 0) return;
      if (store.kind === 'postgres') {
        await sql`update identifiers set user_id = v.user_id
          from unnest(${pairs.map((p) => p[0])}::int4[], ${pairs.map((p) => p[1])}::int4[]) as v(id, user_id)
          where identifiers.id = v.id`.execute(db);
        return;
      }
      await sql`update identifiers set user_id = v.value ->> 1
        from json_each(${JSON.stringify(pairs)}) as v where identifiers.id = v.value ->> 0`.execute(db);
    },

    /** The decision facts of the identifier with this type and number key: one indexed query. */
    async decisionFacts(db: Queryable, type: string, key: string): Promise<DecisionFacts | undefined> {
      // The hottest query there is (every door a panel asks about): its SQL is compiled once.
      const result = await db.executeQuery<FactsRow>({ ...decisionQuery, parameters: [key, type] });
      const row = result.rows[0];
      if (!row) return undefined;
      return {
        id: Number(row.id),
        lock: row.lock,
        time_permanent: Number(row.time_permanent),
        valid_from: row.valid_from === null ? null : Number(row.valid_from),
        valid_to: row.valid_to === null ? null : Number(row.valid_to),
        passes_permanent: Number(row.passes_permanent),
        identifierRules: jsonList(row.identifier_rules),
        userRules: jsonList(row.user_rules),
      };
    },

    /** Uses one pass if one is left: a conditional update, atomic under concurrent callers. */
    async usePass(db: Queryable, id: number): Promise<boolean> {
      const result = await sql`update identifiers set passes_used = passes_used + 1
        where id = ${id} and passes_used < max_passes`.execute(db);
      return Number(result.numAffectedRows ?? 0) === 1;
    },
  };
}

export type IdentifiersRepository = ReturnType<typeof identifiersRepository>;
