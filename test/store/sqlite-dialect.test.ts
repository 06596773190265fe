import { Worker } from 'node:worker_threads';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { newStoreLocation, openAt } from '../helpers/stores.ts';

/** Another connection, on a thread of its own, that holds the writers' lock for `ms`. */
function holdWritersLock(file: string, ms: number): { locked: Promise<void>; done: Promise<void> } {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const db = new (require(workerData.driver))(workerData.file);
     db.exec('begin immediate');
     db.prepare("insert into settings (name, value) values ('from elsewhere', 'x')").run();
     parentPort.postMessage('locked');
     Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.ms);
     db.exec('commit');
     db.close();`,
    { eval: true, workerData: { file, driver, ms } },
  );
  const locked = new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  const done = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return { locked, done };
}

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
