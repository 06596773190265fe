/**
 * WAL checkpoints for the SQLite store, on a thread of their own. SQLite's automatic checkpoint
 * runs inside the commit that crosses its threshold and waits for two fsyncs there, on the event
 * loop: every request behind that commit waited too. Here the store's connection never
 * checkpoints (`wal_autocheckpoint = 0`); a second connection on a worker thread runs a PASSIVE
 * checkpoint (it never blocks writers or readers) every `intervalMs`. Durability is unchanged:
 * with `synchronous = NORMAL` the WAL is synced at checkpoints, wherever they run.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** Plain CommonJS, evaluated: no loader (tsx, vitest) is involved in starting the thread. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
const checkpoint = db.prepare('pragma wal_checkpoint(PASSIVE)');
const run = () => {
  try {
    checkpoint.get();
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message || error) });
  }
};
const timer = setInterval(run, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

export interface CheckpointerOptions {
  intervalMs?: number;
  onError?: (message: string) => void;
}

export function startCheckpointer(file: string, options: CheckpointerOptions = {}): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver, intervalMs: options.intervalMs ?? 100 } });
  worker.on('message', (message: { error?: string }) => {
    if (message.error) options.onError?.(message.error);
  });
  worker.on('error', (error) => options.onError?.(error.message));
  // The thread must not keep a process alive that has nothing else to do.
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    async stop() {
      // Whoever waits for the stop must not see the process end first.
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
