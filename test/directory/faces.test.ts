import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import jpeg from 'jpeg-js';
import { describe, it, expect } from 'vitest';
import { createFaceAnalyzer, getModelLoadCount, stopFaceThread } from '../../src/directory/face-analyzer.ts';
import { resizedJpeg } from '../helpers/images.ts';
import {
  decodeBase64Strict,
  decodeDescriptor,
  downscaleRgb,
  readJpegSize,
  sizeAccepted,
  type FaceResult,
} from '../../src/directory/faces.ts';

// Fixtures: 480x360 crops of demo/sample1.jpg from @vladmandic/face-api (MIT), two different people.
const fixture = (name: string): Buffer => readFileSync(fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url)));
const FACE = fixture('face.jpg');
const OTHER_FACE = fixture('face-2.jpg');
const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

const MODEL_TIMEOUT = 120_000;

/** A landscape-like picture: sky gradient, hills, deterministic noise. No face. */
function landscapeJpeg(width: number, height: number): Buffer {
  let seed = 12345;
  const rnd = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const horizon = height * 0.55 + Math.sin(x / 60) * 30 + Math.sin(x / 17) * 8;
      const noise = (rnd() - 0.5) * 40;
      const o = (y * width + x) * 4;
      if (y < horizon) {
        data[o] = 90 + (y / height) * 100 + noise;
        data[o + 1] = 140 + (y / height) * 80 + noise;
        data[o + 2] = 230 + noise / 2;
      } else {
        data[o] = 40 + noise;
        data[o + 1] = 110 + ((y - horizon) / height) * 60 + noise;
        data[o + 2] = 30 + noise;
      }
      data[o + 3] = 255;
    }
  }
  return jpeg.encode({ data, width, height }, 85).data;
}

/** Rewrites the frame size in the first SOF marker (the pixel data stays as it was). */
function withPatchedSize(bytes: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(bytes);
  for (let i = 2; i < out.length - 9; i++) {
    if (out[i] === 0xff && out[i + 1] >= 0xc0 && out[i + 1] <= 0xc2) {
      out.writeUInt16BE(height, i + 5);
      out.writeUInt16BE(width, i + 7);
      return out;
    }
  }
  throw new Error('no SOF marker');
}

function descriptorOf(result: FaceResult): Float32Array {
  if (!result.ok) throw new Error(`expected a face, got ${result.code}`);
  const d = decodeDescriptor(result.descriptor);
  if (!d) throw new Error('descriptor is not base64 float32');
  return d;
}

function distance(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
}

