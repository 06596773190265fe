import { sql, type Kysely } from 'kysely';
import type { StoreKind } from '../database.ts';
import { CHANGES_CHANNEL } from '../data-version.ts';

/** The tables an access decision reads (identifiers, their time profiles, their users' ones). */
const DECISION_TABLES = ['identifiers', 'identifier_time_profiles', 'user_time_profiles', 'time_profiles'];

/**
 * PostgreSQL: every statement that changes a table an access decision reads notifies
 * CHANGES_CHANNEL (delivered at commit, once per transaction), so that every Gatehouse process
 * on the database drops its cached decision facts (data-version.ts). SQLite tells other
 * connections' commits by `PRAGMA data_version` and needs nothing here.
 */
export async function up(db: Kysely<any>, kind: StoreKind): Promise<void> {
  if (kind !== 'postgres') return;
  await sql`create or replace function gatehouse_notify_change() returns trigger language plpgsql as $$
    begin
      perform pg_notify(${sql.lit(CHANGES_CHANNEL)}, '');
      return null;
    end $$`.execute(db);
  for (const table of DECISION_TABLES) {
    await sql`create trigger ${sql.id(`${table}_changed`)} after insert or update or delete or truncate on ${sql.table(table)}
      for each statement execute function gatehouse_notify_change()`.execute(db);
  }
}
