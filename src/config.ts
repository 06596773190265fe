/**
 * Environment → typed configuration, validated once at start.
 * A bad value stops the start with a message naming the variable (ConfigError).
 */

export interface Config {
  port: number;
  host: string;
  /** `sqlite:<path>` / plain path, or `postgres://…` / `postgresql://…`. */
  databaseUrl: string;
  adminUsername: string;
  /** undefined: generate one (and print it once) when no account exists yet. */
  adminPassword: string | undefined;
  clientId: string | undefined;
  clientSecret: string | undefined;
  /** Lifetime of access-dialect (panel) tokens, seconds. */
  tokenTtlSeconds: number;
  /** Lifetime of platform access tokens (`expires_in`), seconds. */
  accessTokenTtlSeconds: number;
  /** User capacity; undefined = no limit. */
  maxUsers: number | undefined;
  maxBulkItems: number;
  /** Most users one platform bulk upsert (PATCH /Department/{Id}/Users) may carry. */
  maxPlatformBulkUsers: number;
  /** Largest accepted request body, bytes. */
  bodyLimitBytes: number;
  /** Key panels present to the access-decision route; undefined = that route refuses every caller. */
  deviceKey: string | undefined;
  /** Face-photo identifiers (face_id) accepted; off: `face_id_not_supported`. */
  faceRecognition: boolean;
  /** Identifier capacity (all types); undefined = no limit. */
  maxIdentifiers: number | undefined;
  /** Face identifier capacity; undefined = no limit. */
  maxFaceIdentifiers: number | undefined;
  /** IANA time zone in which time profiles' calendar rules are evaluated. */
  timeZone: string;
  logLevel: string;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function text(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

function integer(env: Env, name: string, fallback: number | undefined, min: number, max: number): number | undefined {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw.trim());
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function onOff(env: Env, name: string, fallback: boolean): boolean {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  const value = raw.trim().toLowerCase();
  if (['on', 'true', '1', 'yes'].includes(value)) return true;
  if (['off', 'false', '0', 'no'].includes(value)) return false;
  throw new ConfigError(name, `must be on or off, got "${raw}"`);
}

function timeZone(env: Env, name: string): string {
  const zone = text(env, name)?.trim() ?? 'UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw new ConfigError(name, `must be an IANA time zone such as UTC or Europe/Kyiv, got "${zone}"`);
  }
  return zone;
}

function required<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('unreachable: default missing');
  return value;
}

export function databaseKind(url: string): 'sqlite' | 'postgres' {
  return /^postgres(ql)?:\/\//i.test(url) ? 'postgres' : 'sqlite';
}

export function loadConfig(env: Env = process.env): Config {
  const databaseUrl = text(env, 'DATABASE_URL') ?? 'sqlite:./data/gatehouse.db';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(databaseUrl) && databaseKind(databaseUrl) !== 'postgres') {
    throw new ConfigError('DATABASE_URL', 'must be sqlite:<path>, a file path, or postgres://…');
  }
  const clientId = text(env, 'GATEHOUSE_CLIENT_ID');
  const clientSecret = text(env, 'GATEHOUSE_CLIENT_SECRET');
  if ((clientId === undefined) !== (clientSecret === undefined)) {
    throw new ConfigError(
      clientId === undefined ? 'GATEHOUSE_CLIENT_ID' : 'GATEHOUSE_CLIENT_SECRET',
      'GATEHOUSE_CLIENT_ID and GATEHOUSE_CLIENT_SECRET must be set together',
    );
  }
  const logLevel = text(env, 'LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  const adminUsername = text(env, 'GATEHOUSE_ADMIN_USERNAME') ?? 'admin';
  if (adminUsername.length > 100) throw new ConfigError('GATEHOUSE_ADMIN_USERNAME', 'must be at most 100 characters');
  const adminPassword = text(env, 'GATEHOUSE_ADMIN_PASSWORD');
  if (adminPassword !== undefined && adminPassword.length < 8) {
    throw new ConfigError('GATEHOUSE_ADMIN_PASSWORD', 'must be at least 8 characters');
  }
  return {
    port: required(integer(env, 'PORT', 8080, 0, 65535)),
    host: text(env, 'HOST') ?? '127.0.0.1',
    databaseUrl,
    adminUsername,
    adminPassword,
    clientId,
    clientSecret,
    tokenTtlSeconds: required(integer(env, 'GATEHOUSE_TOKEN_TTL_SECONDS', 7200, 1, 31_536_000)),
    accessTokenTtlSeconds: required(integer(env, 'GATEHOUSE_ACCESS_TOKEN_TTL_SECONDS', 3600, 1, 31_536_000)),
    maxUsers: integer(env, 'GATEHOUSE_MAX_USERS', undefined, 0, Number.MAX_SAFE_INTEGER),
    maxBulkItems: required(integer(env, 'GATEHOUSE_MAX_BULK_ITEMS', 10_000, 1, 1_000_000)),
    maxPlatformBulkUsers: required(integer(env, 'GATEHOUSE_MAX_PLATFORM_BULK_USERS', 100_000, 1, 1_000_000)),
    bodyLimitBytes: required(integer(env, 'GATEHOUSE_BODY_LIMIT_BYTES', 64 * 1024 * 1024, 1024, 1024 * 1024 * 1024)),
    deviceKey: text(env, 'GATEHOUSE_DEVICE_KEY'),
    faceRecognition: onOff(env, 'GATEHOUSE_FACE_RECOGNITION', true),
    maxIdentifiers: integer(env, 'GATEHOUSE_MAX_IDENTIFIERS', undefined, 0, Number.MAX_SAFE_INTEGER),
    maxFaceIdentifiers: integer(env, 'GATEHOUSE_MAX_FACE_IDENTIFIERS', undefined, 0, Number.MAX_SAFE_INTEGER),
    timeZone: timeZone(env, 'GATEHOUSE_TIMEZONE'),
    logLevel,
  };
}
