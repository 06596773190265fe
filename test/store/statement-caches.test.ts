import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { STORE_KINDS, storeForTests } from '../helpers/stores.ts';

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
