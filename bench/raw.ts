/**
 * The raw database's rate on the same rows and the same schema (created by Gatehouse's own
 * migrations), written the fastest way each store allows:
 * SQLite — one transaction of prepared upserts per batch (better-sqlite3 directly);
 * PostgreSQL — one `INSERT … SELECT FROM unnest(…) ON CONFLICT` per batch (pg directly).
 */
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import type { AccessItem } from './data.ts';

export type RawTarget = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

const ACCESS_UPDATE =
  'name = excluded.name, name_key = excluded.name_key, info = excluded.info, auth_factors = excluded.auth_factors, ' +
  'lock_number = excluded.lock_number, is_custom_user_access = excluded.is_custom_user_access, modified_at = excluded.modified_at';

/**
 * A raw SQLite connection with the server's settings (WAL, synchronous NORMAL, temporary data in
 * memory, foreign keys), so that the two sides differ only in how they write.
 */
export function openRawSqlite(file: string): SqliteDatabase.Database {
  const db = new SqliteDatabase(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('temp_store = MEMORY');
  db.pragma('foreign_keys = ON');
  return db;
}

/** Upserts the batches by link_id; returns the seconds it took. */
export async function rawAccessUpsert(target: RawTarget, batches: AccessItem[][]): Promise<number> {
  const now = new Date().toISOString();
  if (target.kind === 'sqlite') {
    const db = openRawSqlite(target.file);
    const insert = db.prepare(
      `insert into users (link_id, name, name_key, info, auth_factors, lock_number, is_custom_user_access, is_active, created_at, modified_at)
       values (?, ?, ?, ?, ?, ?, ?, 1, ?, ?) on conflict (link_id) do update set ${ACCESS_UPDATE}`,
    );
    const write = db.transaction((batch: AccessItem[]) => {
      for (const i of batch) {
        insert.run(i.link_id, i.name, i.name.trim().toLowerCase(), i.info, i.auth_factors.join(','), i.lock_number, i.is_custom_user_access ? 1 : 0, now, now);
      }
    });
    const start = performance.now();
    for (const batch of batches) write(batch);
    const seconds = (performance.now() - start) / 1000;
    db.close();
    return seconds;
  }
  const client = new pg.Client({ connectionString: target.url });
  await client.connect();
  try {
    const start = performance.now();
    for (const batch of batches) {
      await client.query('begin');
      await client.query(
        `insert into users (id, link_id, name, name_key, info, auth_factors, lock_number, is_custom_user_access, is_active, created_at, modified_at)
         select nextval('users_id_seq'), l, n, k, i, a, ln, c, 1, $8, $8
         from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int4[], $7::int4[]) as t(l, n, k, i, a, ln, c)
         on conflict (link_id) do update set ${ACCESS_UPDATE}`,
        [
          batch.map((i) => i.link_id),
          batch.map((i) => i.name),
          batch.map((i) => i.name.trim().toLowerCase()),
          batch.map((i) => i.info),
          batch.map((i) => i.auth_factors.join(',')),
          batch.map((i) => i.lock_number),
          batch.map((i) => (i.is_custom_user_access ? 1 : 0)),
          now,
        ],
      );
      await client.query('commit');
    }
    return (performance.now() - start) / 1000;
  } finally {
    await client.end();
  }
}
