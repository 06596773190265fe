import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/database.ts';
import { startCheckpointer } from '../../src/store/sqlite-checkpointer.ts';
import { holdWritersLock } from '../helpers/sqlite-writer.ts';
import { newStoreLocation, openAt } from '../helpers/stores.ts';

const SETTINGS = { table: 'settings', columns: [{ name: 'name', type: 'text' as const }, { name: 'value', type: 'text' as const }], suffix: '' };
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A file in WAL mode that checkpoints nothing itself, with a table t and ~200 pages of it in the WAL. */
function walWithFrames(file: string) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new SqliteDatabase(file);
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 0');
  db.exec('create table t (v text)');
  const insert = db.prepare('insert into t (v) values (?)');
  insert.run('first');
  const fill = db.transaction(() => {
    for (let i = 0; i < 200; i++) insert.run('y'.repeat(4000));
  });
  return { db, insert, fill };
}

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
        await sleep(150);
      }
      expect(largestWal).toBeLessThan(8 * 2 ** 20);
      const count = await sql<{ n: number }>`select count(*) as n from settings where name like 'checkpoint-%'`.execute(store.db);
      expect(Number(count.rows[0].n)).toBe(20_000);
    } finally {
      await store.close();
      await location.dispose();
    }
  });

  it('starts the WAL over under writes that never pause, loses none of them, and shrinks its file back', async () => {
    const location = await newStoreLocation('sqlite');
    // 1 000 frames: the WAL starts over past ~4 MB, and its file goes back to that size.
    const store = await openStore(location.url, { walRestartFrames: 1000 });
    const file = location.url.replace(/^sqlite:/, '');
    const write = (name: string) => store.transaction((tx) => store.insertRows(tx, SETTINGS, [{ name, value: 'x'.repeat(3000) }]));
    // The WAL header's checkpoint sequence number: one more each time the WAL starts over.
    const restarts = () => fs.readFileSync(`${file}-wal`).readUInt32BE(12);
    try {
      await write('steady-first');
      const before = restarts();
      // One commit after another for 1.5 s. A PASSIVE checkpoint never finds the WAL copied at
      // the moment the next write begins, so without a restart the WAL held every commit.
      const started = performance.now();
      let commits = 1;
      while (performance.now() - started < 1500) {
        await write(`steady-${commits}`);
        commits += 1;
        if (commits % 100 === 0) await nextTurn();
      }
      expect(restarts() - before).toBeGreaterThanOrEqual(3);
      const count = await sql<{ n: number }>`select count(*) as n from settings where name like 'steady-%'`.execute(store.db);
      expect(Number(count.rows[0].n)).toBe(commits);

      // Once the writes pause, the next one starts the WAL over and cuts its file back.
      await sleep(300);
      await write('after the pause');
      expect(fs.statSync(`${file}-wal`).size).toBeLessThan(1000 * (4096 + 24) + 4096 * 4);
    } finally {
      await store.close();
      await location.dispose();
    }
  });

  it('holds new writes with a promise while it starts the WAL over, not with a lock', async () => {
    const location = await newStoreLocation('sqlite');
    const file = location.url.replace(/^sqlite:/, '');
    const { db, insert, fill } = walWithFrames(file);
    fill();
    const checkpointer = startCheckpointer(file, { intervalMs: 20, restartFrames: 100 });
    try {
      // A write transaction left open: the restart must wait for it (it takes the writers' lock).
      db.exec('begin immediate');
      insert.run('open');
      let held: Promise<void> | undefined;
      for (let waited = 0; !held && waited < 5000; waited += 10) {
        await sleep(10);
        held = checkpointer.writable();
      }
      expect(held).toBeInstanceOf(Promise);
      let resumed = false;
      void held?.then(() => (resumed = true));
      await sleep(100);
      expect(resumed).toBe(false);

      db.exec('commit');
      await held;
      expect(checkpointer.writable()).toBeUndefined();
      // Every frame copied and nobody reading the WAL: the next write starts it from the beginning.
      insert.run('after');
      const frames = db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[];
      expect(frames[0].log).toBeLessThan(10);
      expect(db.prepare('select count(*) as n from t').get()).toEqual({ n: 203 });
    } finally {
      await checkpointer.stop();
      db.close();
      await location.dispose();
    }
  });

  it("holds the store's transactions during a restart without holding up its event loop", async () => {
    const location = await newStoreLocation('sqlite');
    const store = await openStore(location.url, { walRestartFrames: 100 });
    try {
      // Another writer fills the WAL past the restart size, then holds the writers' lock: the
      // thread's restart waits for it, with the gate closed, until that writer commits.
      const other = holdWritersLock(location.url.replace(/^sqlite:/, ''), 900, 200);
      await other.locked;
      await sleep(300);

      let last = performance.now();
      let longestGap = 0;
      const tick = () => {
        const now = performance.now();
        longestGap = Math.max(longestGap, now - last);
        last = now;
      };
      const ticker = setInterval(tick, 5);
      const asked = performance.now();
      try {
        await store.transaction((tx) => store.insertRows(tx, SETTINGS, [{ name: 'held', value: 'h' }]));
      } finally {
        tick();
        clearInterval(ticker);
      }
      // It waited for the other writer (held ~600 ms more), and timers ran meanwhile; waiting for
      // the lock inside SQLite instead would have stopped them for all that time.
      expect(performance.now() - asked).toBeGreaterThan(150);
      expect(longestGap).toBeLessThan(150);
      await other.done;
      const names = await sql<{ name: string }>`select name from settings where name in ('held', 'from elsewhere') order by name`.execute(store.db);
      expect(names.rows.map((r) => r.name)).toEqual(['from elsewhere', 'held']);
    } finally {
      await store.close();
      await location.dispose();
    }
  });

  it('leaves the WAL alone while a reader elsewhere holds an older snapshot', async () => {
    const location = await newStoreLocation('sqlite');
    const file = location.url.replace(/^sqlite:/, '');
    const { db: writer, insert, fill } = walWithFrames(file);
    // A reader (a backup, a query tool) in the middle of a read: nothing after its snapshot can be
    // copied into the database until it ends, so a restart could only wait for it, holding off
    // every writer meanwhile.
    const reader = new SqliteDatabase(file);
    reader.exec('begin');
    expect(reader.prepare('select count(*) as n from t').get()).toEqual({ n: 1 });
    fill();
    const checkpointer = startCheckpointer(file, { intervalMs: 20, restartFrames: 100 });
    try {
      writer.pragma('busy_timeout = 0');
      for (let waited = 0; waited < 300; waited += 5) {
        await sleep(5);
        expect(checkpointer.writable()).toBeUndefined();
        insert.run('while the reader reads');
      }
      reader.exec('commit');
    } finally {
      await checkpointer.stop();
      reader.close();
      writer.close();
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
