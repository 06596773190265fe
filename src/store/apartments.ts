/** The apartments table; an apartment's logical address (building, unit, floor, room) is unique. */
import { sql, type Selectable } from 'kysely';
import { rowWriter } from './bulk-write.ts';
import type { Queryable, Store } from './database.ts';
import { keyedTable } from './keyed-tables.ts';
import type { ApartmentsTable } from './schema.ts';

export type ApartmentRow = Selectable<ApartmentsTable>;
export type AddressTuple = readonly [building: number, unit: number, floor: number, room: number];

export function apartmentsRepository(store: Store) {
  return {
    ...keyedTable<ApartmentRow>(store, 'apartments'),

    upsert: rowWriter<ApartmentRow>(store, {
      table: 'apartments',
      columns: [
        { name: 'id', type: 'int4' },
        { name: 'link_id', type: 'text' },
        { name: 'name', type: 'text' },
        { name: 'building', type: 'int4' },
        { name: 'unit', type: 'int4' },
        { name: 'floor', type: 'int4' },
        { name: 'room', type: 'int4' },
        { name: 'residents_count', type: 'int4' },
        { name: 'created_at', type: 'text' },
        { name: 'modified_at', type: 'text' },
      ],
      keepOnUpdate: ['created_at'],
    }),

    /** The apartments at any of the addresses (the whole set bound as one parameter). */
    async byAddresses(db: Queryable, addresses: readonly AddressTuple[]): Promise<ApartmentRow[]> {
      if (addresses.length === 0) return [];
      const tuple = sql`(building, unit, floor, room)`;
      if (store.kind === 'postgres') {
        const column = (i: number) => addresses.map((a) => a[i]);
        return (
          await sql<ApartmentRow>`select * from apartments where ${tuple} in
            (select * from unnest(${column(0)}::int4[], ${column(1)}::int4[], ${column(2)}::int4[], ${column(3)}::int4[]))`.execute(db)
        ).rows;
      }
      return (
        await sql<ApartmentRow>`select * from apartments where ${tuple} in
          (select value ->> 0, value ->> 1, value ->> 2, value ->> 3 from json_each(${JSON.stringify(addresses)}))`.execute(db)
      ).rows;
    },

    /**
     * Moves the given apartments to addresses no real one has (building = -id), so that a set of
     * rows can then swap or shift their addresses in one upsert.
     */
    async releaseAddresses(db: Queryable, ids: readonly number[]): Promise<void> {
      if (ids.length === 0) return;
      await sql`update apartments set building = -id where ${store.inList('id', ids, 'integer')}`.execute(db);
    },
  };
}

export type ApartmentsRepository = ReturnType<typeof apartmentsRepository>;
