/** The forms of DATABASE_URL that operations.md promises. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/database.ts';
import { TEST_DATABASE_URL } from '../helpers/postgres.ts';
import { STORE_KINDS } from '../helpers/stores.ts';

const SOCKET_DIR = '/var/run/postgresql';

describe('DATABASE_URL forms', () => {
  it.each(['sqlite:', ''])('a SQLite file given as "%s<path>" is created with its folder and migrated', async (prefix) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-url-'));
    const file = path.join(dir, 'nested', 'g.db');
    try {
      const store = await openStore(`${prefix}${file}`);
      expect(store.kind).toBe('sqlite');
      await store.ping();
      expect(await store.db.selectFrom('users').select('id').execute()).toEqual([]);
      await store.close();
      expect(fs.existsSync(file)).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  // The socket form, when this machine's PostgreSQL listens on the usual socket directory.
  if (STORE_KINDS.includes('postgres') && fs.existsSync(path.join(SOCKET_DIR, '.s.PGSQL.5432'))) {
    it('PostgreSQL through its socket, the URL naming no user (postgresql:///db?host=…)', async () => {
      const database = new URL(TEST_DATABASE_URL).pathname.slice(1);
      const schema = `sock_${process.pid}`;
      const store = await openStore(`postgresql:///${database}?host=${SOCKET_DIR}`, { schema });
      try {
        expect(store.kind).toBe('postgres');
        await store.ping();
        expect(await store.db.selectFrom('users').select('id').execute()).toEqual([]);
      } finally {
        await store.close();
        const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
        await client.connect();
        await client.query(`drop schema if exists "${schema}" cascade`);
        await client.end();
      }
    });
  }
});

describe('the SQLite connection', () => {
  it('runs in WAL with synchronous NORMAL, checkpoints elsewhere, and keeps temporary data in memory', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-pragmas-'));
    const store = await openStore(`sqlite:${path.join(dir, 'g.db')}`);
    try {
      const pragma = async (name: string) => Object.values((await sql.raw(`pragma ${name}`).execute(store.db)).rows[0] as object)[0];
      expect(await pragma('journal_mode')).toBe('wal');
      expect(await pragma('synchronous')).toBe(1);
      expect(await pragma('wal_autocheckpoint')).toBe(0);
      // 2 = MEMORY: a bulk's statement journal never spills to a temporary file, one write per page.
      expect(await pragma('temp_store')).toBe(2);
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
