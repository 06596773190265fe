/**
 * Entry of the face analysis thread (started by face-analyzer.ts): each message is one photo,
 * answered with its result and how many times this thread has loaded the model.
 */
import { parentPort } from 'node:worker_threads';
import { analyzeFaceHere, modelLoadsHere } from './faces.ts';
import type { FaceReply, FaceRequest } from './face-analyzer.ts';

if (!parentPort) throw new Error('face-thread runs as a worker thread (see face-analyzer.ts)');
const port = parentPort;

port.on('message', (request: FaceRequest) => {
  analyzeFaceHere(request.image).then(
    (result) => port.postMessage({ id: request.id, result, loads: modelLoadsHere() } satisfies FaceReply),
    (error: unknown) =>
      port.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error), loads: modelLoadsHere() } satisfies FaceReply),
  );
});
