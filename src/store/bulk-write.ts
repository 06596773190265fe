/**
 * Object rows onto the store's set-based writer (`Store.insertRows`): whole rows upserted by id,
 * or link rows inserted with conflicts ignored. Table and column names are code, never request text.
 */
import type { PgType, RowWriteSpec, Store, Tx } from './database.ts';

export interface RowTable<Row> {
  table: string;
  /** Every column written, in order, with its PostgreSQL array element type. */
  columns: readonly { name: keyof Row & string; type: PgType }[];
  /** Columns an update leaves as they are (e.g. created_at). */
  keepOnUpdate?: readonly (keyof Row & string)[];
  /** The conflict target; default `id`. */
  conflict?: readonly (keyof Row & string)[];
  /** On conflict, do nothing instead of updating (link rows). */
  ignoreConflicts?: boolean;
  /**
   * Rows known to be new: a plain insert, without a conflict clause (a conflict is an error).
   * PostgreSQL inserts them without ON CONFLICT's speculative insertion.
   */
  insertOnly?: boolean;
}

export function rowWriter<Row extends object>(store: Store, spec: RowTable<Row>) {
  const conflict = spec.conflict ?? ['id'];
  const keep = new Set<string>([...conflict, ...(spec.keepOnUpdate ?? [])]);
  const updates = spec.columns.filter((c) => !keep.has(c.name)).map((c) => `${c.name} = excluded.${c.name}`);
  const write: RowWriteSpec = {
    table: spec.table,
    columns: spec.columns,
    suffix: spec.insertOnly
      ? ''
      : `on conflict (${conflict.join(', ')}) ${spec.ignoreConflicts || updates.length === 0 ? 'do nothing' : `do update set ${updates.join(', ')}`}`,
  };
  return async function writeRows(tx: Tx, rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) return;
    await store.insertRows(tx, write, rows);
  };
}
