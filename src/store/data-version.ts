/**
 * A number that moves whenever stored data may have changed, so that a cache of reads (the
 * access decisions' facts) can tell when it must be dropped:
 * - this process's writes move it: on SQLite before each statement that may write (one
 *   connection, so no read overlaps a write); on PostgreSQL once a write outside a transaction has
 *   finished, or once the commit of a transaction that wrote has (database.ts, changeTracker) —
 *   a read that overlaps the change is dropped with the move or never kept;
 * - other processes' commits move it too: on SQLite through `PRAGMA data_version` (which changes
 *   when another connection commits to the file), on PostgreSQL through LISTEN/NOTIFY, fed by
 *   statement triggers on the tables a decision reads (migration 0004).
 * `current()` is undefined while the store cannot tell (PostgreSQL's listener is not connected):
 * a cache must not be used then.
 */
import pg from 'pg';

export const CHANGES_CHANNEL = 'gatehouse_changes';
const RECONNECT_MS = 1000;

export interface DataVersion {
  current(): number | undefined;
  /** A write is about to run, or has just finished. */
  bump(): void;
  close(): Promise<void>;
}

/**
 * How often SQLite is asked for `data_version`: the question opens and closes a read transaction,
 * which takes the WAL's shared-memory locks (fcntl system calls): 7 µs on an idle machine, 13–19 µs
 * under the panels' load, many times the decision it guards (0.25 µs). Asked every millisecond it
 * took ~1 µs of the server's time per decision at 16 000 decisions/s. Other processes' commits
 * are seen within this time, as PostgreSQL's are within a notification's delivery.
 */
const EXTERNAL_CHECK_MS = 10;

/** SQLite: this connection's writes, plus other connections' commits as `data_version` tells. */
export function sqliteDataVersion(externalVersion: () => number): DataVersion {
  let local = 0;
  let external = externalVersion();
  let checkedAt = performance.now();
  return {
    current() {
      const now = performance.now();
      if (now - checkedAt >= EXTERNAL_CHECK_MS) {
        checkedAt = now;
        const seen = externalVersion();
        if (seen !== external) {
          external = seen;
          local += 1;
        }
      }
      return local;
    },
    bump() {
      local += 1;
    },
    async close() {},
  };
}

export interface PgListenOptions {
  url: string;
  /** Called when the listener fails (logged by the caller); it reconnects by itself. */
  onError?: (error: unknown) => void;
}

/**
 * PostgreSQL: this process's writes, plus every commit that touched a decision table in any
 * process (a notification on CHANGES_CHANNEL, from any schema of the database: a change
 * elsewhere only costs a needless refresh). The listener connects on first use; until it
 * listens, and whenever it has lost its connection, `current()` is undefined.
 */
export function postgresDataVersion(options: PgListenOptions): DataVersion {
  let version = 0;
  let listening = false;
  let closed = false;
  let client: pg.Client | undefined;
  let connecting: Promise<void> | undefined;
  let retry: NodeJS.Timeout | undefined;

  function lost(error?: unknown) {
    if (error !== undefined) options.onError?.(error);
    listening = false;
    version += 1;
    const old = client;
    client = undefined;
    connecting = undefined;
    old?.removeAllListeners();
    old?.on('error', () => undefined);
    void old?.end().catch(() => undefined);
    if (!closed && retry === undefined) {
      retry = setTimeout(() => {
        retry = undefined;
        listen();
      }, RECONNECT_MS);
      retry.unref();
    }
  }

  function listen(): void {
    if (closed || connecting) return;
    const next = new pg.Client({ connectionString: options.url });
    client = next;
    next.on('notification', () => {
      version += 1;
    });
    next.on('error', (error) => lost(error));
    next.on('end', () => {
      if (client === next) lost();
    });
    connecting = next
      .connect()
      .then(() => next.query(`listen ${CHANGES_CHANNEL}`))
      .then(() => {
        if (client !== next) return;
        // Anything committed before LISTEN took effect was not seen: start from a new number.
        version += 1;
        listening = true;
      })
      .catch((error: unknown) => {
        if (client === next) lost(error);
      });
  }

  return {
    current() {
      if (!listening) {
        listen();
        return undefined;
      }
      return version;
    },
    bump() {
      version += 1;
    },
    async close() {
      closed = true;
      listening = false;
      if (retry) clearTimeout(retry);
      const old = client;
      client = undefined;
      await connecting?.catch(() => undefined);
      if (old) {
        old.removeAllListeners();
        old.on('error', () => undefined);
        await old.end().catch(() => undefined);
      }
    },
  };
}
