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
      columns: ['id', 'link_id', 'name', 'rules', 'created_at', 'modified_at'],
      pgTypes: { id: 'int4', link_id: 'text', name: 'text', rules: 'text', created_at: 'text', modified_at: 'text' },
      keepOnUpdate: ['created_at'],
    }),
  };
}

export type TimeProfilesRepository = ReturnType<typeof timeProfilesRepository>;
