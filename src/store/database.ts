/**
 * Opening the store: SQLite (better-sqlite3, WAL) or PostgreSQL (pg), both through Kysely,
 * with one set of migrations. Also the few places where the two stores need different SQL.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  Kysely,
  Migrator,
  type LogEvent,
  PostgresDialect,
  type PostgresPool,
  type PostgresPoolClient,
  sql,
  type Expression,
  type RawBuilder,
  type SqlBool,
  type Transaction,
} from 'kysely';
import pg from 'pg';
import { databaseKind } from '../config.ts';
import { postgresDataVersion, sqliteDataVersion, type DataVersion } from './data-version.ts';
import { GatedSqliteDialect } from './sqlite-dialect.ts';
import { RESTART_FRAMES, startCheckpointer, type Checkpointer } from './sqlite-checkpointer.ts';
import { migrations } from './migrations/index.ts';
import type { Database } from './schema.ts';

export type StoreKind = 'sqlite' | 'postgres';
export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
export type Queryable = Db | Tx;
/** Tables whose ids the store hands out (AUTOINCREMENT's sqlite_sequence in SQLite, a sequence in PostgreSQL). */
export type IdSequence = 'users' | 'time_profiles' | 'apartments' | 'identifiers';

export interface Store {
  readonly kind: StoreKind;
  readonly db: Db;
  /** Runs `work` in one transaction. `exclusive` serialises it against other exclusive writers. */
  transaction<T>(work: (tx: Tx) => Promise<T>, options?: { exclusive?: boolean }): Promise<T>;
  /** Reserves `count` new user ids, in ascending order, never handed out before. */
  allocateUserIds(tx: Queryable, count: number): Promise<number[]>;
  /** Reserves `count` new ids of a table, in ascending order, never handed out before. */
  allocateIds(tx: Queryable, sequence: IdSequence, count: number): Promise<number[]>;
  /** `column IN (values…)` with the values bound as ONE parameter (json_each / ANY). */
  inList(column: Expression<unknown> | string, values: readonly (string | number)[], type: 'text' | 'integer'): RawBuilder<SqlBool>;
  /** Most rows one multi-row statement may carry for `columns` bound values per row. */
  maxRowsPerStatement(columns: number): number;
  /**
   * Set-based write: `insert into <table> (<columns>) <rows> <suffix>`, each row an object with a
   * property per column (read straight into the bound values) — chunked multi-row VALUES
   * through cached prepared statements on SQLite, one `select from unnest(…)` per 20 000 rows on
   * PostgreSQL. Table, columns and suffix are code, never request text. Call it inside
   * `transaction` (on SQLite it runs on the connection the transaction holds).
   */
  insertRows(tx: Tx, spec: RowWriteSpec, rows: readonly object[]): Promise<void>;
  /**
   * A number that changes whenever stored data may have changed — this process's writes at once,
   * other processes' commits as soon as the store hears of them; undefined while it cannot tell.
   * Caches of reads compare it before and after they read (see data-version.ts).
   */
  dataVersion(): number | undefined;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type PgType = 'int4' | 'int8' | 'text';

export interface RowWriteSpec {
  table: string;
  columns: readonly { name: string; type: PgType }[];
  /** e.g. `on conflict (id) do update set name = excluded.name` */
  suffix: string;
}

export interface OpenOptions {
  /** PostgreSQL only: the schema to work in (created when missing); tests use one per file. */
  schema?: string;
  /** PostgreSQL pool size. */
  poolSize?: number;
  /** Called for every query executed (tests count round trips with it). */
  onQuery?: (sql: string) => void;
  /** SQLite only: WAL frames past which the checkpointer starts the WAL over (RESTART_FRAMES); tests use fewer. */
  walRestartFrames?: number;
  /** Called when background work fails: PostgreSQL's change listener (it reconnects by itself), SQLite's checkpointer. */
  onBackgroundError?: (error: unknown) => void;
}

function queryLog(options: OpenOptions) {
  const { onQuery } = options;
  return onQuery ? { log: (event: LogEvent) => onQuery(event.query.sql) } : {};
}

function sqlitePath(url: string): string {
  const file = url.replace(/^sqlite:(\/\/)?/i, '');
  return file === '' ? ':memory:' : file;
}

export async function openStore(url: string, options: OpenOptions = {}): Promise<Store> {
  const store = databaseKind(url) === 'postgres' ? await openPostgres(url, options) : openSqlite(url, options);
  try {
    await migrate(store);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

/**
 * Bound values per multi-row statement of SQLite's insertRows, under SQLite's limit of 32 766. The
 * fewer the statements the faster the write: at 15 000 (arrays of values small enough for V8's
 * young generation) a 10 000-user write took ~13 % longer than at 32 000, page faults the same.
 */
const SQLITE_VALUES_PER_WRITE = 32_000;

function openSqlite(url: string, options: OpenOptions): Store {
  const file = sqlitePath(url);
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const raw = new SqliteDatabase(file);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 5000');
  // Temporary data in memory, above all the statement journal: a multi-row write inside a
  // transaction (every bulk's) keeps the prior image of each page it changes so that the
  // statement alone can be undone, and past 64 KB SQLite spilled that journal to a temporary file,
  // one write syscall per page: ~13 % of the server's time on a 10 000-user bulk (perf).
  // Its size is bounded by the pages one statement changes (each statement writes at most
  // SQLITE_VALUES_PER_WRITE values).
  raw.pragma('temp_store = MEMORY');
  // Checkpoints run on a thread of their own (sqlite-checkpointer.ts), not inside commits here;
  // should that thread fail, SQLite's own checkpoints take over again.
  let checkpointer: Checkpointer | undefined;
  if (file !== ':memory:') {
    raw.pragma('wal_autocheckpoint = 0');
    const restartFrames = options.walRestartFrames ?? RESTART_FRAMES;
    // A WAL file that a big bulk made larger goes back to this size once the WAL starts over.
    raw.pragma(`journal_size_limit = ${restartFrames * (raw.pragma('page_size', { simple: true }) as number)}`);
    checkpointer = startCheckpointer(file, {
      restartFrames,
      onError(message) {
        if (raw.open) raw.pragma('wal_autocheckpoint = 1000');
        options.onBackgroundError?.(new Error(`SQLite checkpoint: ${message}`));
      },
    });
  }
  // SQLite's lower() folds ASCII only; PostgreSQL's folds every letter. `contains` and `Like`
  // ignore case on both stores, so here lower() folds as PostgreSQL does (no index uses lower()).
  raw.function('lower', { deterministic: true }, (value: unknown) => (value === null ? null : String(value).toLowerCase()));
  const dataVersion = raw.prepare('pragma data_version').pluck();
  const version = sqliteDataVersion(() => dataVersion.get() as number);
  // Kysely prepares every statement it runs; SQLite statements are reusable, so keep them.
  const prepared = new Map<string, SqliteDatabase.Statement>();
  const cachingDatabase = {
    close: () => raw.close(),
    prepare(text: string) {
      let statement = prepared.get(text);
      if (!statement) {
        statement = writeTracked(raw.prepare(text), version);
        if (prepared.size >= 1000) prepared.clear();
        prepared.set(text, statement);
      }
      return statement;
    },
  };
  const db = new Kysely<Database>({ dialect: new GatedSqliteDialect({ database: cachingDatabase }, () => checkpointer?.writable()), ...queryLog(options) });
  const statements = new Map<string, SqliteDatabase.Statement>();
  const statement = (spec: RowWriteSpec, rowCount: number): SqliteDatabase.Statement => {
    const key = `${spec.table}|${spec.columns.map((c) => c.name).join(',')}|${spec.suffix}|${rowCount}`;
    let cached = statements.get(key);
    if (!cached) {
      const row = `(${spec.columns.map(() => '?').join(', ')})`;
      const text = `insert into ${spec.table} (${spec.columns.map((c) => c.name).join(', ')}) values ${Array(rowCount).fill(row).join(', ')} ${spec.suffix}`;
      cached = raw.prepare(text);
      if (statements.size > 64) statements.clear();
      statements.set(key, cached);
    }
    return cached;
  };
  async function allocateIds(tx: Queryable, sequence: IdSequence, count: number): Promise<number[]> {
    if (count === 0) return [];
    // AUTOINCREMENT keeps the highest id ever given in sqlite_sequence: reserve past it.
    const row = await sql<{ seq: number }>`update sqlite_sequence set seq = seq + ${count} where name = ${sequence} returning seq`.execute(tx);
    const last = Number(row.rows[0].seq);
    return Array.from({ length: count }, (_, i) => last - count + 1 + i);
  }
  return {
    kind: 'sqlite',
    db,
    // SQLite has one connection and Kysely serialises its use: every transaction is exclusive.
    // None starts while the checkpointer starts the WAL over (sqlite-checkpointer.ts).
    transaction(work) {
      const held = checkpointer?.writable();
      return held ? held.then(() => db.transaction().execute(work)) : db.transaction().execute(work);
    },
    allocateUserIds: (tx, count) => allocateIds(tx, 'users', count),
    allocateIds,
    inList(column, values, type) {
      const ref = typeof column === 'string' ? sql.ref(column) : column;
      void type;
      return sql<SqlBool>`${ref} in (select value from json_each(${JSON.stringify(values)}))`;
    },
    maxRowsPerStatement: (columns) => Math.max(1, Math.floor(SQLITE_VALUES_PER_WRITE / columns)),
    async insertRows(_tx, spec, rows) {
      // Kysely holds SQLite's one connection for the whole transaction, so statements run on the
      // raw handle here are part of it; building them directly skips compiling huge query trees.
      const width = spec.columns.length;
      const names = spec.columns.map((c) => c.name);
      const perStatement = Math.max(1, Math.floor(SQLITE_VALUES_PER_WRITE / width));
      for (let start = 0; start < rows.length; start += perStatement) {
        const count = Math.min(perStatement, rows.length - start);
        const params = new Array<unknown>(count * width);
        for (let r = 0; r < count; r++) {
          const row = rows[start + r] as Record<string, unknown>;
          for (let c = 0; c < width; c++) params[r * width + c] = row[names[c]];
        }
        const prepared = statement(spec, count);
        options.onQuery?.(prepared.source);
        version.bump();
        prepared.run(params);
      }
    },
    dataVersion: () => version.current(),
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      await checkpointer?.stop();
      await db.destroy();
    },
  };
}

/**
 * A statement that moves the data version when it runs, unless SQLite says it cannot write.
 * (One connection, used by one caller at a time: no read runs while a write is under way.)
 */
function writeTracked(statement: SqliteDatabase.Statement, version: DataVersion): SqliteDatabase.Statement {
  // `begin immediate` counts as a write for SQLite (it takes the writers' lock) but changes nothing.
  if (statement.readonly || BEGIN.test(statement.source)) return statement;
  const bumping =
    <A extends unknown[], R>(run: (...args: A) => R) =>
    (...args: A): R => {
      version.bump();
      return run(...args);
    };
  // What Kysely's SQLite driver uses of a statement.
  const tracked = {
    reader: statement.reader,
    readonly: false,
    source: statement.source,
    run: bumping(statement.run.bind(statement)),
    all: bumping(statement.all.bind(statement)),
    get: bumping(statement.get.bind(statement)),
    iterate: bumping(statement.iterate.bind(statement)),
  };
  return tracked as unknown as SqliteDatabase.Statement;
}

const PREPARABLE = /^\s*(?:select|insert|update|delete|with)\b/i;

/** Named statements one connection keeps (beyond that, queries are parsed each time). */
const PREPARED_PER_CONNECTION = 200;

/** Texts that only read (as far as the data a cache keeps is concerned). */
const READS = /^\s*select\b/i;
/** Transaction control: changes no data by itself (a commit is told apart below). */
const BEGIN = /^\s*(?:begin|start\s+transaction)\b/i;
const COMMIT = /^\s*(?:commit|end)\b/i;
const ROLLBACK = /^\s*(?:rollback|abort)\s*(?:transaction|work)?\s*;?\s*$/i;
const SAVEPOINTS = /^\s*(?:savepoint|release|rollback\s+to)\b/i;

/**
 * What moves the data version (see data-version.ts) on PostgreSQL, where other connections read
 * while this one writes: a statement that may change data, once it has finished — at once outside
 * a transaction, at the commit inside one (until then no other connection sees the change). A
 * transaction that changed nothing (a refused write rolled back, or one that only read) moves
 * nothing, so the panels' kept facts survive it. A read that overlaps the change either ends
 * before the move (kept, then dropped with it) or after (never kept).
 */
export function changeTracker(version: DataVersion) {
  let inTransaction = false;
  let changed = false;
  return {
    sent(text: string, pending: Promise<unknown>): void {
      if (READS.test(text)) return;
      if (BEGIN.test(text)) {
        inTransaction = true;
        changed = false;
      } else if (COMMIT.test(text)) {
        if (changed) pending.then(version.bump, version.bump);
        inTransaction = changed = false;
      } else if (ROLLBACK.test(text)) {
        inTransaction = changed = false;
      } else if (!SAVEPOINTS.test(text)) {
        if (inTransaction) changed = true;
        else pending.then(version.bump, version.bump);
      }
    },
    /** A query object, not text (none is used today): taken as a change, moved at once. */
    sentQueryObject(): void {
      if (inTransaction) changed = true;
      version.bump();
    },
    /** Back in the pool: whatever was left open is not this connection's next user's. */
    released(): void {
      inTransaction = changed = false;
    },
  };
}

/**
 * Runs the queries of each pooled connection as named (prepared) statements, so PostgreSQL
 * parses and plans each distinct query text once per connection instead of on every call: an
 * access decision is one query, and planning was most of its time. Query texts never carry
 * values (they are bound), so the set of texts is small; it is bounded per connection anyway.
 */
function withPreparedStatements(pool: pg.Pool, version: DataVersion): PostgresPool {
  const clients = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  let counter = 0;
  function wrap(client: pg.PoolClient): PostgresPoolClient {
    const names = new Map<string, string>();
    const tracker = changeTracker(version);
    const query = (text: unknown, values?: readonly unknown[]) => {
      if (typeof text !== 'string') {
        tracker.sentQueryObject();
        return client.query(text as pg.Submittable);
      }
      let name = names.get(text);
      if (name === undefined && names.size < PREPARED_PER_CONNECTION && PREPARABLE.test(text)) {
        name = `gatehouse_${++counter}`;
        names.set(text, name);
      }
      const pending = client.query(name === undefined ? { text, values: values as unknown[] } : { name, text, values: values as unknown[] });
      tracker.sent(text, pending);
      return pending;
    };
    const release = () => {
      tracker.released();
      client.release();
    };
    return { query, release } as unknown as PostgresPoolClient;
  }
  return {
    async connect() {
      const client = await pool.connect();
      let wrapped = clients.get(client);
      if (!wrapped) clients.set(client, (wrapped = wrap(client)));
      return wrapped;
    },
    end: () => pool.end(),
  };
}

// A URL that names no user (`postgresql:///db?host=/var/run/postgresql`) connects as PGUSER, else
// the operating-system user, as libpq does; pg itself only looks at $USER, which may be unset.
pg.defaults.user ??= process.env.PGUSER ?? os.userInfo().username;

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
  const version = postgresDataVersion({ url, onError: options.onBackgroundError });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: withPreparedStatements(pool, version) }), ...queryLog(options) });
  async function allocateIds(tx: Queryable, sequence: IdSequence, count: number): Promise<number[]> {
    if (count === 0) return [];
    const result = await sql<{ id: string }>`select nextval(${`${sequence}_id_seq`}::regclass) as id from generate_series(1, ${count}::int)`.execute(tx);
    return result.rows.map((r) => Number(r.id)).sort((a, b) => a - b);
  }
  return {
    kind: 'postgres',
    db,
    transaction(work, opts) {
      return db.transaction().execute(async (tx) => {
        if (opts?.exclusive) await sql`select pg_advisory_xact_lock(74201)`.execute(tx);
        return work(tx);
      });
    },
    allocateUserIds: (tx, count) => allocateIds(tx, 'users', count),
    allocateIds,
    inList(column, values, type) {
      const ref = typeof column === 'string' ? sql.ref(column) : column;
      return type === 'integer'
        ? sql<SqlBool>`${ref} = any(${values}::int8[])`
        : sql<SqlBool>`${ref} = any(${values}::text[])`;
    },
    maxRowsPerStatement: (columns) => Math.max(1, Math.floor(65_000 / columns)),
    async insertRows(tx, spec, rows) {
      // The rows travel as ONE JSON text, made natively: pg's conversion of one array per column
      // escaped every value in JavaScript (~15 ms per 10 000 users) and PostgreSQL parsed them again.
      const columnNames = spec.columns.map((c) => c.name);
      const names = sql.raw(columnNames.join(', '));
      const record = sql.raw(spec.columns.map((c) => `${c.name} ${c.type}`).join(', '));
      for (const part of chunk(rows, 20_000)) {
        const json = JSON.stringify(part, columnNames);
        await sql`insert into ${sql.raw(spec.table)} (${names}) select ${names} from json_to_recordset(${json}::json) as r(${record}) ${sql.raw(spec.suffix)}`.execute(tx);
      }
    },
    dataVersion: () => version.current(),
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      await version.close();
      await db.destroy();
    },
  };
}

async function migrate(store: Store): Promise<void> {
  // Kysely looks for its bookkeeping tables in every schema unless told which one: name ours.
  const schema =
    store.kind === 'postgres' ? (await sql<{ s: string }>`select current_schema() as s`.execute(store.db)).rows[0]?.s : undefined;
  const migrator = new Migrator({
    db: store.db,
    ...(schema ? { migrationTableSchema: schema } : {}),
    // Branches add migrations in parallel (0002 merged after 0003): a store that ran 0003 first still takes 0002.
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