describe('face image validation (no model needed)', () => {
  const analyzer = createFaceAnalyzer();
  const bad = { ok: false, code: 'bad_base_64_image_file' };
  const noFace = { ok: false, code: 'face_has_not_recognized' };

  it('rejects garbage text as bad_base_64_image_file', async () => {
    expect(await analyzer.analyze('this is not an image!')).toEqual(bad);
    expect(await analyzer.analyze('')).toEqual(bad);
    expect(await analyzer.analyze('data:image/jpeg;base64,')).toEqual(bad);
  });

  it('rejects base64 with characters outside the alphabet', async () => {
    const s = b64(FACE);
    expect(await analyzer.analyze(`${s.slice(0, 100)}*${s.slice(101)}`)).toEqual(bad);
    expect(s).toMatch(/[+/]/);
    expect(await analyzer.analyze(s.replace(/\+/g, '-').replace(/\//g, '_'))).toEqual(bad); // base64url is not accepted
    expect(await analyzer.analyze(`${s.slice(0, 64)}\n${s.slice(64)}`)).toEqual(bad); // no line breaks inside
    expect(decodeBase64Strict('QUJD')).toEqual(Buffer.from('ABC'));
    expect(decodeBase64Strict('QUI=')).toEqual(Buffer.from('AB'));
    expect(decodeBase64Strict('QUI')).toEqual(Buffer.from('AB'));
    expect(decodeBase64Strict('QU=I')).toBeNull();
    expect(decodeBase64Strict('Q===')).toBeNull();
    expect(decodeBase64Strict('QUJD\u00e9')).toBeNull();
  });

  it('rejects valid base64 of non-JPEG bytes', async () => {
    expect(await analyzer.analyze(b64(Buffer.from('hello, this is plain text and not a picture')))).toEqual(bad);
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452000001e000000168', 'hex');
    expect(await analyzer.analyze(b64(png))).toEqual(bad);
    // JPEG magic followed by garbage
    expect(await analyzer.analyze(b64(Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(500, 7)])))).toEqual(bad);
  });

  it('rejects truncated JPEGs', async () => {
    for (const fraction of [0.95, 0.6, 0.3, 0.02]) {
      const cut = FACE.subarray(0, Math.floor(FACE.length * fraction));
      expect(await analyzer.analyze(b64(cut))).toEqual(bad);
    }
  });

  it('reads the frame size from the header and checks the 320x240..5120x2700 range', () => {
    expect(readJpegSize(FACE)).toEqual({ width: 480, height: 360 });
    expect(readJpegSize(Buffer.from([0xff, 0xd8, 0xff, 0xd9]))).toBeNull();
    expect(sizeAccepted(320, 240)).toBe(true);
    expect(sizeAccepted(5120, 2700)).toBe(true);
    expect(sizeAccepted(319, 240)).toBe(false);
    expect(sizeAccepted(320, 239)).toBe(false);
    expect(sizeAccepted(5121, 2700)).toBe(false);
    expect(sizeAccepted(5120, 2701)).toBe(false);
  });

  it('area-averages large images down to the detection size', () => {
    const data = new Uint8Array(4000 * 1000 * 3);
    for (let i = 0; i < data.length; i += 3) [data[i], data[i + 1], data[i + 2]] = [10, 200, ((i / 3) % 4000) < 2000 ? 0 : 100];
    const small = downscaleRgb({ width: 4000, height: 1000, data }, 1920);
    expect([small.width, small.height, small.data.length]).toEqual([1920, 480, 1920 * 480 * 3]);
    expect(Array.from(small.data.subarray(0, 3))).toEqual([10, 200, 0]);
    expect(Array.from(small.data.subarray(small.data.length - 3))).toEqual([10, 200, 100]);
    const tiny = { width: 10, height: 10, data: new Uint8Array(300) };
    expect(downscaleRgb(tiny, 1920)).toBe(tiny);
  });

  it('answers face_has_not_recognized for images that are too small, without loading the model', async () => {
    expect(await analyzer.analyze(b64(resizedJpeg(FACE, 100, 100)))).toEqual(noFace);
    expect(await analyzer.analyze(b64(resizedJpeg(FACE, 319, 240)))).toEqual(noFace);
    expect(await analyzer.analyze(b64(resizedJpeg(FACE, 320, 239)))).toEqual(noFace);
  });

  it('answers face_has_not_recognized for a header claiming a huge image, without decoding it', async () => {
    const started = performance.now();
    expect(await analyzer.analyze(b64(withPatchedSize(FACE, 60000, 60000)))).toEqual(noFace);
    expect(await analyzer.analyze(b64(withPatchedSize(FACE, 5121, 2000)))).toEqual(noFace);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('has not loaded the model for any of the rejected inputs', () => {
    expect(getModelLoadCount()).toBe(0);
  });
});

describe('face detection and descriptors', () => {
  it(
    'loads the model once for concurrent first calls and finds the face',
    async () => {
      expect(getModelLoadCount()).toBe(0);
      const a = createFaceAnalyzer();
      const b = createFaceAnalyzer();
      const results = await Promise.all([
        a.analyze(b64(FACE)),
        a.analyze(`data:image/jpeg;base64,${b64(FACE)}`),
        b.analyze(b64(FACE)),
      ]);
      expect(getModelLoadCount()).toBe(1);
      for (const r of results) {
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        expect(r.width).toBe(480);
        expect(r.height).toBe(360);
        expect(Buffer.from(r.descriptor, 'base64')).toHaveLength(512);
      }
      // the same photo gives the same descriptor every time
      const [first, ...rest] = results;
      for (const r of rest) expect(r).toEqual(first);

      const d = descriptorOf(first);
      expect(d).toHaveLength(128);
      expect(d.every((v) => Number.isFinite(v))).toBe(true);
      expect(d.some((v) => v !== 0)).toBe(true);

      // later calls reuse the loaded model
      await createFaceAnalyzer().analyze(b64(FACE));
      expect(getModelLoadCount()).toBe(1);
    },
    MODEL_TIMEOUT,
  );

  it(
    'gives close descriptors for the same face at another size and distant ones for another person',
    async () => {
      const analyzer = createFaceAnalyzer();
      const original = descriptorOf(await analyzer.analyze(b64(FACE)));
      const small = await analyzer.analyze(b64(resizedJpeg(FACE, 320, 240))); // smallest accepted size
      expect(small).toMatchObject({ ok: true, width: 320, height: 240 });
      const other = descriptorOf(await analyzer.analyze(b64(OTHER_FACE)));

      const same = distance(original, descriptorOf(small));
      const different = distance(original, other);
      expect(same).toBeLessThan(0.45); // face-api's usual same-person threshold is 0.6
      expect(different).toBeGreaterThan(0.6);
      expect(different).toBeGreaterThan(same * 2);
    },
    MODEL_TIMEOUT,
  );

  it(
    'answers face_has_not_recognized for a right-sized picture with no face',
    async () => {
      const analyzer = createFaceAnalyzer();
      expect(await analyzer.analyze(b64(landscapeJpeg(640, 480)))).toEqual({ ok: false, code: 'face_has_not_recognized' });
      // a flat grey image of the minimum size
      const grey = jpeg.encode({ data: Buffer.alloc(320 * 240 * 4, 128), width: 320, height: 240 }, 90).data;
      expect(await analyzer.analyze(b64(grey))).toEqual({ ok: false, code: 'face_has_not_recognized' });
    },
    MODEL_TIMEOUT,
  );

  it(
    'downscales large images before detection and still finds the face',
    async () => {
      const big = resizedJpeg(FACE, 2560, 1920); // longer side above the 1920 px detection limit
      const r = await createFaceAnalyzer().analyze(b64(big));
      expect(r).toMatchObject({ ok: true, width: 2560, height: 1920 });
      const original = descriptorOf(await createFaceAnalyzer().analyze(b64(FACE)));
      expect(distance(original, descriptorOf(r))).toBeLessThan(0.45);
    },
    MODEL_TIMEOUT,
  );

  it(
    'analyses on a thread of its own: the event loop keeps turning while a large photo is analysed',
    async () => {
      const big = b64(resizedJpeg(FACE, 2560, 1920));
      const analyzer = createFaceAnalyzer();
      await analyzer.analyze(b64(FACE)); // the model is loaded
      // The longest the event loop went without running a 5 ms timer, while the photo was analysed.
      let last = performance.now();
      let longestGap = 0;
      const ticks = setInterval(() => {
        const now = performance.now();
        longestGap = Math.max(longestGap, now - last);
        last = now;
      }, 5);
      const started = performance.now();
      try {
        expect(await analyzer.analyze(big)).toMatchObject({ ok: true, width: 2560, height: 1920 });
      } finally {
        clearInterval(ticks);
        longestGap = Math.max(longestGap, performance.now() - last);
      }
      const took = performance.now() - started;
      // On the event loop, the decode and inference (~0.4 s and more) were one long gap.
      expect(took).toBeGreaterThan(300);
      expect(longestGap).toBeLessThan(took / 2);
    },
    MODEL_TIMEOUT,
  );

  it(
    'fails the photos a dead thread held, and starts a new thread for the next photo',
    async () => {
      const analyzer = createFaceAnalyzer();
      const held = analyzer.analyze(b64(resizedJpeg(FACE, 2560, 1920)));
      await new Promise((resolve) => setTimeout(resolve, 20));
      await stopFaceThread();
      await expect(held).rejects.toThrow(/face analysis thread stopped/);
      expect(getModelLoadCount()).toBe(0);
      const next = await analyzer.analyze(b64(FACE));
      expect(next).toMatchObject({ ok: true, width: 480, height: 360 });
      expect(getModelLoadCount()).toBe(1);
    },
    MODEL_TIMEOUT,
  );
});
