import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { accessDecisions } from '../../src/directory/access-decisions.ts';
import { identifierDirectory } from '../../src/directory/identifier-directory.ts';
import { PERMANENT } from '../../src/directory/identifiers.ts';
import { postgresDataVersion } from '../../src/store/data-version.ts';
import type { Store } from '../../src/store/database.ts';
import { knownDataVersion, newStoreLocation, openAt, STORE_KINDS, storeForTests } from '../helpers/stores.ts';

describe.each(STORE_KINDS)('the data version (%s)', (kind) => {
  const t = storeForTests(kind);

  it('stays put while only reading, and moves with every write', async () => {
    const start = await knownDataVersion(t.store);
    await t.store.db.selectFrom('users').select('id').execute();
    await sql`select count(*) from identifiers`.execute(t.store.db);
    expect(t.store.dataVersion()).toBe(start);
    await t.store.transaction(async (tx) => {
      await tx.deleteFrom('identifiers').where('id', '=', -1).execute();
    });
    const afterWrite = t.store.dataVersion();
    expect(afterWrite).not.toBe(start);
    await t.store.transaction(async (tx) => {
      await t.store.insertRows(tx, { table: 'settings', columns: [{ name: 'name', type: 'text' }, { name: 'value', type: 'text' }], suffix: '' }, [
        { name: 'data-version-test', value: 'x' },
      ]);
    });
    expect(t.store.dataVersion()).not.toBe(afterWrite);
  });

  it('stays put through a transaction that changes nothing: one that only reads, or is rolled back', async () => {
    const start = await knownDataVersion(t.store);
    await t.store.transaction(async (tx) => {
      await tx.selectFrom('users').select('id').execute();
    });
    await t.store.transaction(async (tx) => tx.selectFrom('identifiers').select('id').execute(), { exclusive: true });
    await expect(
      t.store.transaction(async (tx) => {
        await tx.selectFrom('users').select('id').execute();
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(t.store.dataVersion()).toBe(start);
  });

  it('decisions read the store every time while it cannot tell', async () => {
    const location = await newStoreLocation(kind);
    let queries = 0;
    const store = await openAt(location, () => (queries += 1));
    try {
      await identifierDirectory(store).create({ owner: { name: '', type: 'owner' }, type: 'card', number: '42', lock: 'first', valid: PERMANENT });
      const blind: Store = { ...store, dataVersion: () => undefined };
      const decisions = accessDecisions(blind, { timeZone: 'UTC' });
      const before = queries;
      for (let i = 0; i < 3; i++) expect(await decisions.decide('card', '42')).toEqual({ granted: true, lockNumber: 1 });
      expect(queries - before).toBe(3);
    } finally {
      await store.close();
      await location.dispose();
    }
  });
});

describe('the PostgreSQL change listener', () => {
  it('cannot tell (undefined) while it cannot connect, and closes cleanly', async () => {
    const errors: unknown[] = [];
    const version = postgresDataVersion({ url: 'postgres://nobody@127.0.0.1:1/none', onError: (error) => errors.push(error) });
    expect(version.current()).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(version.current()).toBeUndefined();
    expect(errors.length).toBeGreaterThan(0);
    await version.close();
  });
});
