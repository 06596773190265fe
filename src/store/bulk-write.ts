/**
 * Set-based writes shared by the tables: whole rows upserted by id (one `unnest` statement per
 * 20 000 rows on PostgreSQL, chunked multi-row VALUES on SQLite) and link rows inserted the same way.
 */
import { sql } from 'kysely';
import { chunk, type Queryable, type Store } from './database.ts';

/** PostgreSQL array element type of each column (the unnest casts). */
export type PgColumnTypes<Row> = { [K in keyof Row]: 'int4' | 'int8' | 'text' };

export interface RowTable<Row> {
  table: string;
  /** Every column, in order; `id` must be one of them. */
  columns: readonly (keyof Row & string)[];
  pgTypes: PgColumnTypes<Row>;
  /** Columns an update leaves as they are (e.g. created_at). */
  keepOnUpdate?: readonly (keyof Row & string)[];
  /** The conflict target; default `id`. */
  conflict?: readonly (keyof Row & string)[];
  /** On conflict, do nothing instead of updating (link rows). */
  ignoreConflicts?: boolean;
}

export function rowWriter<Row extends object>(store: Store, spec: RowTable<Row>) {
  const keep = new Set<string>([...(spec.conflict ?? ['id']), ...(spec.keepOnUpdate ?? [])]);
  const updates = spec.columns.filter((c) => !keep.has(c));
  const onConflict = sql.raw(
    `on conflict (${(spec.conflict ?? ['id']).join(', ')}) ` +
      (spec.ignoreConflicts || updates.length === 0
        ? 'do nothing'
        : `do update set ${updates.map((c) => `${c} = excluded.${c}`).join(', ')}`),
  );
  const columnList = sql.raw(spec.columns.join(', '));
  const table = sql.table(spec.table);

  return async function write(db: Queryable, rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) return;
    if (store.kind === 'postgres') {
      for (const part of chunk(rows, 20_000)) {
        const arrays = spec.columns.map(
          (c) => sql`${part.map((r) => r[c as keyof Row])}::${sql.raw(spec.pgTypes[c as keyof Row])}[]`,
        );
        await sql`insert into ${table} (${columnList}) select * from unnest(${sql.join(arrays)}) ${onConflict}`.execute(db);
      }
      return;
    }
    for (const part of chunk(rows, store.maxRowsPerStatement(spec.columns.length))) {
      const values = part.map((r) => sql`(${sql.join(spec.columns.map((c) => r[c as keyof Row]))})`);
      await sql`insert into ${table} (${columnList}) values ${sql.join(values)} ${onConflict}`.execute(db);
    }
  };
}
