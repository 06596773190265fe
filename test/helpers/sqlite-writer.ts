/** Another writer on a store's SQLite file, on a thread of its own (so that the test's thread may wait for it). */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface OtherWriter {
  /** Settled once the other connection holds the writers' lock. */
  locked: Promise<void>;
  /** Settled once it has committed and closed. */
  done: Promise<void>;
}

/**
 * Commits `fill` settings rows of ~4 KB first (when asked), then holds the writers' lock (`begin
 * immediate`, one row 'from elsewhere') for `ms` and commits.
 */
export function holdWritersLock(file: string, ms: number, fill = 0): OtherWriter {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const db = new (require(workerData.driver))(workerData.file);
     const insert = db.prepare('insert into settings (name, value) values (?, ?)');
     db.transaction(() => {
       for (let i = 0; i < workerData.fill; i++) insert.run('fill-' + i, 'f'.repeat(4000));
     })();
     db.exec('begin immediate');
     insert.run('from elsewhere', 'x');
     parentPort.postMessage('locked');
     Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.ms);
     db.exec('commit');
     db.close();`,
    { eval: true, workerData: { file, driver, ms, fill } },
  );
  const locked = new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  const done = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return { locked, done };
}
