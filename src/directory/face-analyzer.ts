/**
 * The face analyser the server uses: photos go to one thread of their own (face-thread.ts),
 * shared by every analyser in the process, so the model loads once and the event loop never
 * waits for a decode or an inference. The thread starts on the first photo and does not keep an
 * idle process alive. If it dies (a crash, or stopFaceThread), the photos it held fail with an
 * error and the next photo starts a new thread.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FaceAnalyzer, FaceResult } from './faces.ts';

export interface FaceRequest {
  id: number;
  image: string;
}

export type FaceReply = { id: number; loads: number } & ({ result: FaceResult; error?: undefined } | { error: string });

/**
 * Plain CommonJS, evaluated, so that starting the thread needs no loader. Under tsx or vitest
 * the entry is the TypeScript source, loaded through tsx's tsImport (a thread does not inherit
 * the parent's loader); from a `tsc` build it is the compiled `.js`, imported as it is.
 */
const BOOT = `
const { workerData } = require('node:worker_threads');
if (workerData.tsx) import(workerData.tsx).then(({ tsImport }) => tsImport(workerData.entry, workerData.entry));
else import(workerData.entry);
`;

interface Waiting {
  resolve(result: FaceResult): void;
  reject(error: Error): void;
}

interface FaceThread {
  worker: Worker;
  waiting: Map<number, Waiting>;
}

let thread: FaceThread | undefined;
let nextId = 0;
/** Model loads reported by the current thread. */
let loads = 0;

function startThread(): FaceThread {
  const source = import.meta.url;
  const entry = new URL(`./face-thread${source.endsWith('.ts') ? '.ts' : '.js'}`, source).href;
  // tsx's ES module build of its API (the CommonJS build's tsImport cannot find its own files).
  const tsx = source.endsWith('.ts') ? pathToFileURL(createRequire(source).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href : undefined;
  const worker = new Worker(BOOT, { eval: true, workerData: { entry, tsx } });
  const started: FaceThread = { worker, waiting: new Map() };
  worker.on('message', (reply: FaceReply) => {
    loads = reply.loads;
    const waiting = started.waiting.get(reply.id);
    if (!waiting) return;
    started.waiting.delete(reply.id);
    if (started.waiting.size === 0) worker.unref();
    if (reply.error === undefined) waiting.resolve(reply.result);
    else waiting.reject(new Error(`face analysis failed: ${reply.error}`));
  });
  const fail = (error: Error) => {
    if (thread === started) {
      thread = undefined;
      loads = 0;
    }
    for (const waiting of started.waiting.values()) waiting.reject(error);
    started.waiting.clear();
  };
  worker.on('error', (error) => fail(new Error(`face analysis thread failed: ${error.message}`)));
  worker.on('exit', (code) => fail(new Error(`face analysis thread stopped (exit code ${code})`)));
  worker.unref();
  return started;
}

export function createFaceAnalyzer(): FaceAnalyzer {
  return {
    analyze(image: string): Promise<FaceResult> {
      thread ??= startThread();
      const { worker, waiting } = thread;
      const id = nextId++;
      return new Promise<FaceResult>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        // While a photo is out, the thread keeps the process alive to answer it.
        worker.ref();
        worker.postMessage({ id, image } satisfies FaceRequest);
      });
    },
  };
}

/** How many times the face thread has loaded the model: 0 until a photo needs it, then 1. */
export function getModelLoadCount(): number {
  return loads;
}

/** Stops the face thread (photos it holds fail); the next photo starts a new one. */
export async function stopFaceThread(): Promise<void> {
  const current = thread;
  if (current) await current.worker.terminate();
}
