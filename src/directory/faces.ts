/**
 * Face-photo identifiers (access-api §4).
 *
 * `face_image` is a base64 JPEG. We decode it with jpeg-js (pure JS), find the
 * most confident face with SSD MobileNet v1, compute 68 landmarks and the
 * 128-float face descriptor (ResNet-34 recognition net) with
 * @vladmandic/face-api on TensorFlow.js' WASM backend. Everything runs
 * offline: the model weights ship in the face-api package's `model/` folder
 * and the WASM binaries in @tensorflow/tfjs-backend-wasm's `dist/` folder.
 *
 * The analysis runs on a thread of its own (face-analyzer.ts starts it; face-thread.ts is its
 * entry): decoding and inference take ~0.4 s of CPU per photo, and on the event loop every
 * request — a panel's access decision too — waited behind them.
 *
 * Result codes:
 *   - not base64 / not a decodable JPEG        -> bad_base_64_image_file
 *   - outside 320x240 .. 5120x2700, or no face -> face_has_not_recognized
 *   - otherwise the descriptor (128 x float32, little-endian) as base64.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import jpeg from 'jpeg-js';

export type FaceResult =
  | { ok: true; descriptor: string /* base64 of the Float32 descriptor bytes */; width: number; height: number }
  | { ok: false; code: 'bad_base_64_image_file' | 'face_has_not_recognized' };

export interface FaceAnalyzer {
  analyze(imageBase64: string): Promise<FaceResult>;
}

export const MIN_WIDTH = 320;
export const MIN_HEIGHT = 240;
export const MAX_WIDTH = 5120;
export const MAX_HEIGHT = 2700;
/** Length of a face descriptor in floats. */
export const DESCRIPTOR_LENGTH = 128;

/** Minimum SSD score for a detection to count as a face. */
const MIN_CONFIDENCE = 0.5;
/** Images are downscaled so their longer side is at most this before detection (bounds memory and time). */
const MAX_DETECTION_SIDE = 1920;
/** jpeg-js guards: 5120x2700 = 13.8 MP; a 4:4:4 image of that size needs ~280 MB in jpeg-js' accounting. */
const DECODE_LIMITS = { maxResolutionInMP: 14, maxMemoryUsageInMB: 512 } as const;

const BAD: FaceResult = { ok: false, code: 'bad_base_64_image_file' };
const NO_FACE: FaceResult = { ok: false, code: 'face_has_not_recognized' };

// ---------------------------------------------------------------------------
// Input validation and decoding (pure, never throws)

const DATA_URL_PREFIX = /^data:image\/(?:jpeg|jpg|pjpeg);base64,/i;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strict base64 -> bytes; null when the string is not base64. Accepts an optional `data:image/jpeg;base64,` prefix. */
export function decodeBase64Strict(input: string): Buffer | null {
  if (typeof input !== 'string') return null;
  const s = input.trim().replace(DATA_URL_PREFIX, '');
  if (s.length === 0 || !BASE64.test(s)) return null;
  const padding = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  if (padding > 0 && s.length % 4 !== 0) return null; // padded input must be whole quads
  if (s.length % 4 === 1) return null; // impossible length
  const bytes = Buffer.from(s, 'base64');
  // Expected decoded length; a mismatch means Node skipped something.
  const expected = Math.floor(((s.length - padding) * 3) / 4);
  return bytes.length === expected ? bytes : null;
}

/** True when the bytes start with the JPEG SOI marker followed by another marker. */
export function hasJpegMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

/**
 * Frame size from the first SOFn marker, without decoding the image; null when
 * no frame header comes before the first scan (or the marker stream is broken).
 */
export function readJpegSize(bytes: Uint8Array): { width: number; height: number } | null {
  let off = 2;
  while (off + 4 <= bytes.length) {
    if (bytes[off] !== 0xff) return null;
    let marker = bytes[off + 1];
    while (marker === 0xff && off + 2 < bytes.length) {
      off += 1; // fill bytes
      marker = bytes[off + 1];
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      off += 2; // standalone markers
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return null; // EOI / SOS before any frame header
    if (off + 4 > bytes.length) return null;
    const len = (bytes[off + 2] << 8) | bytes[off + 3];
    if (len < 2) return null;
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      if (len < 7 || off + 9 > bytes.length) return null;
      const height = (bytes[off + 5] << 8) | bytes[off + 6];
      const width = (bytes[off + 7] << 8) | bytes[off + 8];
      return { width, height };
    }
    off += 2 + len;
  }
  return null;
}

