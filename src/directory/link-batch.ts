/**
 * The in-memory state of a bulk sync by link_id over one table: the rows it touches, found by
 * link_id and (for tables with a unique natural key: an identifier's type + number, an
 * apartment's address) by that key — one object per row, whichever lookup found it. Items are
 * applied to it in request order; then it is written in one go: new ids, released keys, upsert.
 */
import type { IdSequence, Tx, Store } from '../store/database.ts';

export interface BatchRow {
  id: number;
  link_id: string | null;
}

export type Match<Row> = { row: Row | undefined } | { taken: true };

export class LinkBatch<Row extends BatchRow> {
  private readonly byLink = new Map<string, Row>();
  private readonly byKey = new Map<string, Row>();
  private readonly loadedKey = new Map<Row, string>();
  private readonly loadedIds = new Set<number>();
  private readonly written = new Set<Row>();
  private readonly created: Row[] = [];

  /** `keyOf`: the row's unique natural key, if the table has one. */
  constructor(private readonly keyOf?: (row: Row) => string) {}

  /** Adds rows found in the store (a row already known keeps its first object). */
  remember(rows: readonly Row[]): void {
    for (const row of rows) {
      if (this.loadedIds.has(Number(row.id))) continue;
      this.loadedIds.add(Number(row.id));
      if (row.link_id !== null) this.byLink.set(row.link_id, row);
      if (this.keyOf) {
        this.byKey.set(this.keyOf(row), row);
        this.loadedKey.set(row, this.keyOf(row));
      }
    }
  }

  /** The row with this link_id, if any. */
  linked(linkId: string): Row | undefined {
    return this.byLink.get(linkId);
  }

  /**
   * The row an item with this link_id (and natural key) updates: the row with the link_id; else
   * a row without a link_id that holds the key (it will take the link_id); else none (create).
   * `taken` when another row that has a link_id holds the key.
   */
  match(linkId: string, key?: string): Match<Row> {
    const current = this.byLink.get(linkId);
    const holder = key === undefined ? undefined : this.byKey.get(key);
    if (!holder || holder === current) return { row: current };
    if (current || holder.link_id !== null) return { taken: true };
    return { row: holder };
  }

  /** Records an item's row: `current` (from match) takes the values of `row`, or `row` is new. */
  put(current: Row | undefined, row: Row): Row {
    if (current) {
      if (this.keyOf && this.byKey.get(this.keyOf(current)) === current) this.byKey.delete(this.keyOf(current));
      Object.assign(current, row);
    } else this.created.push(row);
    const target = current ?? row;
    if (target.link_id !== null) this.byLink.set(target.link_id, target);
    if (this.keyOf) this.byKey.set(this.keyOf(target), target);
    this.written.add(target);
    return target;
  }

  /**
   * Writes every row put: ids for the new ones, then `release` for the stored rows whose key
   * changed (so that keys can swap within the batch), then `upsert` of all.
   */
  async write(
    store: Store,
    tx: Tx,
    sequence: IdSequence,
    upsert: (tx: Tx, rows: Row[]) => Promise<void>,
    release?: (tx: Tx, ids: number[]) => Promise<void>,
  ): Promise<void> {
    const ids = await store.allocateIds(tx, sequence, this.created.length);
    this.created.forEach((row, i) => (row.id = ids[i]));
    if (release && this.keyOf) {
      const keyOf = this.keyOf;
      const moved = [...this.written].filter((row) => this.loadedKey.has(row) && this.loadedKey.get(row) !== keyOf(row));
      await release(tx, moved.map((row) => Number(row.id)));
    }
    await upsert(tx, [...this.written]);
  }
}
