/**
 * npm run bench — the API's rates next to the raw database's on the same rows, per store.
 *
 *   npm run bench [-- --runs 3 --users 100000 --platform-users 50000 --stores sqlite,postgres --seconds 5
 *                      --sections access,single,platform,decision,faces]
 *
 * Each figure is the median of `--runs` runs; every run starts the server as its own process on
 * a fresh store. Results: printed tables, bench/results/latest.json and bench/results/latest.md.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openStore } from '../src/store/database.ts';
import { accessItems, touched, type AccessItem } from './data.ts';
import { platformBench, type PlatformFigures } from './platform.ts';
import { decisionBench, decisionsWhileEnrolling, PANELS, panelLoad, STEADY_RATE, steadyPanels, type DecisionFigures, type EnrolmentFigures, type SteadyFigures } from './decisions.ts';
import { rawAccessUpsert, type RawTarget } from './raw.ts';
import { ADMIN_PASSWORD, WARMUP_SECONDS, exchange, load, signIn } from './client.ts';
import { root, startServer, type Server } from './server.ts';

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] ? process.argv[index + 1] : fallback;
}

const RUNS = Number(option('runs', '3'));
const USERS = Number(option('users', '100000'));
const PLATFORM_USERS = Number(option('platform-users', '50000'));
const BATCH = 10_000;
const SECONDS = Number(option('seconds', '5'));
process.env.BENCH_LOAD_SECONDS = String(SECONDS);
/** Which parts to run (all by default): access, single, platform, decision, faces (needs decision). */
const SECTIONS = new Set(option('sections', 'access,single,platform,decision,faces').split(','));
const PG_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/postgres';
const CLIENT = { id: 'bench-erp', secret: 'bench-erp-secret-0123456789' };
const DEVICE_KEY = 'bench-device-key';

export interface Location {
  url: string;
  raw: RawTarget;
  dispose(): Promise<void>;
}

