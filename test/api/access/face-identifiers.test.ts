import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../helpers/app.ts';
import { cardBody, infos, send, uuid } from '../../helpers/access.ts';
import { resizedJpeg } from '../../helpers/images.ts';
import { STORE_KINDS } from '../../helpers/stores.ts';

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url))).toString('base64');
const FACE = fixture('face.jpg');
const OTHER_FACE = fixture('face-2.jpg');

/** A 400×300 JPEG of sky and grass: the right size, no face. */
function noFaceJpeg(): string {
  const width = 400;
  const height = 300;
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      const sky = y < height * 0.6 + Math.sin(x / 40) * 15;
      data[o] = sky ? 110 + y / 4 : 40;
      data[o + 1] = sky ? 160 + y / 6 : 120 + (x % 7);
      data[o + 2] = sky ? 235 : 35;
      data[o + 3] = 255;
    }
  }
  return Buffer.from(jpeg.encode({ data, width, height }, 85).data).toString('base64');
}

const CREATE = '/api/v1/access/identifier';
const BULK = '/api/v1/access/identifier/items/link';
const face = (image: string, extra: Record<string, unknown> = {}) => ({
  identifier_type: 'face_id',
  identifier_number: 'whatever the request says',
  face_image: image,
  lock: 'all',
  ...extra,
});

// The analyser is slow on its first call (the model loads once per process) and ~0.5 s after.
const SLOW = 120_000;

describe.each(STORE_KINDS)('face identifiers (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(() => t.dispose());

  it(
    'takes the descriptor of a photo with a face as the number, whatever the request said',
    async () => {
      const { uid } = await send(t, 'POST', CREATE, face(FACE, { identifier_owner: { name: 'Ann', type: 'owner' } }));
      const view = await send(t, 'GET', `/api/v1/access/identifier/item/${uid}`);
      expect(view.identifier_type).toBe('face_id');
      expect(view.identifier_number).not.toBe('whatever the request says');
      expect(Buffer.from(view.identifier_number, 'base64')).toHaveLength(128 * 4);

      // The same photo again is the same number.
      expect(await send(t, 'POST', CREATE, face(FACE), 400)).toEqual({ error: 'Identifier with that type and number already exist' });
      // A face can be rewritten from its descriptor alone (e.g. copied from another server).
      await send(t, 'PATCH', `/api/v1/access/identifier/item/${uid}`, {
        identifier_type: 'face_id',
        identifier_number: view.identifier_number,
        lock: 'first',
      });
      expect(await send(t, 'GET', `/api/v1/access/identifier/item/${uid}`)).toMatchObject({
        identifier_number: view.identifier_number,
        lock: 'first',
      });
    },
    SLOW,
  );

  it(
    'refuses a photo without a face, a picture that is too small, and what is not a base64 JPEG',
    async () => {
      expect(await send(t, 'POST', CREATE, face(noFaceJpeg()), 400)).toEqual({ error: 'Face has not recognized' });
      const tiny = Buffer.from(jpeg.encode({ data: Buffer.alloc(100 * 80 * 4, 200), width: 100, height: 80 }, 80).data).toString('base64');
      expect(await send(t, 'POST', CREATE, face(tiny), 400)).toEqual({ error: 'Face has not recognized' });
      expect(await send(t, 'POST', CREATE, face('this is not base64!'), 400)).toEqual({ error: 'Bad base64 image file' });
      expect(await send(t, 'POST', CREATE, face(Buffer.from('GIF89a not a jpeg').toString('base64')), 400)).toEqual({
        error: 'Bad base64 image file',
      });
      expect(await send(t, 'GET', '/api/v1/access/identifier/items?filter_field=identifier_type&filter_value=face_id')).toMatchObject({
        list_option: { pagination: { total_items: 1 } },
      });
    },
    SLOW,
  );
});

