/**
 * Kysely's SQLite dialect, with the store's transactions begun IMMEDIATE, once the checkpointer
 * lets writes start (sqlite-checkpointer.ts).
 *
 * A deferred `begin` takes the writers' lock at the transaction's first write. If another
 * connection holds it then (the checkpointer's restart, or another process), SQLite cannot wait
 * for it: the transaction already reads a snapshot, so it fails at once with SQLITE_BUSY. Taken at
 * `begin`, the lock is waited for (busy_timeout) before anything is read.
 */
import { CompiledQuery, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type SqliteDialectConfig } from 'kysely';

/** Undefined when a transaction may begin now; else a promise, settled when it may. */
export type WriteGate = () => Promise<void> | undefined;

class GatedSqliteDriver extends SqliteDriver {
  readonly #gate: WriteGate;

  constructor(config: SqliteDialectConfig, gate: WriteGate) {
    super(config);
    this.#gate = gate;
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    // The store waits before it asks for the connection, so that reads go on meanwhile; a restart
    // that began while this transaction waited for the connection is waited for here.
    const held = this.#gate();
    if (held) await held;
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

export class GatedSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  readonly #gate: WriteGate;

  constructor(config: SqliteDialectConfig, gate: WriteGate) {
    super(config);
    this.#config = config;
    this.#gate = gate;
  }

  override createDriver(): Driver {
    return new GatedSqliteDriver(this.#config, this.#gate);
  }
}
