/** A Gatehouse app over a test store, with an admin and a manager signed in. */
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
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
  /** Stops the app and store (the data stays until dispose). */
  stop(): Promise<void>;
  dispose(): Promise<void>;
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
  options: { onQuery?: (sql: string) => void } = {},
): Promise<TestApp> {
  const location = existing ?? (await newStoreLocation(kind));
  const store = await openAt(location, options.onQuery);
  const config = testConfig(overrides);
  const app = await buildApp({ config, store });
  const accounts = accountService(store, { tokenTtlSeconds: config.tokenTtlSeconds });
  await accounts.bootstrap(ADMIN.username, ADMIN.password);
  if (!(await accounts.list()).some((a) => a.username === MANAGER.username)) {
    await accounts.create(MANAGER.username, MANAGER.password, 'manager');
  }
  const adminToken = await login(app, ADMIN);
  const managerToken = await login(app, MANAGER);
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
      const headers = { ...(options.headers ?? {}) } as Record<string, string>;
      const bearer = token === undefined ? adminToken : token;
      if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
      return app.inject({ ...options, headers });
    },
    stop,
    async dispose() {
      await stop().catch(() => undefined);
      await location.dispose();
    },
  };
}
