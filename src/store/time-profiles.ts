/** The time_profiles table. */
import type { Selectable } from 'kysely';
import { rowWriter } from './bulk-write.ts';
import type { Store } from './database.ts';
import { keyedTable } from './keyed-tables.ts';
import type { TimeProfilesTable } from './schema.ts';

export type TimeProfileRow = Selectable<TimeProfilesTable>;

export function timeProfilesRepository(store: Store) {
  return {
    ...keyedTable<TimeProfileRow>(store, 'time_profiles'),
    /** Writes whole rows: inserts the new ids, replaces the existing ones (created_at kept). */
    upsert: rowWriter<TimeProfileRow>(store, {
      table: 'time_profiles',
      columns: [
        { name: 'id', type: 'int4' },
        { name: 'link_id', type: 'text' },
        { name: 'name', type: 'text' },
        { name: 'rules', type: 'text' },
        { name: 'created_at', type: 'text' },
        { name: 'modified_at', type: 'text' },
      ],
      keepOnUpdate: ['created_at'],
    }),
  };
}

export type TimeProfilesRepository = ReturnType<typeof timeProfilesRepository>;
