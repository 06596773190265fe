/**
 * Reads and deletes by key sets on the tables whose rows have an `id` and an optional unique
 * `link_id` (one query per key kind, the whole set bound as one parameter), and the link tables
 * between them.
 */
import { sql } from 'kysely';
import { rowWriter } from './bulk-write.ts';
import type { Queryable, Store, Tx } from './database.ts';

export type KeyedTableName = 'time_profiles' | 'apartments' | 'identifiers';

export function keyedTable<Row extends { id: number; link_id: string | null }>(store: Store, name: KeyedTableName) {
  const table = sql.table(name);
  return {
    async byId(db: Queryable, id: number): Promise<Row | undefined> {
      return (await sql<Row>`select * from ${table} where id = ${id}`.execute(db)).rows[0];
    },
    async byIds(db: Queryable, ids: readonly number[]): Promise<Row[]> {
      if (ids.length === 0) return [];
      return (await sql<Row>`select * from ${table} where ${store.inList('id', ids, 'integer')}`.execute(db)).rows;
    },
    async byLinkIds(db: Queryable, linkIds: readonly string[]): Promise<Row[]> {
      if (linkIds.length === 0) return [];
      return (await sql<Row>`select * from ${table} where ${store.inList('link_id', linkIds, 'text')}`.execute(db)).rows;
    },
    /** `link_id → id` for the link_ids that name a row. */
    async idsByLinkIds(db: Queryable, linkIds: readonly string[]): Promise<Map<string, number>> {
      const found = new Map<string, number>();
      if (linkIds.length === 0) return found;
      const rows = await sql<{ id: number; link_id: string }>`select id, link_id from ${table}
        where ${store.inList('link_id', linkIds, 'text')}`.execute(db);
      for (const row of rows.rows) found.set(row.link_id, Number(row.id));
      return found;
    },
    async count(db: Queryable): Promise<number> {
      const result = await sql<{ n: number | string }>`select count(*) as n from ${table}`.execute(db);
      return Number(result.rows[0].n);
    },
    async deleteByIds(db: Queryable, ids: readonly number[]): Promise<number> {
      if (ids.length === 0) return 0;
      const result = await sql`delete from ${table} where ${store.inList('id', ids, 'integer')}`.execute(db);
      return Number(result.numAffectedRows ?? 0);
    },
  };
}

export type LinkTableName = 'user_time_profiles' | 'user_apartments' | 'identifier_time_profiles';

/** A link table `owner ↔ target` (both integer ids, the pair is the primary key). */
export function linkTable(store: Store, name: LinkTableName, ownerColumn: string, targetColumn: string) {
  const table = sql.table(name);
  const owner = sql.ref(ownerColumn);
  const target = sql.ref(targetColumn);
  const write = rowWriter<Record<string, number>>(store, {
    table: name,
    columns: [
      { name: ownerColumn, type: 'int4' },
      { name: targetColumn, type: 'int4' },
    ],
    conflict: [ownerColumn, targetColumn],
    ignoreConflicts: true,
  });
  return {
    /** Adds the pairs (existing ones are kept). */
    async add(db: Tx, pairs: readonly (readonly [number, number])[]): Promise<void> {
      await write(
        db,
        pairs.map(([o, t]) => ({ [ownerColumn]: o, [targetColumn]: t })),
      );
    },
    async remove(db: Queryable, ownerId: number, targetId: number): Promise<void> {
      await sql`delete from ${table} where ${owner} = ${ownerId} and ${target} = ${targetId}`.execute(db);
    },
    /** The owners' links become exactly `pairs` (whose owners must be among `ownerIds`). */
    async replace(db: Tx, ownerIds: readonly number[], pairs: readonly (readonly [number, number])[]): Promise<void> {
      if (ownerIds.length === 0) return;
      await sql`delete from ${table} where ${store.inList(owner, ownerIds, 'integer')}`.execute(db);
      await this.add(db, pairs);
    },
    /** `[owner, target]` pairs of the given owners. */
    async ofOwners(db: Queryable, ownerIds: readonly number[]): Promise<[number, number][]> {
      if (ownerIds.length === 0) return [];
      const rows = await sql<{ o: number; t: number }>`select ${owner} as o, ${target} as t from ${table}
        where ${store.inList(owner, ownerIds, 'integer')} order by ${owner}, ${target}`.execute(db);
      return rows.rows.map((r) => [Number(r.o), Number(r.t)]);
    },
  };
}

export type LinkTable = ReturnType<typeof linkTable>;

/** Groups `[owner, target]` pairs by owner. */
export function groupPairs(pairs: readonly (readonly [number, number])[]): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const [o, t] of pairs) {
    const list = out.get(o) ?? [];
    list.push(t);
    out.set(o, list);
  }
  return out;
}
