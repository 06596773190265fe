import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { nameKey, newUser } from '../../src/directory/users.ts';
import { openStore } from '../../src/store/database.ts';
import { NEW_USERS_STATEMENT, userToRow, usersRepository } from '../../src/store/users.ts';
import { newStoreLocation, STORE_KINDS, storeForTests } from '../helpers/stores.ts';

describe.each(STORE_KINDS)('compiled statements reused by the store (%s)', (kind) => {
  const t = storeForTests(kind);

  it('answers a reused statement with the values of each call', async () => {
    const read = (n: number) => sql<{ v: number }>`select ${n} + 1 as v`.execute(t.store.db);
    for (const n of [1, 2, 3]) expect(Number((await read(n)).rows[0].v)).toBe(n + 1);
  });

  it('keeps answering past the number of statements it keeps', async () => {
    // 1100 distinct query texts: past the SQLite cache (cleared at 1000) and the PostgreSQL bound (200 per connection).
    for (let i = 0; i < 1100; i++) {
      const result = await sql<{ v: number }>`select ${sql.raw(String(i))} + ${1} as v`.execute(t.store.db);
      expect(Number(result.rows[0].v)).toBe(i + 1);
    }
    const again = await sql<{ v: number }>`select ${sql.raw('7')} + ${1} as v`.execute(t.store.db);
    expect(Number(again.rows[0].v)).toBe(8);
  });

  it('reports the rows an update changed through a reused statement', async () => {
    await sql`create table t_counter (id integer primary key, n integer not null)`.execute(t.store.db);
    await sql`insert into t_counter (id, n) values (1, 0)`.execute(t.store.db);
    const bump = () => sql`update t_counter set n = n + 1 where id = ${1} and n < ${2}`.execute(t.store.db);
    const changed = [];
    for (let i = 0; i < 3; i++) changed.push(Number((await bump()).numAffectedRows));
    expect(changed).toEqual([1, 1, 0]);
  });
});

describe.each(STORE_KINDS.filter((kind) => kind === 'postgres'))('the single-create batch statement (%s)', (kind) => {
  it('probes the name index even in a generic plan made while users was empty', async () => {
    const location = await newStoreLocation(kind);
    const store = await openStore(location.url, { schema: location.schema, poolSize: 1 });
    try {
      // What a named statement keeps after five calls: the generic plan, made with the sizes of the day.
      await sql`set plan_cache_mode = force_generic_plan`.execute(store.db);
      const types = (NEW_USERS_STATEMENT.match(/\$\d+::\w+\[\]/g) ?? []).map((p) => p.replace(/^\$\d+::/, ''));
      await sql.raw(`prepare new_users (${types.join(', ')}) as ${NEW_USERS_STATEMENT.replace(/::\w+\[\]/g, '')}`).execute(store.db);
      const plan = await sql.raw<{ 'QUERY PLAN': string }>(`explain execute new_users (${types.map(() => 'null').join(', ')})`).execute(store.db);
      const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(text).toMatch(/Index Only Scan using users_name_key on users u|Index Scan using users_name_key on users u/);
      expect(text).not.toMatch(/Seq Scan on users u/);

      // And it does what it says: ids in order, names taken before (or not).
      const users = usersRepository(store);
      const row = (name: string) => {
        const { id: _none, ...rest } = userToRow({ ...newUser(0, null, '2024-01-01T00:00:00.000Z'), name }, nameKey);
        return rest;
      };
      const first = await users.createNew([row('Planned A'), row('Planned B')]);
      const second = await users.createNew([row('Planned B'), row('Planned C')]);
      expect(second.ids[0]).toBeGreaterThan(first.ids[1]);
      expect([...first.taken]).toEqual([]);
      expect([...second.taken]).toEqual(['planned b']);
    } finally {
      await store.close();
      await location.dispose();
    }
  });
});
