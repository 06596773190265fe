/**
 * Access decisions at 50 concurrent panels: 10 000 cards are loaded through the bulk identifier
 * route (bound to users, half of them behind a time profile), then panels present random cards —
 * known ones and unknown ones — to /api/v1/access/remote/validate.
 */
import crypto from 'node:crypto';
import { call } from './client.ts';
import { rng } from './data.ts';
import type { Server } from './server.ts';

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