export function sizeAccepted(width: number, height: number): boolean {
  return width >= MIN_WIDTH && width <= MAX_WIDTH && height >= MIN_HEIGHT && height <= MAX_HEIGHT;
}

export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array; // RGB, 3 bytes per pixel
}

type DecodeOutcome = { ok: true; image: RgbImage } | { ok: false; result: FaceResult };

/** base64 -> RGB pixels, or the result code to answer with. Never throws. */
export function decodeFaceImage(imageBase64: string): DecodeOutcome {
  const bytes = decodeBase64Strict(imageBase64);
  if (!bytes || !hasJpegMagic(bytes)) return { ok: false, result: BAD };
  const header = readJpegSize(bytes);
  if (!header) return { ok: false, result: BAD };
  // A JPEG whose header declares more than the maximum size is not decoded at all.
  if (header.width > MAX_WIDTH || header.height > MAX_HEIGHT) return { ok: false, result: NO_FACE };
  let decoded: { width: number; height: number; data: Uint8Array };
  try {
    decoded = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      tolerantDecoding: false,
      ...DECODE_LIMITS,
    });
  } catch {
    return { ok: false, result: BAD };
  }
  const { width, height, data } = decoded;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    return { ok: false, result: BAD };
  }
  if (!data || data.length !== width * height * 3) return { ok: false, result: BAD };
  if (!sizeAccepted(width, height)) return { ok: false, result: NO_FACE };
  return { ok: true, image: { width, height, data } };
}

// ---------------------------------------------------------------------------
// Model (loaded lazily, once per process)

/* Minimal structural types for the parts of tfjs / face-api used here. */
interface Tensor {
  readonly shape: number[];
  dispose(): void;
}
interface Tf {
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  getBackend(): string;
  enableProdMode(): void;
  tensor3d(values: Uint8Array | Int32Array, shape: [number, number, number], dtype: 'int32'): Tensor;
}
interface WasmBackend {
  setWasmPaths(prefix: string, usePlatformFetch?: boolean): void;
}
interface FaceDetectionWithDescriptor {
  detection: { score: number };
  descriptor: Float32Array;
}
interface FaceApi {
  nets: Record<'ssdMobilenetv1' | 'faceLandmark68Net' | 'faceRecognitionNet', { loadFromDisk(dir: string): Promise<void> }>;
  SsdMobilenetv1Options: new (opts: { minConfidence?: number; maxResults?: number }) => unknown;
  detectSingleFace(
    input: Tensor,
    options: unknown,
  ): { withFaceLandmarks(): { withFaceDescriptor(): PromiseLike<FaceDetectionWithDescriptor | undefined> } };
}

interface Model {
  tf: Tf;
  faceapi: FaceApi;
  backend: string;
}

let modelPromise: Promise<Model> | null = null;
let loadCount = 0;

/** How many times the model has been (started to be) loaded on this thread; 1 after any number of analyses. */
export function modelLoadsHere(): number {
  return loadCount;
}

async function loadModel(): Promise<Model> {
  loadCount += 1;
  const require = createRequire(import.meta.url);
  const tf = require('@tensorflow/tfjs') as Tf;
  const wasm = require('@tensorflow/tfjs-backend-wasm') as WasmBackend;
  // face-api's Node+WASM build: it requires @tensorflow/tfjs and the WASM backend (no native tfjs-node).
  const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApi;

  // Local .wasm files; without platform fetch, emscripten reads them with fs (no network).
  const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  wasm.setWasmPaths(wasmDir + path.sep, false);
  tf.enableProdMode();
  let ok = false;
  try {
    ok = await tf.setBackend('wasm');
  } catch {
    ok = false;
  }
  if (!ok && !(await tf.setBackend('cpu'))) throw new Error('faces: no TensorFlow.js backend could be initialised');
  await tf.ready();

  const modelDir = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
  await faceapi.nets.ssdMobilenetv1.loadFromDisk(modelDir);
  await faceapi.nets.faceLandmark68Net.loadFromDisk(modelDir);
  await faceapi.nets.faceRecognitionNet.loadFromDisk(modelDir);
  return { tf, faceapi, backend: tf.getBackend() };
}

/** The shared model; concurrent first callers share one load. A failed load is retried on the next call. */
function getModel(): Promise<Model> {
  if (!modelPromise) {
    modelPromise = loadModel().catch((err: unknown) => {
      modelPromise = null;
      throw err;
    });
  }
  return modelPromise;
}

