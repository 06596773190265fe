/** The bench's HTTP client side: sign-in, JSON calls, and load through autocannon. */
import crypto from 'node:crypto';
import http from 'node:http';
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

/** Keep-alive connections for `exchange`: a sync client keeps its connection between requests. */
const bulkAgent = new http.Agent({ keepAlive: true });

/**
 * One timed request of a bulk: the body goes as bytes made beforehand and the answer comes back as
 * bytes, decoded and parsed by the caller after its clock stops. Encoding a 2–10 MB body and
 * decoding the answer is the client's work, as serialising it is; done inside the clock it held the
 * server idle (~8 % of the access create pass, measured alternately 4 times each).
 * Plain `node:http`, not `fetch`: fetch copies the body and runs it through web streams, and half
 * of its requests reached the server 10–30 ms after the call (node:http: ~1 ms), time in which the
 * server idled; the access create pass measured ~3 % faster (alternately, 4 runs each).
 */
export function exchange(server: Server, bearer: string, method: string, url: string, body: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${server.url}${url}`,
      {
        method,
        agent: bulkAgent,
        headers: { 'content-type': 'application/json', 'content-length': body.byteLength, authorization: `Bearer ${bearer}` },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const answer = Buffer.concat(chunks);
          const status = response.statusCode ?? 0;
          if (status < 200 || status >= 300) reject(new Error(`${method} ${url}: ${status} ${answer.toString('utf8', 0, 500)}`));
          else resolve(answer);
        });
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** Seconds of the same load before measuring, so that every server is measured compiled and warm. */
export const WARMUP_SECONDS = 2;

export async function load(url: string, connections: number, options: Record<string, unknown>) {
  const duration = Number(process.env.BENCH_LOAD_SECONDS ?? 5);
  const result = await autocannon({ url, connections, duration, warmup: { connections, duration: WARMUP_SECONDS }, ...options });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

