/** The users table's indexes on the platform's key columns hold only users that have the key. */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { STORE_KINDS, storeForTests } from '../helpers/stores.ts';

const PARTIAL = { users_username_key: 'username_key', users_external_id: 'external_id', users_email: 'email', users_mobile_phone: 'mobile_phone' };

describe.each(STORE_KINDS)('user key indexes (%s)', (kind) => {
  const t = storeForTests(kind);

  it('leave out users without the key, keep uniqueness, and still serve lookups by value', async () => {
    const definitions =
      kind === 'sqlite'
        ? await sql<{ name: string; definition: string }>`select name, sql as definition from sqlite_master where type = 'index' and tbl_name = 'users'`.execute(t.store.db)
        : await sql<{ name: string; definition: string }>`select indexname as name, indexdef as definition from pg_indexes where tablename = 'users' and schemaname = current_schema()`.execute(t.store.db);
    for (const [name, column] of Object.entries(PARTIAL)) {
      const index = definitions.rows.find((row) => row.name === name);
      expect(index?.definition.toLowerCase().replace(/[()"]/g, '')).toMatch(new RegExp(`where ${column} is not null`));
    }
    // Two users without an External_Id are fine; two with the same one are not.
    const insert = (id: number, externalId: string | null) =>
      sql`insert into users (id, name, name_key, info, auth_factors, lock_number, is_custom_user_access, is_active, created_at, modified_at, external_id)
        values (${id}, 'n', 'n', '', '', 0, 0, 1, 'x', 'x', ${externalId})`.execute(t.store.db);
    await insert(900_001, null);
    await insert(900_002, null);
    await insert(900_003, 'EXT-1');
    await expect(insert(900_004, 'EXT-1')).rejects.toThrow(/unique/i);
    // Lookups by a value use them (`IN (…)` as the bulk paths ask).
    const plan =
      kind === 'sqlite'
        ? (await sql<{ detail: string }>`explain query plan select id from users where external_id in (select value from json_each('["a"]'))`.execute(t.store.db)).rows.map((r) => r.detail)
        : (await sql<{ 'QUERY PLAN': string }>`explain select id from users where external_id = any(array['a'])`.execute(t.store.db)).rows.map((r) => r['QUERY PLAN']);
    expect(plan.join('\n')).toMatch(/users_external_id/);
  });
});
