/**
 * Opening the store: SQLite (better-sqlite3, WAL) or PostgreSQL (pg), both through Kysely,
 * with one set of migrations. Also the few places where the two stores need different SQL.
 */
import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type Expression, type RawBuilder, type SqlBool, type Transaction } from 'kysely';
import pg from 'pg';
import { databaseKind } from '../config.ts';
import { migrations } from './migrations/index.ts';
import type { Database } from './schema.ts';

export type StoreKind = 'sqlite' | 'postgres';
export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
export type Queryable = Db | Tx;

export interface Store {
  readonly kind: StoreKind;
  readonly db: Db;
  /** Runs `work` in one transaction. `exclusive` serialises it against other exclusive writers. */
  transaction<T>(work: (tx: Tx) => Promise<T>, options?: { exclusive?: boolean }): Promise<T>;
  /** Reserves `count` new user ids, in ascending order, never handed out before. */
  allocateUserIds(tx: Queryable, count: number): Promise<number[]>;
  /** `column IN (values…)` with the values bound as ONE parameter (json_each / ANY). */
  inList(column: Expression<unknown> | string, values: readonly (string | number)[], type: 'text' | 'integer'): RawBuilder<SqlBool>;
  /** Most rows one multi-row statement may carry for `columns` bound values per row. */
  maxRowsPerStatement(columns: number): number;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** PostgreSQL only: the schema to work in (created when missing); tests use one per file. */
  schema?: string;
  /** PostgreSQL pool size. */
  poolSize?: number;
}

function sqlitePath(url: string): string {
  const file = url.replace(/^sqlite:(\/\/)?/i, '');
  return file === '' ? ':memory:' : file;
}

export async function openStore(url: string, options: OpenOptions = {}): Promise<Store> {
  const store = databaseKind(url) === 'postgres' ? await openPostgres(url, options) : openSqlite(url);
  try {
    await migrate(store, options.schema);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

function openSqlite(url: string): Store {
  const file = sqlitePath(url);
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const raw = new SqliteDatabase(file);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: raw }) });
  return {
    kind: 'sqlite',
    db,
    // SQLite has one connection and Kysely serialises its use: every transaction is exclusive.
    transaction: (work) => db.transaction().execute(work),
    async allocateUserIds(tx, count) {
      if (count === 0) return [];
      const row = await sql<{ value: number }>`update counters set value = value + ${count} where name = 'users' returning value`.execute(tx);
      const last = Number(row.rows[0].value);
      return Array.from({ length: count }, (_, i) => last - count + 1 + i);
    },
    inList(column, values, type) {
      const ref = typeof column === 'string' ? sql.ref(column) : column;
      void type;
      return sql<SqlBool>`${ref} in (select value from json_each(${JSON.stringify(values)}))`;
    },
    maxRowsPerStatement: (columns) => Math.max(1, Math.floor(32_000 / columns)),
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      await db.destroy();
    },
  };
}

async function openPostgres(url: string, options: OpenOptions): Promise<Store> {
  const schema = options.schema;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
  if (schema !== undefined) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`create schema if not exists "${schema}"`);
    } finally {
      await admin.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    ...(schema !== undefined ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle client's network error must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'postgres',
    db,
    transaction(work, opts) {
      return db.transaction().execute(async (tx) => {
        if (opts?.exclusive) await sql`select pg_advisory_xact_lock(74201)`.execute(tx);
        return work(tx);
      });
    },
    async allocateUserIds(tx, count) {
      if (count === 0) return [];
      const result = await sql<{ id: string }>`select nextval('users_id_seq') as id from generate_series(1, ${count}::int)`.execute(tx);
      return result.rows.map((r) => Number(r.id)).sort((a, b) => a - b);
    },
    inList(column, values, type) {
      const ref = typeof column === 'string' ? sql.ref(column) : column;
      return type === 'integer'
        ? sql<SqlBool>`${ref} = any(${values}::int8[])`
        : sql<SqlBool>`${ref} = any(${values}::text[])`;
    },
    maxRowsPerStatement: (columns) => Math.max(1, Math.floor(65_000 / columns)),
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      await db.destroy();
    },
  };
}

/**
 * `schema` (PostgreSQL): where the migration tables live. Without it, Kysely takes a migration
 * table in ANY schema of the database for its own, so that stores opened side by side in two
 * schemas (the tests) could skip creating theirs.
 */
async function migrate(store: Store, schema?: string): Promise<void> {
  const migrator = new Migrator({
    db: store.db,
    ...(store.kind === 'postgres' && schema !== undefined ? { migrationTableSchema: schema } : {}),
    // Branches add migrations in parallel (0002 and 0003): a store that ran 0003 first still takes 0002.
    allowUnorderedMigrations: true,
    provider: {
      async getMigrations() {
        return Object.fromEntries(
          Object.entries(migrations).map(([name, m]) => [name, { up: (db: Kysely<any>) => m.up(db, store.kind) }]),
        );
      },
    },
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '?'} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Splits rows into chunks that fit one statement's bind-parameter limit. */
export function chunk<T>(rows: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

export function nowIso(): string {
  return new Date().toISOString();
}
