import { describe, expect, it } from 'vitest';
import { changeTracker } from '../../src/store/database.ts';
import type { DataVersion } from '../../src/store/data-version.ts';

/** A tracker over a counting version; `run` sends statements as one connection would, each finished. */
function connection() {
  let moves = 0;
  const version: DataVersion = { current: () => moves, bump: () => (moves += 1), close: async () => undefined };
  const tracker = changeTracker(version);
  return {
    tracker,
    moves: () => moves,
    async run(...texts: string[]): Promise<number> {
      const before = moves;
      for (const text of texts) {
        const pending = Promise.resolve();
        tracker.sent(text, pending);
        await pending;
        await Promise.resolve();
      }
      return moves - before;
    },
  };
}

describe('what moves the data version on PostgreSQL', () => {
  it('a write outside a transaction, once; reads never', async () => {
    const c = connection();
    expect(await c.run('select 1', ' SELECT * from users')).toBe(0);
    expect(await c.run('insert into users values (1)')).toBe(1);
    expect(await c.run('update users set name = $1', 'delete from users', 'with x as (delete from users) select 1')).toBe(3);
  });

  it('a transaction that wrote, once, at its commit; one that did not, never', async () => {
    const c = connection();
    expect(await c.run('begin', 'insert into users values (1)', 'update users set name = $1')).toBe(0);
    expect(await c.run('commit')).toBe(1);
    expect(await c.run('begin', 'select 1', 'select pg_advisory_xact_lock(1)', 'commit')).toBe(0);
    expect(await c.run('start transaction isolation level serializable', 'insert into users values (2)', 'rollback')).toBe(0);
  });

  it('savepoints neither end the transaction nor forget its writes', async () => {
    const c = connection();
    expect(await c.run('begin', 'savepoint "a"', 'insert into users values (1)', 'rollback to savepoint "a"', 'release savepoint "a"')).toBe(0);
    expect(await c.run('insert into users values (2)', 'commit')).toBe(1);
  });

  it('a connection back in the pool starts afresh: its next write outside a transaction moves it', async () => {
    const c = connection();
    expect(await c.run('begin', 'insert into users values (1)')).toBe(0);
    c.tracker.released();
    expect(await c.run('insert into users values (2)')).toBe(1);
  });

  it('a query object (not text) is taken as a change, at once', async () => {
    const c = connection();
    c.tracker.sentQueryObject();
    expect(c.moves()).toBe(1);
    // Inside a transaction it also counts as the transaction's write.
    expect(await c.run('begin')).toBe(0);
    c.tracker.sentQueryObject();
    expect(await c.run('commit')).toBe(1);
    expect(c.moves()).toBe(3);
  });
});
