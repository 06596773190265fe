/** Test pictures made from the fixtures. */
import jpeg from 'jpeg-js';

function decodeRgba(bytes: Buffer): { width: number; height: number; data: Uint8Array } {
  return jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
}

/** Box-filter resize of an RGBA image, re-encoded as JPEG. */
export function resizedJpeg(bytes: Buffer, width: number, height: number): Buffer {
  const src = decodeRgba(bytes);
  const out = Buffer.alloc(width * height * 4);
  const fx = src.width / width;
  const fy = src.height / height;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const acc = [0, 0, 0];
      let n = 0;
      for (let sy = Math.floor(y * fy); sy < Math.max(Math.floor(y * fy) + 1, Math.floor((y + 1) * fy)); sy++) {
        for (let sx = Math.floor(x * fx); sx < Math.max(Math.floor(x * fx) + 1, Math.floor((x + 1) * fx)); sx++) {
          const i = (sy * src.width + sx) * 4;
          acc[0] += src.data[i];
          acc[1] += src.data[i + 1];
          acc[2] += src.data[i + 2];
          n++;
        }
      }
      const o = (y * width + x) * 4;
      out[o] = acc[0] / n;
      out[o + 1] = acc[1] / n;
      out[o + 2] = acc[2] / n;
      out[o + 3] = 255;
    }
  }
  return jpeg.encode({ data: out, width, height }, 90).data;
}
