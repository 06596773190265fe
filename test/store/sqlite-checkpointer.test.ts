import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { newStoreLocation, openAt } from '../helpers/stores.ts';

describe('SQLite checkpoints off the store connection', () => {
  it('never checkpoints inside a commit, and still keeps the WAL from growing', async () => {
    const location = await newStoreLocation('sqlite');
    const store = await openAt(location);
    const file = location.url.replace(/^sqlite:/, '');
    try {
      const setting = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(store.db);
      expect(setting.rows[0].wal_autocheckpoint).toBe(0);

      // 20 commits of ~1 MB each; with nobody checkpointing, the WAL would hold all of them.
      const blob = 'x'.repeat(1000);
      let largestWal = 0;
      for (let round = 0; round < 20; round++) {
        await store.transaction(async (tx) => {
          const rows = Array.from({ length: 1000 }, (_, i) => ({ name: `checkpoint-${round}-${i}`, value: blob }));
          await store.insertRows(tx, { table: 'settings', columns: [{ name: 'name', type: 'text' }, { name: 'value', type: 'text' }], suffix: '' }, rows);
        });
        largestWal = Math.max(largestWal, fs.statSync(`${file}-wal`).size);
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
      expect(largestWal).toBeLessThan(8 * 2 ** 20);
      const count = await sql<{ n: number }>`select count(*) as n from settings where name like 'checkpoint-%'`.execute(store.db);
      expect(Number(count.rows[0].n)).toBe(20_000);
    } finally {
      await store.close();
      await location.dispose();
    }
  });

  it('lets a script that awaits close() carry on after it (the thread is waited for)', async () => {
    const location = await newStoreLocation('sqlite');
    try {
      const database = path.resolve(import.meta.dirname, '../../src/store/database.ts');
      const script = `import { openStore } from ${JSON.stringify(database)};
        const store = await openStore(${JSON.stringify(location.url)});
        await store.close();
        console.log('carried on');`;
      const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
      expect({ status: run.status, stdout: run.stdout.trim(), stderr: run.stderr }).toMatchObject({ status: 0, stdout: 'carried on' });
    } finally {
      await location.dispose();
    }
  });
});
