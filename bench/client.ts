/** The bench's HTTP client side: sign-in, JSON calls, and load through autocannon. */
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import type { Server } from './server.ts';

export const ADMIN_PASSWORD = 'bench-admin-password';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon') as (options: Record<string, unknown>) => Promise<{
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}>;

export async function signIn(server: Server): Promise<string> {
  const md5 = crypto.createHash('md5').update(ADMIN_PASSWORD).digest('hex');
  const response = await fetch(`${server.url}/api/v1/login?username=admin&password=${md5}`);
  if (!response.ok) throw new Error(`login: ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

/** A JSON call with a bearer token; a body only when given. Throws on a non-2xx answer. */
export async function call(server: Server, bearer: string, method: string, url: string, body?: unknown): Promise<any> {
  const response = await fetch(`${server.url}${url}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), authorization: `Bearer ${bearer}` },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text.slice(0, 500)}`);
  return JSON.parse(text);
}

/**
 * One timed request of a bulk: the body goes as bytes made beforehand and the answer comes back as
 * bytes, decoded and parsed by the caller after its clock stops. Encoding a 2–10 MB body and
 * decoding the answer is the client's work, as serialising it is; done inside the clock it held the
 * server idle (~8 % of the access create pass, measured alternately 4 times each).
 */
export async function exchange(server: Server, bearer: string, method: string, url: string, body: Uint8Array<ArrayBuffer>): Promise<Buffer> {
  const response = await fetch(`${server.url}${url}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
    body,
  });
  const answer = Buffer.from(await response.arrayBuffer());
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${answer.toString('utf8', 0, 500)}`);
  return answer;
}

/** Seconds of the same load before measuring, so that every server is measured compiled and warm. */
export const WARMUP_SECONDS = 2;

export async function load(url: string, connections: number, options: Record<string, unknown>) {
  const duration = Number(process.env.BENCH_LOAD_SECONDS ?? 5);
  const result = await autocannon({ url, connections, duration, warmup: { connections, duration: WARMUP_SECONDS }, ...options });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

