/**
 * Test stores: every contract test runs once per store kind — SQLite in a temporary file, and
 * PostgreSQL in a schema of its own (dropped afterwards) when the server is reachable.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { openStore, type Store, type StoreKind } from '../../src/store/database.ts';
import { TEST_DATABASE_URL } from './postgres.ts';

export const STORE_KINDS: StoreKind[] = inject('postgres') ? ['sqlite', 'postgres'] : ['sqlite'];

export interface TestStoreLocation {
  kind: StoreKind;
  url: string;
  schema?: string;
  dispose(): Promise<void>;
}

/** A fresh, empty place for a store; open it (again) with openAt. */
export async function newStoreLocation(kind: StoreKind): Promise<TestStoreLocation> {
  const id = crypto.randomBytes(6).toString('hex');
  if (kind === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-test-'));
    return {
      kind,
      url: `sqlite:${path.join(dir, 'gatehouse.db')}`,
      async dispose() {
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `t_${id}`;
  return {
    kind,
    url: TEST_DATABASE_URL,
    schema,
    async dispose() {
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      await client.query(`drop schema if exists "${schema}" cascade`);
      await client.end();
    },
  };
}

export function openAt(location: TestStoreLocation, onQuery?: (sql: string) => void): Promise<Store> {
  return openStore(location.url, { schema: location.schema, poolSize: 4, onQuery });
}

/**
 * A fresh store for the tests of the enclosing describe block, opened before them and disposed
 * after: read `.store` inside the tests.
 */
export function storeForTests(kind: StoreKind): { readonly store: Store } {
  const holder = {} as { store: Store; location: TestStoreLocation };
  beforeAll(async () => {
    holder.location = await newStoreLocation(kind);
    holder.store = await openAt(holder.location);
  });
  afterAll(async () => {
    await holder.store?.close().catch(() => undefined);
    await holder.location?.dispose();
  });
  return holder;
}

/** The store's data version once it can tell (PostgreSQL's listener connects on first use). */
export async function knownDataVersion(store: Store): Promise<number> {
  for (let i = 0; i < 300; i++) {
    const version = store.dataVersion();
    if (version !== undefined) return version;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('the store never told its data version');
}
