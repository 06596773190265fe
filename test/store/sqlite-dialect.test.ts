import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { holdWritersLock } from '../helpers/sqlite-writer.ts';
import { newStoreLocation, openAt } from '../helpers/stores.ts';

describe('SQLite transactions', () => {
  it('wait for a writer elsewhere instead of failing when they read before they write', async () => {
    const location = await newStoreLocation('sqlite');
    const store = await openAt(location);
    try {
      const other = holdWritersLock(location.url.replace(/^sqlite:/, ''), 300);
      await other.locked;
      // A deferred BEGIN would read a snapshot first; its write then met the other writer's lock
      // and failed at once with SQLITE_BUSY, as the busy timeout cannot help a reader that wants
      // to write. Begun IMMEDIATE, the transaction waits for the lock before it reads.
      const written = await store.transaction(async (tx) => {
        const seen = await sql<{ n: number }>`select count(*) as n from settings`.execute(tx);
        await sql`insert into settings (name, value) values ('here', 'y')`.execute(tx);
        return Number(seen.rows[0].n);
      });
      await other.done;
      const names = await sql<{ name: string }>`select name from settings where name in ('here', 'from elsewhere') order by name`.execute(store.db);
      expect(names.rows.map((r) => r.name)).toEqual(['from elsewhere', 'here']);
      expect(written).toBeGreaterThanOrEqual(1);
    } finally {
      await store.close();
      await location.dispose();
    }
  });
});