describe.each(STORE_KINDS)('face identifiers in a bulk (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind, { maxFaceIdentifiers: 2 });
  });
  afterAll(() => t.dispose());

  it(
    'reports per item in a bulk: bad photos, a number taken, and the face capacity',
    async () => {
      const answer = await send(t, 'POST', BULK, {
        list_items: [
          { ...face(FACE), link_id: uuid(1) },
          { ...face('%%%'), link_id: uuid(2) },
          { ...face(noFaceJpeg()), link_id: uuid(3) },
          { ...face(FACE), link_id: uuid(4) },
          { ...face(OTHER_FACE), link_id: uuid(5) },
          { ...cardBody('77'), link_id: uuid(6) },
        ],
      });
      expect(answer.result).toEqual([
        { link_id: uuid(1), success: true, extended_info: 'created', has_dublicates: false },
        { link_id: uuid(2), success: false, extended_info: 'bad_base_64_image_file', has_dublicates: false },
        { link_id: uuid(3), success: false, extended_info: 'face_has_not_recognized', has_dublicates: false },
        { link_id: uuid(4), success: false, extended_info: 'number_taken_by_another_identifier', has_dublicates: false },
        { link_id: uuid(5), success: true, extended_info: 'created', has_dublicates: false },
        { link_id: uuid(6), success: true, extended_info: 'created', has_dublicates: false },
      ]);
      // Two faces now: a third is over the face capacity, in a bulk and in a single write; a card is not.
      const card = await send(t, 'GET', `/api/v1/access/identifier/items?filter_field=link_id&filter_value=${uuid(6)}`);
      const descriptorOf = async (linkId: string) =>
        (await send(t, 'GET', `/api/v1/access/identifier/items?filter_field=link_id&filter_value=${linkId}`)).list_items[0].identifier_number;
      const shifted = Buffer.from(await descriptorOf(uuid(1)), 'base64');
      shifted.writeFloatLE(shifted.readFloatLE(0) + 0.25, 0);
      const third = { identifier_type: 'face_id', identifier_number: shifted.toString('base64'), lock: 'all' };
      expect(infos(await send(t, 'POST', BULK, { list_items: [{ ...third, link_id: uuid(7) }] }))).toEqual(['number_of_face_identifiers_exceeded']);
      expect(await send(t, 'POST', CREATE, third, 400)).toEqual({ error: 'Number of face identifiers exceeded' });
      expect(await send(t, 'PATCH', `/api/v1/access/identifier/item/${card.list_items[0].uid}`, third, 400)).toEqual({
        error: 'Number of face identifiers exceeded',
      });
      await send(t, 'POST', CREATE, cardBody('78'));
    },
    SLOW,
  );
});

describe.each(STORE_KINDS)('face identifiers next to panels (%s)', (kind) => {
  const KEY = 'panel-device-key-faces';
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind, { deviceKey: KEY });
  });
  afterAll(() => t.dispose());

  it(
    'answers a panel while a photo is being analysed',
    async () => {
      await send(t, 'POST', CREATE, cardBody('4242'));
      await send(t, 'POST', CREATE, face(FACE)); // the model is loaded
      const big = resizedJpeg(Buffer.from(FACE, 'base64'), 1920, 1440).toString('base64'); // seconds of analysis

      const started = performance.now();
      let enrolled = 0;
      const enrolment = t.call({ method: 'POST', url: CREATE, payload: face(big) }).then((response) => {
        enrolled = performance.now();
        return response;
      });
      // A panel asks 50 ms into the analysis; the answer is measured from then.
      const asked = started + 50;
      const decision = await new Promise<{ answer: unknown; answered: number }>((resolve, reject) => {
        setTimeout(() => {
          t.call({ method: 'POST', url: '/api/v1/access/remote/validate', payload: { identifier_number: '4242', identifier_type: 'card' }, token: KEY })
            .then((response) => resolve({ answer: response.json(), answered: performance.now() }), reject);
        }, 50);
      });
      expect(decision.answer).toEqual({ handled: true, access: { granted: true, lock_number: 1 } });
      const response = await enrolment;
      expect(response.statusCode).toBe(200);
      const took = enrolled - started;
      // On the event loop, the panel waited for the whole analysis (seconds for this photo).
      expect(took).toBeGreaterThan(300);
      expect(decision.answered - asked).toBeLessThan(took / 2);
      expect(decision.answered).toBeLessThan(enrolled);
    },
    SLOW,
  );
});

describe.each(STORE_KINDS)('face identifiers switched off (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind, { faceRecognition: false });
  });
  afterAll(() => t.dispose());

  it('answers face_id_not_supported without looking at the photo', async () => {
    expect(await send(t, 'POST', CREATE, face(FACE), 400)).toEqual({ error: 'Face ID is not supported' });
    const answer = await send(t, 'POST', BULK, { list_items: [{ ...face(FACE), link_id: uuid(1) }, { ...cardBody('1'), link_id: uuid(2) }] });
    expect(answer.result).toEqual([
      { link_id: uuid(1), success: false, extended_info: 'face_id_not_supported', has_dublicates: false },
      { link_id: uuid(2), success: true, extended_info: 'created', has_dublicates: false },
    ]);
  });
});
