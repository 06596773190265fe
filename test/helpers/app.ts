/** A Gatehouse app over a test store, with an admin and a manager signed in. */
import type { FastifyInstance, FastifyServerOptions, InjectOptions, LightMyRequestResponse } from 'fastify';
import http from 'node:http';
import { buildApp } from '../../src/app.ts';
import { accountService } from '../../src/auth/accounts.ts';
import { md5Hex } from '../../src/auth/secrets.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import type { Store, StoreKind } from '../../src/store/database.ts';
import { newStoreLocation, openAt, type TestStoreLocation } from './stores.ts';

export const ADMIN = { username: 'admin', password: 'admin-password-1' };
export const MANAGER = { username: 'manager', password: 'manager-password-1' };

export interface TestApp {
  app: FastifyInstance;
  store: Store;
  location: TestStoreLocation;
  config: Config;
  adminToken: string;
  managerToken: string;
  /** inject with the admin's token unless `token` says otherwise (null: no token). */
  call(options: InjectOptions & { token?: string | null }): Promise<LightMyRequestResponse>;
  /** The same request through a real socket (startTestApp's `listen`): what a served app does. */
  callOverHttp(options: HttpCall): Promise<HttpAnswer>;
  /** Stops the app and store (the data stays until dispose). */
  stop(): Promise<void>;
  dispose(): Promise<void>;
}

export interface HttpCall {
  method: string;
  url: string;
  /** An object is sent as JSON; a string or bytes as they are. */
  payload?: object | string | Buffer;
  headers?: Record<string, string>;
  token?: string | null;
}

export interface HttpAnswer {
  statusCode: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  json(): any;
}

/** One request on a connection of its own; JSON bodies get `content-type: application/json` unless headers say otherwise. */
export function httpCall(origin: string, { method, url, payload, headers = {} }: HttpCall): Promise<HttpAnswer> {
  const body = payload === undefined ? undefined : typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload);
  const sent: Record<string, string> = { ...(typeof payload === 'object' && !Buffer.isBuffer(payload) ? { 'content-type': 'application/json' } : {}), ...headers };
  return new Promise((resolve, reject) => {
    const request = http.request(`${origin}${url}`, { method, headers: sent, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ statusCode: response.statusCode ?? 0, headers: response.headers, body: text, json: () => JSON.parse(text) });
      });
    });
    request.on('error', reject);
    request.end(body);
  });
}

export function testConfig(overrides: Partial<Config> = {}): Config {
  return { ...loadConfig({}), adminPassword: ADMIN.password, logLevel: 'silent', ...overrides };
}

export async function login(app: FastifyInstance, user: { username: string; password: string }): Promise<string> {
  const response = await app.inject({ method: 'GET', url: `/api/v1/login?username=${user.username}&password=${md5Hex(user.password)}` });
  if (response.statusCode !== 200) throw new Error(`login failed: ${response.body}`);
  return response.json().token;
}

export async function startTestApp(
  kind: StoreKind,
  overrides: Partial<Config> = {},
  existing?: TestStoreLocation,
  options: {
    onQuery?: (sql: string) => void;
    /** Serve on a free port of 127.0.0.1, for callOverHttp. */
    listen?: boolean;
    logger?: FastifyServerOptions['logger'];
    /** Called with the app before it is ready (hooks can still be added). */
    prepare?: (app: FastifyInstance) => void;
  } = {},
): Promise<TestApp> {
  const location = existing ?? (await newStoreLocation(kind));
  const store = await openAt(location, options.onQuery);
  const config = testConfig(overrides);
  const app = await buildApp({ config, store, logger: options.logger });
  options.prepare?.(app);
  const accounts = accountService(store, { tokenTtlSeconds: config.tokenTtlSeconds });
  await accounts.bootstrap(ADMIN.username, ADMIN.password);
  if (!(await accounts.list()).some((a) => a.username === MANAGER.username)) {
    await accounts.create(MANAGER.username, MANAGER.password, 'manager');
  }
  const origin = options.listen ? await app.listen({ port: 0, host: '127.0.0.1' }) : undefined;
  const adminToken = await login(app, ADMIN);
  const managerToken = await login(app, MANAGER);
  /** The admin's token unless `token` says otherwise (null: no token). */
  const withToken = (given: Record<string, string> | undefined, token: string | null | undefined) => {
    const bearer = token === undefined ? adminToken : token;
    return { ...given, ...(bearer === null ? {} : { authorization: `Bearer ${bearer}` }) };
  };
  const stop = async () => {
    await app.close();
    await store.close();
  };
  return {
    app,
    store,
    location,
    config,
    adminToken,
    managerToken,
    call({ token, ...options }) {
      return app.inject({ ...options, headers: withToken(options.headers as Record<string, string> | undefined, token) });
    },
    callOverHttp({ token, ...options }) {
      if (origin === undefined) throw new Error('callOverHttp needs startTestApp(…, { listen: true })');
      return httpCall(origin, { ...options, headers: withToken(options.headers, token) });
    },
    stop,
    async dispose() {
      await stop().catch(() => undefined);
      await location.dispose();
    },
  };
}
