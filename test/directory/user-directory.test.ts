/** The user directory's bulk paths: a bounded number of queries, and all or nothing. */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userDirectory, type BulkUserItem } from '../../src/directory/user-directory.ts';
import type { Store } from '../../src/store/database.ts';
import { CapacityError } from '../../src/directory/users.ts';
import { STORE_KINDS, newStoreLocation, openAt, type TestStoreLocation } from '../helpers/stores.ts';

function items(count: number, prefix: string): BulkUserItem[] {
  return Array.from({ length: count }, (_, i) => ({
    link_id: crypto.randomUUID(),
    name: `${prefix} ${i}`,
    info: '',
    auth_factors: ['card'],
    lock_number: 0,
    is_custom_user_access: false,
  }));
}

describe.each(STORE_KINDS)('user directory (%s)', (kind) => {
  let location: TestStoreLocation;
  let store: Store;
  let queries = 0;
  let texts: string[] = [];
  beforeAll(async () => {
    location = await newStoreLocation(kind);
    store = await openAt(location, (text) => {
      queries += 1;
      texts.push(text);
    });
  });
  afterAll(async () => {
    await store.close();
    await location.dispose();
  });

  async function countQueries(work: () => Promise<unknown>): Promise<number> {
    queries = 0;
    await work();
    return queries;
  }

  it('a bulk costs the same number of queries for 10 items as for 10 000, created or updated', async () => {
    const directory = userDirectory(store, { maxUsers: 1_000_000 });
    const small = items(10, 'Small');
    const large = items(10_000, 'Large');
    const smallCreate = await countQueries(() => directory.bulkUpsertByLinkId(small));
    const largeCreate = await countQueries(() => directory.bulkUpsertByLinkId(large));
    const largeUpdate = await countQueries(() => directory.bulkUpsertByLinkId(large.map((i) => ({ ...i, info: 'changed' }))));
    expect(smallCreate).toBeLessThanOrEqual(12);
    // SQLite splits the write into statements of at most its bind-parameter limit.
    const writeChunks = kind === 'sqlite' ? Math.ceil(10_000 / store.maxRowsPerStatement(10)) - 1 : 0;
    expect(largeCreate).toBeLessThanOrEqual(smallCreate + writeChunks);
    expect(largeUpdate).toBeLessThanOrEqual(smallCreate + writeChunks);
    const deletes = await countQueries(() => directory.bulkDeleteByLinkId(large.map((i) => i.link_id)));
    expect(deletes).toBeLessThanOrEqual(6);
  });

  it('new users that nothing in the batch links are numbered by the store, in the batch order, with no query to reserve ids', async () => {
    const reserves = (text: string) => /generate_series|sqlite_sequence/.test(text);
    const plain = items(300, 'Numbered');
    texts = [];
    await userDirectory(store).bulkUpsertByLinkId(plain);
    expect(texts.filter(reserves)).toEqual([]);
    const stored = await userDirectory(store).users.keysByLinkIds(store.db, plain.map((i) => i.link_id));
    const order = new Map(plain.map((item, i) => [item.link_id, i]));
    const byId = [...stored].sort((a, b) => Number(a.id) - Number(b.id)).map((row) => order.get(row.link_id as string));
    expect(byId).toEqual(plain.map((_, i) => i));

    // Linked to something: the ids are reserved first (the links need them).
    const linkedTo: number[][] = [];
    const linking = userDirectory(store, {
      links: {
        async replaceLinks(_tx, entries) {
          linkedTo.push(entries.map((entry) => entry.userId));
          return entries.map(() => undefined);
        },
      },
    });
    const withLinks = items(5, 'Linked').map((item) => ({ ...item, time_profiles: { link_ids: [] } }));
    texts = [];
    await linking.bulkUpsertByLinkId(withLinks);
    expect(texts.filter(reserves)).toHaveLength(1);
    const ids = (await linking.users.keysByLinkIds(store.db, withLinks.map((i) => i.link_id))).map((row) => Number(row.id));
    expect([...linkedTo[0]].sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
    expect(linkedTo[0].every((id) => id > 0)).toBe(true);
  });

  it('concurrent single creates are committed together, each with its own id and flag', async () => {
    const directory = userDirectory(store);
    const fields = (name: string) => ({ name, info: '', auth_factors: ['card' as const], lock_number: 0 as const, is_custom_user_access: false });
    const spent = await countQueries(async () => {
      const created = await Promise.all(Array.from({ length: 20 }, (_, i) => directory.create(fields(i < 2 ? 'Same Name' : `Walk In ${i}`))));
      expect(new Set(created.map((c) => c.id)).size).toBe(20);
      expect(created.map((c) => c.has_dublicates)).toEqual(Array.from({ length: 20 }, (_, i) => i < 2));
    });
    // PostgreSQL: one statement for the batch (ids, insert, names taken before); SQLite: one
    // transaction (begin, names taken, id reservation, insert, commit), which costs no round trips.
    expect(spent).toBe(kind === 'postgres' ? 1 : 5);
    const alone = await directory.create(fields('walk in 5'));
    expect(alone.has_dublicates).toBe(true);
  });

  it('concurrent creates past the capacity: exactly the room left succeeds', async () => {
    const location2 = await newStoreLocation(kind);
    const capped = await openAt(location2);
    try {
      const directory = userDirectory(capped, { maxUsers: 5 });
      const fields = { name: 'Capped', info: '', auth_factors: ['card' as const], lock_number: 0 as const, is_custom_user_access: false };
      const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => directory.create(fields)));
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(5);
      expect(outcomes.filter((o) => o.status === 'rejected').every((o) => (o as PromiseRejectedResult).reason instanceof CapacityError)).toBe(true);
    } finally {
      await capped.close();
      await location2.dispose();
    }
  });

  it('a failure inside the bulk transaction writes nothing', async () => {
    const failing = userDirectory(store, {
      links: {
        async replaceLinks() {
          throw new Error('link store failed');
        },
      },
    });
    const batch = items(50, 'Rolled Back').map((item) => ({ ...item, time_profiles: { link_ids: [] } }));
    await expect(failing.bulkUpsertByLinkId(batch)).rejects.toThrow('link store failed');
    const found = await userDirectory(store).users.keysByLinkIds(store.db, batch.map((i) => i.link_id));
    expect(found).toEqual([]);
  });
});
