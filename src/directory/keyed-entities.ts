/**
 * What identifiers, time profiles and apartments share: a server-assigned id, an optional unique
 * link_id set by the integrator, and the bulk delete by link_id.
 */
import type { Queryable, Store } from '../store/database.ts';
import type { keyedTable } from '../store/keyed-tables.ts';
import { ConflictError, type EntityName } from './access-errors.ts';
import { NotFoundError, type BulkItemResult } from './users.ts';

type KeyedTable = ReturnType<typeof keyedTable<{ id: number; link_id: string | null }>>;

/** Throws ConflictError when `linkId` belongs to a row other than `selfId`. */
export async function assertLinkIdFree(
  db: Queryable,
  table: KeyedTable,
  entity: EntityName,
  linkId: string | null | undefined,
  selfId?: number,
): Promise<void> {
  if (linkId === null || linkId === undefined) return;
  const holder = (await table.idsByLinkIds(db, [linkId])).get(linkId);
  if (holder !== undefined && holder !== selfId) throw new ConflictError(entity, 'link_id');
}

/** The row with this id, or NotFoundError. */
export async function existing<Row>(db: Queryable, table: { byId(db: Queryable, id: number): Promise<Row | undefined> }, entity: EntityName, id: number): Promise<Row> {
  const row = await table.byId(db, id);
  if (!row) throw new NotFoundError(entity);
  return row;
}

/** Deletes by id; NotFoundError when there was none. */
export async function deleteOne(store: Store, table: KeyedTable, entity: EntityName, id: number): Promise<void> {
  await store.transaction(async (tx) => {
    if ((await table.deleteByIds(tx, [id])) === 0) throw new NotFoundError(entity);
  });
}

/** Seed 001 for any keyed table: results per link_id in request order (`deleted` / `entity_not_found`). */
export async function bulkDeleteByLinkIds(store: Store, table: KeyedTable, linkIds: readonly string[]): Promise<BulkItemResult[]> {
  return store.transaction(
    async (tx) => {
      const found = await table.idsByLinkIds(tx, [...new Set(linkIds)]);
      const ids: number[] = [];
      const results = linkIds.map((linkId): BulkItemResult => {
        const id = found.get(linkId);
        if (id === undefined) return { link_id: linkId, success: false, extended_info: 'entity_not_found' };
        found.delete(linkId);
        ids.push(id);
        return { link_id: linkId, success: true, extended_info: 'deleted' };
      });
      await table.deleteByIds(tx, ids);
      return results;
    },
    { exclusive: true },
  );
}