async function pgReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A fresh, empty store: a temporary SQLite file, or a new PostgreSQL database. */
async function freshLocation(kind: 'sqlite' | 'postgres'): Promise<Location> {
  if (kind === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-bench-'));
    const file = path.join(dir, 'bench.db');
    return { url: `sqlite:${file}`, raw: { kind, file }, dispose: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `gatehouse_bench_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    raw: { kind, url: url.toString() },
    async dispose() {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

function batches<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Sends the batches one request at a time (bodies serialised and encoded beforehand, answers
 *  parsed after the clock stops: the client's JSON work is not the server's); checks every item
 *  got `expected`; returns seconds. */
async function accessPass(server: Server, token: string, parts: AccessItem[][], expected: string): Promise<number> {
  const bodies = parts.map((part) => new TextEncoder().encode(JSON.stringify({ list_items: part })));
  const answers: Buffer[] = [];
  const start = performance.now();
  for (const body of bodies) answers.push(await exchange(server, token, 'POST', '/api/v1/access/users/items/link', body));
  const seconds = (performance.now() - start) / 1000;
  for (const answer of answers) {
    const wrong = JSON.parse(answer.toString('utf8')).result.find((r: { extended_info: string }) => r.extended_info !== expected);
    if (wrong) throw new Error(`expected ${expected}, got ${JSON.stringify(wrong)}`);
  }
  return seconds;
}

interface StoreRun {
  accessCreate: { api: number; raw: number };
  accessUpdate: { api: number; raw: number };
  singleCreate: { rps: number; p50: number; p99: number };
  bare: { rps: number; p50: number; p99: number };
  /** The bare route under the panels' load: the floor for the decision's latency. */
  bareDecision?: { rps: number; p50: number; p99: number };
  bulkMemoryMb: number;
  peakMemoryMb: number;
  platform?: PlatformFigures;
  decision?: DecisionFigures;
  /** Decisions at a steady pace, alone and while face photos are enrolled. */
  faces?: EnrolmentFigures;
  /** The bare route at the same steady pace: this machine's floor for it (the client's timers included). */
  bareSteady?: SteadyFigures;
}

/** Walk-ins at the front desk: realistic, mostly distinct people. */
const SINGLE_BODIES = accessItems(1000, 5).map(({ link_id: _unused, ...fields }) => JSON.stringify(fields));

/**
 * Before each timed pass, the last pass's background work settles instead of landing on the next
 * one: a short pause (SQLite's checkpoint thread, PostgreSQL's autovacuum of a fresh table) and,
 * on PostgreSQL, a CHECKPOINT. The bulk passes' WAL makes PostgreSQL request checkpoints, which its
 * checkpointer spreads over the following minutes, at up to ~80 % of a core here: over whichever
 * pass came next (a raw pass, the single creates, the panels, the bare route). The checkpoint is
 * cluster-wide; a role that may not run it only pauses.
 */
async function settle(kind: 'sqlite' | 'postgres'): Promise<void> {
  if (kind === 'postgres') {
    const client = new pg.Client({ connectionString: PG_URL });
    try {
      await client.connect();
      await client.query('checkpoint');
    } catch {
      // not allowed to: the pause alone
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  await new Promise((resolve) => setTimeout(resolve, 250));
}

async function runOnce(kind: 'sqlite' | 'postgres', items: AccessItem[]): Promise<StoreRun> {
  const parts = batches(items, BATCH);
  const updates = batches(touched(items), BATCH);
  const location = await freshLocation(kind);
  // The raw database on the same rows, in the same schema (Gatehouse's migrations), on a store of
  // its own. Each raw pass runs right after the API's pass on the same rows, while the server
  // idles: the machine's speed drifts by 10 % and more over a minute here, and a ratio of two
  // figures taken minutes apart carried that drift.
  const raw = await freshLocation(kind);
  let server: Server | undefined;
  let figures: StoreRun;
  try {
    const migrated = await openStore(raw.url);
    await migrated.close();
    server = await startServer('src/main.ts', {
      DATABASE_URL: location.url,
      GATEHOUSE_ADMIN_PASSWORD: ADMIN_PASSWORD,
      GATEHOUSE_CLIENT_ID: CLIENT.id,
      GATEHOUSE_CLIENT_SECRET: CLIENT.secret,
      GATEHOUSE_DEVICE_KEY: DEVICE_KEY,
      GATEHOUSE_MAX_BULK_ITEMS: String(Math.max(BATCH, PLATFORM_USERS)),
    });
    const token = await signIn(server);
    const before = server.peakRss();
    await settle(kind);
    const createSeconds = await accessPass(server, token, parts, 'created');
    const bulkMemory = server.peakRss() - before;
    await settle(kind);
    const rawCreateSeconds = await rawAccessUpsert(raw.raw, parts);
    await settle(kind);
    const updateSeconds = await accessPass(server, token, updates, 'updated');
    await settle(kind);
    const rawUpdateSeconds = await rawAccessUpsert(raw.raw, updates);
    // Before the single creates: the raw side's table then holds the same rows (the access passes').
    const platform = SECTIONS.has('platform') ? await platformBench(server, { clientId: CLIENT.id, clientSecret: CLIENT.secret, users: PLATFORM_USERS, settle: () => settle(kind) }) : undefined;
    if (platform) await platform.measureRaw(raw.raw);
    await settle(kind);
    const single = await load(`${server.url}/api/v1/access/users/item`, 32, {
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      requests: SINGLE_BODIES.map((body) => ({ method: 'POST', body })),
    });
    // Settled after the cards are loaded, right before the panels.
    const settledLoad: typeof load = async (...args) => (await settle(kind), load(...args));
    const decision = SECTIONS.has('decision') ? await decisionBench(server, token, { deviceKey: DEVICE_KEY, load: settledLoad }) : undefined;
    const faces = decision && SECTIONS.has('faces') ? await decisionsWhileEnrolling(server, token, DEVICE_KEY, SECONDS) : undefined;
    figures = {
      accessCreate: { api: items.length / createSeconds, raw: items.length / rawCreateSeconds },
      accessUpdate: { api: items.length / updateSeconds, raw: items.length / rawUpdateSeconds },
      singleCreate: single,
      bare: { rps: 0, p50: 0, p99: 0 },
      bulkMemoryMb: bulkMemory / 2 ** 20,
      peakMemoryMb: server.peakRss() / 2 ** 20,
      platform,
      decision,
      faces,
    };
  } finally {
    // Both stores go whatever failed, the migration and the server's start included.
    await server?.stop();
    await location.dispose();
    await raw.dispose();
  }

  const bare = await startServer('bench/bare-server.ts', {});
  try {
    await settle(kind);
    figures.bare = await load(`${bare.url}/bare`, 32, { headers: { 'content-type': 'application/json' }, requests: SINGLE_BODIES.map((body) => ({ method: 'POST', body })) });
    if (SECTIONS.has('decision')) figures.bareDecision = await load(`${bare.url}/bare`, PANELS, panelLoad(DEVICE_KEY));
    if (figures.faces) figures.bareSteady = await steadyPanels(`${bare.url}/bare`, DEVICE_KEY, SECONDS);
  } finally {
    await bare.stop();
  }
  return figures;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

type Row = { measure: string; api: string; raw: string; ratio: string; target: string };

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function summarise(runs: StoreRun[]) {
  const m = (pick: (r: StoreRun) => number | undefined) => {
    const values = runs.map(pick).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    return values.length ? median(values) : undefined;
  };
  return {
    access_create_users_per_s: m((r) => r.accessCreate.api),
    access_create_raw_per_s: m((r) => r.accessCreate.raw),
    access_create_ratio: m((r) => r.accessCreate.api / r.accessCreate.raw),
    access_update_users_per_s: m((r) => r.accessUpdate.api),
    access_update_raw_per_s: m((r) => r.accessUpdate.raw),
    access_update_ratio: m((r) => r.accessUpdate.api / r.accessUpdate.raw),
    platform_create_users_per_s: m((r) => r.platform?.create.api),
    platform_create_raw_per_s: m((r) => r.platform?.create.raw),
    platform_create_ratio: m((r) => (r.platform ? r.platform.create.api / r.platform.create.raw : undefined)),
    platform_resync_users_per_s: m((r) => r.platform?.resync.api),
    platform_resync_raw_per_s: m((r) => r.platform?.resync.raw),
    platform_resync_ratio: m((r) => (r.platform ? r.platform.resync.api / r.platform.resync.raw : undefined)),
    single_create_rps: m((r) => r.singleCreate.rps),
    single_create_p50_ms: m((r) => r.singleCreate.p50),
    single_create_p99_ms: m((r) => r.singleCreate.p99),
    bare_fastify_rps: m((r) => r.bare.rps),
    single_create_vs_bare: m((r) => r.singleCreate.rps / r.bare.rps),
    decision_rps: m((r) => r.decision?.rps),
    decision_p50_ms: m((r) => r.decision?.p50),
    decision_p99_ms: m((r) => r.decision?.p99),
    bare_fastify_panels_rps: m((r) => r.bareDecision?.rps),
    bare_fastify_panels_p50_ms: m((r) => r.bareDecision?.p50),
    bare_fastify_panels_p99_ms: m((r) => r.bareDecision?.p99),
    steady_decision_p50_ms: m((r) => r.faces?.steady.p50),
    steady_decision_p99_ms: m((r) => r.faces?.steady.p99),
    bare_fastify_steady_p50_ms: m((r) => r.bareSteady?.p50),
    bare_fastify_steady_p99_ms: m((r) => r.bareSteady?.p99),
    steady_decision_with_photos_p50_ms: m((r) => r.faces?.whileEnrolling.p50),
    steady_decision_with_photos_p99_ms: m((r) => r.faces?.whileEnrolling.p99),
    steady_decision_with_photos_max_ms: m((r) => r.faces?.whileEnrolling.max),
    photos_enrolled: m((r) => r.faces?.enrolments),
    photo_enrolment_ms: m((r) => r.faces?.enrolmentMs),
    bulk_10k_request_added_memory_mb: m((r) => r.bulkMemoryMb),
    server_peak_memory_mb: m((r) => r.peakMemoryMb),
  };
}

function table(s: ReturnType<typeof summarise>): Row[] {
  const pct = (v: number | undefined) => (v === undefined ? 'n/a' : `${fmt(v * 100)} %`);
  const num = (v: number | undefined, d = 0) => (v === undefined ? 'n/a' : fmt(v, d));
  return [
    { measure: `access bulk upsert, first pass (created), users/s`, api: num(s.access_create_users_per_s), raw: num(s.access_create_raw_per_s), ratio: pct(s.access_create_ratio), target: '≥ 60 %' },
    { measure: `access bulk upsert, second pass (updated), users/s`, api: num(s.access_update_users_per_s), raw: num(s.access_update_raw_per_s), ratio: pct(s.access_update_ratio), target: '≥ 60 %' },
    { measure: `platform department bulk, first sync, users/s`, api: num(s.platform_create_users_per_s), raw: num(s.platform_create_raw_per_s), ratio: pct(s.platform_create_ratio), target: '≥ 50 %' },
    { measure: `platform department bulk, 1 % changed + DeleteNotExists, users/s`, api: num(s.platform_resync_users_per_s), raw: num(s.platform_resync_raw_per_s), ratio: pct(s.platform_resync_ratio), target: '≥ 50 %' },
    { measure: `single create, 32 connections, requests/s`, api: num(s.single_create_rps), raw: `bare Fastify ${num(s.bare_fastify_rps)}`, ratio: pct(s.single_create_vs_bare), target: '≥ 20 % of bare' },
    { measure: `single create p50 / p99, ms`, api: `${num(s.single_create_p50_ms, 1)} / ${num(s.single_create_p99_ms, 1)}`, raw: '', ratio: '', target: 'p99 ≤ 20 ms' },
    { measure: `access decision, 50 panels, requests/s`, api: num(s.decision_rps), raw: `bare Fastify ${num(s.bare_fastify_panels_rps)}`, ratio: '', target: '' },
    {
      measure: `access decision p50 / p99, ms`,
      api: `${num(s.decision_p50_ms, 1)} / ${num(s.decision_p99_ms, 1)}`,
      raw: `bare Fastify ${num(s.bare_fastify_panels_p50_ms, 1)} / ${num(s.bare_fastify_panels_p99_ms, 1)}`,
      ratio: '',
      target: 'p99 ≤ 5 ms',
    },
    {
      measure: `access decision at ${fmt(STEADY_RATE)}/s (50 panels, open loop) p50 / p99, ms`,
      api: `${num(s.steady_decision_p50_ms, 1)} / ${num(s.steady_decision_p99_ms, 1)}`,
      raw: `bare Fastify ${num(s.bare_fastify_steady_p50_ms, 1)} / ${num(s.bare_fastify_steady_p99_ms, 1)}`,
      ratio: '',
      target: '',
    },
    {
      measure: `the same while face photos are enrolled back to back, p50 / p99 / max, ms`,
      api: `${num(s.steady_decision_with_photos_p50_ms, 1)} / ${num(s.steady_decision_with_photos_p99_ms, 1)} / ${num(s.steady_decision_with_photos_max_ms)}`,
      raw: `${num(s.photos_enrolled)} photos, ${num(s.photo_enrolment_ms)} ms each`,
      ratio: '',
      target: '',
    },
    { measure: `memory added by 10 000-item requests, MB`, api: num(s.bulk_10k_request_added_memory_mb), raw: '', ratio: '', target: '≤ 150 MB' },
    { measure: `server peak memory (VmHWM), MB`, api: num(s.server_peak_memory_mb), raw: '', ratio: '', target: '' },
  ];
}

function markdown(kind: string, rows: Row[]): string {
  const lines = [`### ${kind}`, '', '| measure | API | raw database | API / raw | target |', '|---|---:|---:|---:|---|'];
  for (const r of rows) lines.push(`| ${r.measure} | ${r.api} | ${r.raw} | ${r.ratio} | ${r.target} |`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const wanted = option('stores', 'sqlite,postgres').split(',');
  const kinds: ('sqlite' | 'postgres')[] = [];
  if (wanted.includes('sqlite')) kinds.push('sqlite');
  if (wanted.includes('postgres')) {
    if (await pgReachable()) kinds.push('postgres');
    else console.log(`PostgreSQL not reachable at ${PG_URL}: its table is skipped (BENCH_DATABASE_URL).`);
  }
  const items = accessItems(USERS, 42);
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memory_gb: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    settings: { runs: RUNS, access_users: USERS, batch: BATCH, platform_users: PLATFORM_USERS, load_seconds: SECONDS },
    stores: {},
  };
  const sections: string[] = [];
  for (const kind of kinds) {
    const runs: StoreRun[] = [];
    for (let i = 1; i <= RUNS; i += 1) {
      process.stdout.write(`${kind}: run ${i}/${RUNS} …\n`);
      runs.push(await runOnce(kind, items));
    }
    const summary = summarise(runs);
    (results.stores as Record<string, unknown>)[kind] = { median: summary, runs: runs.map(({ platform, ...r }) => ({ ...r, platform: platform && { create: platform.create, resync: platform.resync } })) };
    const rows = table(summary);
    console.log(`\n${kind} (median of ${RUNS} runs)`);
    console.table(rows);
    sections.push(markdown(`${kind} (median of ${RUNS} runs)`, rows));
  }
  const dir = path.join(root, 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  const header = [
    '# Latest `npm run bench`',
    '',
    `${results.date as string} — ${os.cpus().length} cores, Node ${process.version}; ${USERS.toLocaleString('en-US')} access users in requests of ${BATCH.toLocaleString('en-US')}, ${PLATFORM_USERS.toLocaleString('en-US')} platform users in one request, load tests ${SECONDS} s each after ${WARMUP_SECONDS} s of warm-up.`,
    '',
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'latest.md'), `${header}\n${sections.join('\n\n')}\n`);
  console.log(`\nwritten: bench/results/latest.json, bench/results/latest.md`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
