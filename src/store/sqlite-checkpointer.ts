/**
 * WAL checkpoints for the SQLite store, on a thread of their own. SQLite's automatic checkpoint
 * runs inside the commit that crosses its threshold and waits for two fsyncs there, on the event
 * loop: every request behind that commit waited too. Here the store's connection never
 * checkpoints (`wal_autocheckpoint = 0`); a second connection on a worker thread runs a PASSIVE
 * checkpoint (it never blocks writers or readers) every `intervalMs`. Durability is unchanged:
 * with `synchronous = NORMAL` the WAL is synced at checkpoints, wherever they run.
 *
 * A PASSIVE checkpoint copies the WAL into the database but cannot start the WAL over: SQLite
 * writes from the WAL's start again only when a write transaction begins while every frame has been
 * copied. Under writes without a pause (single creates from 32 clients) that moment never came, and
 * the WAL grew by ~60 MB/s, 450 MB in 7 s. So once the WAL holds `restartFrames` frames the thread
 * runs a RESTART checkpoint, which holds off writers while it copies the last frames and syncs (not
 * while a reader elsewhere keeps frames from being copied: the restart would wait for it with
 * writers held off). The store's writes must not wait for it inside SQLite (its busy handler would
 * block the event loop, ~20 ms each time): while the thread restarts, `writable()` gives a promise,
 * and the store starts no transaction until the thread says it is done; reads go on.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** Plain CommonJS, evaluated: no loader (tsx, vitest) is involved in starting the thread. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
// A RESTART that meets a writer or a reader gives up at once (busy = 1), and run() asks again a
// millisecond later: SQLite's own busy handler sleeps up to 100 ms between tries, all of it time
// the gate would hold the store's writes after the lock came free.
db.pragma('busy_timeout = 0');
const passive = db.prepare('pragma wal_checkpoint(PASSIVE)');
const restart = db.prepare('pragma wal_checkpoint(RESTART)');
const gate = new Int32Array(workerData.gate);
const pause = new Int32Array(new SharedArrayBuffer(4));
const run = () => {
  try {
    const { log, checkpointed } = passive.get();
    // A reader elsewhere (a backup, a query tool) that kept the checkpoint from copying every
    // frame would keep a restart waiting too, with writers held off: not while one reads.
    if (log < workerData.restartFrames || checkpointed < log) return;
    Atomics.store(gate, 0, 1);
    try {
      // Up to a second for the transaction under way (none starts meanwhile); then the next tick.
      for (let tries = 0; restart.get().busy !== 0 && tries < 1000; tries += 1) Atomics.wait(pause, 0, 0, 1);
    } finally {
      Atomics.store(gate, 0, 0);
      parentPort.postMessage({ resumed: true });
    }
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

/** 64 MB of WAL at SQLite's default 4 KB page: a restart about once a second under 32 clients' single creates. */
export const RESTART_FRAMES = 16_384;

export interface Checkpointer {
  /** Undefined when writes may start now; else a promise, settled when the thread's restart is over. */
  writable(): Promise<void> | undefined;
  stop(): Promise<void>;
}

export interface CheckpointerOptions {
  intervalMs?: number;
  /** WAL frames past which the WAL is started over (RESTART_FRAMES by default). */
  restartFrames?: number;
  onError?: (message: string) => void;
}

export function startCheckpointer(file: string, options: CheckpointerOptions = {}): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const gate = new Int32Array(new SharedArrayBuffer(4));
  let waiting: (() => void)[] = [];
  let stopping = false;
  const release = () => {
    const resume = waiting;
    waiting = [];
    if (resume.length > 0 && !stopping) worker.unref();
    for (const resolve of resume) resolve();
  };
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { file, driver, gate: gate.buffer, intervalMs: options.intervalMs ?? 100, restartFrames: options.restartFrames ?? RESTART_FRAMES },
  });
  worker.on('message', (message: { error?: string; resumed?: boolean }) => {
    if (message.resumed) release();
    if (message.error) options.onError?.(message.error);
  });
  worker.on('error', (error) => options.onError?.(error.message));
  // The thread must not keep a process alive that has nothing else to do.
  worker.unref();
  // A thread that is gone holds off nobody.
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve())).finally(() => {
    Atomics.store(gate, 0, 0);
    release();
  });
  return {
    writable() {
      if (Atomics.load(gate, 0) === 0) return undefined;
      // Held writes keep the process alive until the thread's word comes.
      if (waiting.length === 0) worker.ref();
      return new Promise((resolve) => waiting.push(resolve));
    },
    async stop() {
      // Whoever waits for the stop must not see the process end first.
      stopping = true;
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
