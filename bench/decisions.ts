/**
 * Access decisions at 50 concurrent panels: 10 000 cards are loaded through the bulk identifier
 * route (bound to users, half of them behind a time profile), then panels present random cards —
 * known ones and unknown ones — to /api/v1/access/remote/validate.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { call, WARMUP_SECONDS } from './client.ts';
import { rng } from './data.ts';
import { root, type Server } from './server.ts';

export interface DecisionFigures {
  rps: number;
  p50: number;
  p99: number;
}

type Load = (url: string, connections: number, options: Record<string, unknown>) => Promise<DecisionFigures>;

const CARDS = 10_000;
export const PANELS = 50;

export async function decisionBench(server: Server, token: string, options: { deviceKey: string; load: Load }): Promise<DecisionFigures> {
  const profile = crypto.randomUUID();
  await call(server, token, 'POST', '/api/v1/access/timeprofile/items/link', {
    list_items: [
      {
        link_id: profile,
        name: 'Working hours',
        time_options: { is_all_day: false, date_from: 1_700_000_000, date_to: 1_700_000_000 + 10 * 3600 },
        repeat_options: { repeat_enable: true, repeat_format: { repeat_type: 'day', repeat_end: { format: 'never' } } },
      },
    ],
  });
  const numbers = Array.from({ length: CARDS }, (_, i) => String(1_000_000 + i));
  const cards = numbers.map((number, i) => ({
    link_id: crypto.randomUUID(),
    identifier_owner: { name: `Card holder ${i}`, type: 'owner' },
    identifier_type: 'card',
    identifier_number: number,
    lock: (['first', 'second', 'all'] as const)[i % 3],
    ...(i % 2 === 0 ? { time_profiles: { link_ids: [profile] } } : {}),
  }));
  const loaded = await call(server, token, 'POST', '/api/v1/access/identifier/items/link', { list_items: cards });
  const failed = loaded.result.filter((r: { success: boolean }) => !r.success);
  if (failed.length) throw new Error(`identifiers not loaded: ${JSON.stringify(failed[0])}`);

  return options.load(`${server.url}/api/v1/access/remote/validate`, PANELS, panelLoad(options.deviceKey));
}

/**
 * The panels' requests: 90 % known cards, 10 % unknown ones, in a fixed random order. The bare
 * Fastify route gets the same load (the floor for the decision's latency on this machine).
 */
export function panelLoad(deviceKey: string) {
  const next = rng(7);
  const requests = Array.from({ length: 2000 }, () => {
    const known = next() < 0.9;
    const number = known ? String(1_000_000 + Math.floor(next() * CARDS)) : String(9_000_000 + Math.floor(next() * 100_000));
    return { method: 'POST', body: JSON.stringify({ identifier_number: number, identifier_type: 'card' }) };
  });
  return { headers: { 'content-type': 'application/json', authorization: `Bearer ${deviceKey}` }, requests };
}

/** The steady load: 50 panels asking 2 000 times a second in all, each at its own fixed pace. */
export const STEADY_RATE = 2000;

export interface SteadyFigures {
  p50: number;
  p99: number;
  max: number;
}

/**
 * Open loop: each panel (one keep-alive connection) sends its next request when it is due, or as
 * soon as its previous answer is in, and each latency counts from when the request was due — so a
 * stall of the server counts for every request that should have gone out meanwhile. Measured after
 * `warmup` seconds of the same pace (what follows a saturating load is not the steady state).
 */
export async function steadyPanels(url: string, deviceKey: string, seconds: number, warmup = WARMUP_SECONDS): Promise<SteadyFigures> {
  if (warmup > 0) await steadyPanels(url, deviceKey, warmup, 0);
  const { headers, requests } = panelLoad(deviceKey);
  const interval = (PANELS / STEADY_RATE) * 1000;
  const latencies: number[] = [];
  const start = performance.now() + 50;
  let next = 0;
  await Promise.all(
    Array.from({ length: PANELS }, async (_, panel) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        for (let due = start + (panel * interval) / PANELS; due < start + seconds * 1000; due += interval) {
          const wait = due - performance.now();
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
          const { body } = requests[next++ % requests.length];
          // A timer may fire a little early: then the latency counts from the send.
          const from = Math.min(due, performance.now());
          await new Promise<void>((resolve, reject) => {
            const request = http.request(url, { method: 'POST', agent, headers }, (response) => {
              if (response.statusCode !== 200) reject(new Error(`${url}: ${response.statusCode}`));
              response.resume();
              response.on('end', () => {
                latencies.push(performance.now() - from);
                resolve();
              });
            });
            request.on('error', reject);
            request.end(body);
          });
        }
      } finally {
        agent.destroy();
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))];
  return { p50: at(0.5), p99: at(0.99), max: latencies[latencies.length - 1] };
}

/** Photos and panels together before the measured pass (see decisionsWhileEnrolling). */
export const PHOTO_WARMUP_SECONDS = 5;

export interface EnrolmentFigures {
  /** Decisions at the steady rate, nothing else running. */
  steady: SteadyFigures;
  /** The same, while face photos are enrolled one after another. */
  whileEnrolling: SteadyFigures;
  /** Photos enrolled meanwhile, and the median time one took. */
  enrolments: number;
  enrolmentMs: number;
}

/**
 * Panels at a steady pace, first alone, then while face photos are enrolled back to back (what a
 * sync of people with photos does): the analysis must not hold the panels up. Runs after
 * decisionBench, on its cards. The first photo loads the model after the steady pass; then the
 * photos and the panels run together unmeasured for PHOTO_WARMUP_SECONDS (the first seconds after
 * the model's load are slower: a sync's steady state is what is measured, as the other load tests
 * measure after a warm-up), then measured.
 */
export async function decisionsWhileEnrolling(server: Server, token: string, deviceKey: string, seconds: number): Promise<EnrolmentFigures> {
  const url = `${server.url}/api/v1/access/remote/validate`;
  const photo = fs.readFileSync(path.join(root, 'test', 'fixtures', 'face.jpg')).toString('base64');
  const body = JSON.stringify({ identifier_type: 'face_id', identifier_number: 'from the photo', face_image: photo, lock: 'all' });
  const enrol = async () => {
    const response = await fetch(`${server.url}/api/v1/access/identifier`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body,
    });
    // The same photo again is the same face: 200 the first time, a duplicate after; never a 5xx.
    if (response.status >= 500) throw new Error(`face enrolment: ${response.status} ${await response.text()}`);
    await response.text();
  };
  const steady = await steadyPanels(url, deviceKey, seconds);
  await enrol();

  let enrolling = true;
  const times: number[] = [];
  const photos = (async () => {
    while (enrolling) {
      const started = performance.now();
      await enrol();
      times.push(performance.now() - started);
    }
  })();
  try {
    await steadyPanels(url, deviceKey, PHOTO_WARMUP_SECONDS, 0);
    times.length = 0;
    const whileEnrolling = await steadyPanels(url, deviceKey, seconds, 0);
    times.sort((a, b) => a - b);
    return { steady, whileEnrolling, enrolments: times.length, enrolmentMs: times[Math.floor(times.length / 2)] ?? NaN };
  } finally {
    enrolling = false;
    await photos;
  }
}
