import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

describe('configuration', () => {
  it('has the documented defaults', () => {
    expect(loadConfig({})).toEqual({
      port: 8080,
      host: '127.0.0.1',
      databaseUrl: 'sqlite:./data/gatehouse.db',
      adminUsername: 'admin',
      adminPassword: undefined,
      clientId: undefined,
      clientSecret: undefined,
      tokenTtlSeconds: 7200,
      accessTokenTtlSeconds: 3600,
      maxUsers: undefined,
      maxBulkItems: 10000,
      maxPlatformBulkUsers: 100000,
      bodyLimitBytes: 64 * 1024 * 1024,
      deviceKey: undefined,
      faceRecognition: true,
      maxIdentifiers: undefined,
      maxFaceIdentifiers: undefined,
      timeZone: 'UTC',
      logLevel: 'info',
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '9000',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://root@127.0.0.1:5432/test',
      GATEHOUSE_ADMIN_USERNAME: 'root',
      GATEHOUSE_ADMIN_PASSWORD: 'long-password',
      GATEHOUSE_CLIENT_ID: 'erp',
      GATEHOUSE_CLIENT_SECRET: 'erp-secret',
      GATEHOUSE_TOKEN_TTL_SECONDS: '60',
      GATEHOUSE_ACCESS_TOKEN_TTL_SECONDS: '120',
      GATEHOUSE_MAX_USERS: '5',
      GATEHOUSE_MAX_BULK_ITEMS: '100',
      GATEHOUSE_MAX_PLATFORM_BULK_USERS: '500',
      GATEHOUSE_BODY_LIMIT_BYTES: '2048',
      GATEHOUSE_DEVICE_KEY: 'panel-key',
      LOG_LEVEL: 'debug',
    });
    expect(config).toMatchObject({
      port: 9000,
      host: '0.0.0.0',
      databaseUrl: 'postgres://root@127.0.0.1:5432/test',
      adminUsername: 'root',
      adminPassword: 'long-password',
      clientId: 'erp',
      clientSecret: 'erp-secret',
      tokenTtlSeconds: 60,
      accessTokenTtlSeconds: 120,
      maxUsers: 5,
      maxBulkItems: 100,
      maxPlatformBulkUsers: 500,
      bodyLimitBytes: 2048,
      deviceKey: 'panel-key',
      logLevel: 'debug',
    });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ GATEHOUSE_TOKEN_TTL_SECONDS: '0' }, 'GATEHOUSE_TOKEN_TTL_SECONDS'],
    [{ GATEHOUSE_MAX_USERS: '-1' }, 'GATEHOUSE_MAX_USERS'],
    [{ GATEHOUSE_MAX_BULK_ITEMS: '1.5' }, 'GATEHOUSE_MAX_BULK_ITEMS'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ GATEHOUSE_CLIENT_ID: 'erp' }, 'GATEHOUSE_CLIENT_SECRET'],
    [{ GATEHOUSE_ADMIN_PASSWORD: 'short' }, 'GATEHOUSE_ADMIN_PASSWORD'],
  ])('refuses %j naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^${variable}:`));
  });
});
