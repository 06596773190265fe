import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { nameKey, newUser } from '../../src/directory/users.ts';
import { openStore, PLANNED_EACH_TIME } from '../../src/store/database.ts';
import { userToRow, usersRepository } from '../../src/store/users.ts';
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

describe.each(STORE_KINDS.filter((kind) => kind === 'postgres'))('statements PostgreSQL plans at each call (%s)', (kind) => {
  it('keeps no prepared statement for a query marked PLANNED_EACH_TIME, and does for the others', async () => {
    const location = await newStoreLocation(kind);
    const store = await openStore(location.url, { schema: location.schema, poolSize: 1 });
    try {
      const users = usersRepository(store);
      const row = (name: string) => {
        const { id: _none, ...rest } = userToRow({ ...newUser(0, null, '2024-01-01T00:00:00.000Z'), name }, nameKey);
        return rest;
      };
      for (let i = 0; i < 7; i++) {
        const { ids, taken } = await users.createNew([row(`Planned ${i}`), row('Planned 0')]);
        expect(ids).toHaveLength(2);
        expect([...taken]).toEqual(i === 0 ? [] : ['planned 0']);
      }
      await users.byId(store.db, 1);
      const kept = await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(store.db);
      expect(kept.rows.some((r) => r.statement.includes('from "users"'))).toBe(true);
      // The batch insert of new users (users.createNew) is marked so.
      expect(kept.rows.filter((r) => r.statement.includes('numbered as materialized'))).toEqual([]);
      expect(PLANNED_EACH_TIME.startsWith('/*')).toBe(true);
    } finally {
      await store.close();
      await location.dispose();
    }
  });
});