// Inference runs one analysis at a time (the WASM backend is single-threaded
// anyway); images waiting for their turn are already downscaled.
let queue: Promise<unknown> = Promise.resolve();
function serialized<T>(fn: () => Promise<T>): Promise<T> {
  const run = queue.then(fn, fn);
  queue = run.catch(() => undefined);
  return run;
}

/**
 * Area-average downscale so the longer side is at most `maxSide` (in JS, so the
 * WASM heap, which never shrinks, only ever holds detection-sized images).
 */
export function downscaleRgb(image: RgbImage, maxSide: number): RgbImage {
  const { width: w, height: h, data } = image;
  const scale = maxSide / Math.max(w, h);
  if (scale >= 1) return image;
  const ow = Math.max(1, Math.round(w * scale));
  const oh = Math.max(1, Math.round(h * scale));
  const xs = new Int32Array(ow + 1);
  for (let x = 0; x <= ow; x++) xs[x] = Math.min(w, Math.floor((x * w) / ow));
  const out = new Uint8Array(ow * oh * 3);
  const acc = new Float64Array(ow * 3);
  for (let oy = 0; oy < oh; oy++) {
    const y0 = Math.floor((oy * h) / oh);
    const y1 = Math.max(y0 + 1, Math.min(h, Math.floor(((oy + 1) * h) / oh)));
    acc.fill(0);
    for (let y = y0; y < y1; y++) {
      const row = y * w * 3;
      for (let ox = 0; ox < ow; ox++) {
        const x1 = Math.max(xs[ox] + 1, xs[ox + 1]);
        let r = 0;
        let g = 0;
        let b = 0;
        for (let x = xs[ox]; x < x1; x++) {
          const i = row + x * 3;
          r += data[i];
          g += data[i + 1];
          b += data[i + 2];
        }
        acc[ox * 3] += r;
        acc[ox * 3 + 1] += g;
        acc[ox * 3 + 2] += b;
      }
    }
    for (let ox = 0; ox < ow; ox++) {
      const n = (y1 - y0) * (Math.max(xs[ox] + 1, xs[ox + 1]) - xs[ox]);
      const o = (oy * ow + ox) * 3;
      out[o] = Math.round(acc[ox * 3] / n);
      out[o + 1] = Math.round(acc[ox * 3 + 1] / n);
      out[o + 2] = Math.round(acc[ox * 3 + 2] / n);
    }
  }
  return { width: ow, height: oh, data: out };
}

async function computeDescriptor(model: Model, image: RgbImage): Promise<Float32Array | null> {
  const { tf, faceapi } = model;
  const input = tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
  try {
    const options = new faceapi.SsdMobilenetv1Options({ minConfidence: MIN_CONFIDENCE, maxResults: 10 });
    const found = await faceapi.detectSingleFace(input, options).withFaceLandmarks().withFaceDescriptor();
    if (!found || found.descriptor?.length !== DESCRIPTOR_LENGTH) return null;
    const descriptor = Float32Array.from(found.descriptor);
    return descriptor.every(Number.isFinite) ? descriptor : null;
  } finally {
    input.dispose();
  }
}

/** Little-endian float32 bytes as base64 (128 floats -> 512 bytes -> 684 chars). */
export function encodeDescriptor(descriptor: Float32Array): string {
  const bytes = Buffer.alloc(descriptor.length * 4);
  descriptor.forEach((v, i) => bytes.writeFloatLE(v, i * 4));
  return bytes.toString('base64');
}

/** Inverse of encodeDescriptor; null when the string is not a whole number of float32s. */
export function decodeDescriptor(b64: string): Float32Array | null {
  const bytes = decodeBase64Strict(b64);
  if (!bytes || bytes.length === 0 || bytes.length % 4 !== 0) return null;
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readFloatLE(i * 4);
  return out;
}

/** The analysis of one photo on the calling thread (the face thread calls it). Model failures reject. */
export async function analyzeFaceHere(imageBase64: string): Promise<FaceResult> {
  const decoded = decodeFaceImage(imageBase64);
  if (!decoded.ok) return decoded.result;
  const { image } = decoded;
  const small = downscaleRgb(image, MAX_DETECTION_SIDE);
  const model = await getModel();
  const descriptor = await serialized(() => computeDescriptor(model, small));
  if (!descriptor) return NO_FACE;
  return { ok: true, descriptor: encodeDescriptor(descriptor), width: image.width, height: image.height };
}
