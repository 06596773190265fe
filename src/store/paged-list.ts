/**
 * One page of a table, sorted and filtered by columns that come from a fixed per-entity list
 * (never from request text), with the total count.
 */
import { sql, type Expression, type SqlBool } from 'kysely';
import type { Queryable } from './database.ts';

export interface ListField {
  column: string;
  type: 'string' | 'number' | 'boolean';
  /** For `contains`: a column that already holds the lower-cased text (else lower(column)). */
  lowerColumn?: string;
}

export interface ListSpec {
  limit: number;
  page: number;
  sort: { field: string; column: string; direction: 'asc' | 'desc' };
  filter?: { field: string; type: 'equal' | 'contains'; format: string; value: string | number; raw: string };
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export async function pagedList<Row>(
  db: Queryable,
  table: string,
  fields: Record<string, ListField>,
  spec: ListSpec,
  scope?: Expression<SqlBool>,
): Promise<{ rows: Row[]; total: number }> {
  const conditions: Expression<SqlBool>[] = scope ? [scope] : [];
  if (spec.filter) {
    const field = fields[spec.filter.field];
    if (spec.filter.type === 'contains') {
      const column = field.lowerColumn ? sql.ref(field.lowerColumn) : sql`lower(${sql.ref(field.column)})`;
      conditions.push(sql<SqlBool>`${column} like ${`%${escapeLike(String(spec.filter.value).toLowerCase())}%`} escape '\\'`);
    } else if (field.type === 'number') {
      // Bound as bigint: PostgreSQL types a parameter compared with an `integer` column as int4,
      // and a value past its range would fail the query instead of matching nothing.
      conditions.push(sql<SqlBool>`${sql.ref(field.column)} = cast(${spec.filter.value} as bigint)`);
    } else {
      conditions.push(sql<SqlBool>`${sql.ref(field.column)} = ${spec.filter.value}`);
    }
  }
  const where = conditions.length === 0 ? sql`` : sql`where ${sql.join(conditions, sql` and `)}`;
  const from = sql.table(table);
  const countResult = await sql<{ n: number | string }>`select count(*) as n from ${from} ${where}`.execute(db);
  const total = Number(countResult.rows[0]?.n ?? 0);
  const direction = sql.raw(spec.sort.direction === 'desc' ? 'desc' : 'asc');
  // Unset (NULL) sorts after every value, on both stores (PostgreSQL's own order; SQLite's is the reverse).
  const nulls = sql.raw(spec.sort.direction === 'desc' ? 'nulls first' : 'nulls last');
  const tieBreak = spec.sort.column === 'id' ? sql`` : sql`, id ${direction}`;
  const result = await sql<Row>`select * from ${from} ${where}
    order by ${sql.ref(spec.sort.column)} ${direction} ${nulls}${tieBreak}
    limit ${spec.limit} offset ${(spec.page - 1) * spec.limit}`.execute(db);
  return { rows: result.rows, total };
}
