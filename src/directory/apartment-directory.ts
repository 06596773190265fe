/**
 * Apartments (access-api.md §5): a logical address that is unique, a name, a declared number of
 * residents; users are added to them (access-links.ts) and identifiers may name one.
 */
import { apartmentsRepository, type AddressTuple, type ApartmentRow } from '../store/apartments.ts';
import { nowIso, type Store } from '../store/database.ts';
import { pagedList, type ListField, type ListSpec } from '../store/paged-list.ts';
import { ConflictError } from './access-errors.ts';
import { assertLinkIdFree, bulkDeleteByLinkIds, deleteOne, existing } from './keyed-entities.ts';
import { LinkBatch } from './link-batch.ts';
import type { BulkItemResult } from './users.ts';

export interface ApartmentAddress {
  building: number;
  unit: number;
  floor: number;
  room: number;
}

export interface Apartment {
  id: number;
  linkId: string | null;
  name: string;
  address: ApartmentAddress;
  residentsCount: number;
}

export interface ApartmentWrite {
  name: string;
  address: ApartmentAddress;
  /** undefined: keep (0 on create). */
  residentsCount?: number;
  /** undefined: keep (null on create). */
  linkId?: string | null;
}

export const APARTMENT_LIST_FIELDS: Record<string, ListField> = {
  uid: { column: 'id', type: 'number' },
  link_id: { column: 'link_id', type: 'string' },
  apartment_name: { column: 'name', type: 'string' },
  'apartment_address.building': { column: 'building', type: 'number' },
  'apartment_address.unit': { column: 'unit', type: 'number' },
  'apartment_address.floor': { column: 'floor', type: 'number' },
  'apartment_address.room': { column: 'room', type: 'number' },
  'residents.count': { column: 'residents_count', type: 'number' },
};

const tupleOf = (a: ApartmentAddress): AddressTuple => [a.building, a.unit, a.floor, a.room];
const addressKey = (a: ApartmentAddress | ApartmentRow): string => `${a.building}:${a.unit}:${a.floor}:${a.room}`;

export function rowToApartment(row: ApartmentRow): Apartment {
  return {
    id: Number(row.id),
    linkId: row.link_id,
    name: row.name,
    address: { building: Number(row.building), unit: Number(row.unit), floor: Number(row.floor), room: Number(row.room) },
    residentsCount: Number(row.residents_count),
  };
}

function toRow(id: number, current: ApartmentRow | undefined, write: ApartmentWrite, now: string): ApartmentRow {
  return {
    id,
    link_id: write.linkId === undefined ? (current?.link_id ?? null) : write.linkId,
    name: write.name,
    ...write.address,
    residents_count: write.residentsCount ?? current?.residents_count ?? 0,
    created_at: current?.created_at ?? now,
    modified_at: now,
  };
}

export function apartmentDirectory(store: Store) {
  const apartments = apartmentsRepository(store);

  async function assertAddressFree(db: Parameters<typeof apartments.byAddresses>[0], address: ApartmentAddress, selfId?: number) {
    const [holder] = await apartments.byAddresses(db, [tupleOf(address)]);
    if (holder && Number(holder.id) !== selfId) throw new ConflictError('apartment', 'apartment_address');
  }

  return {
    apartments,

    async create(write: ApartmentWrite): Promise<number> {
      return store.transaction(
        async (tx) => {
          await assertAddressFree(tx, write.address);
          await assertLinkIdFree(tx, apartments, 'apartment', write.linkId);
          const [id] = await store.allocateIds(tx, 'apartments', 1);
          await apartments.upsert(tx, [toRow(id, undefined, write, nowIso())]);
          return id;
        },
        { exclusive: true },
      );
    },

    async get(id: number): Promise<Apartment> {
      return rowToApartment(await existing(store.db, apartments, 'apartment', id));
    },

    async replace(id: number, write: ApartmentWrite): Promise<void> {
      await store.transaction(
        async (tx) => {
          const current = await existing(tx, apartments, 'apartment', id);
          await assertAddressFree(tx, write.address, id);
          await assertLinkIdFree(tx, apartments, 'apartment', write.linkId, id);
          await apartments.upsert(tx, [toRow(id, current, write, nowIso())]);
        },
        { exclusive: true },
      );
    },

    delete: (id: number) => deleteOne(store, apartments, 'apartment', id),

    async list(spec: ListSpec): Promise<{ items: Apartment[]; total: number }> {
      const { rows, total } = await pagedList<ApartmentRow>(store.db, 'apartments', APARTMENT_LIST_FIELDS, spec);
      return { items: rows.map(rowToApartment), total };
    },

    /**
     * Create/update by link_id, in order, in one transaction: the apartment with this link_id is
     * updated; else an apartment at the same address without a link_id takes the link_id
     * (`updated`); else one is created. An address held by another apartment that has a link_id
     * fails the whole request (ConflictError naming the item): nothing is applied.
     */
    async bulkUpsertByLinkId(items: readonly (ApartmentWrite & { linkId: string })[]): Promise<BulkItemResult[]> {
      return store.transaction(
        async (tx) => {
          const now = nowIso();
          const batch = new LinkBatch<ApartmentRow>(addressKey);
          batch.remember(await apartments.byLinkIds(tx, [...new Set(items.map((i) => i.linkId))]));
          batch.remember(await apartments.byAddresses(tx, items.map((i) => tupleOf(i.address))));
          const results = items.map((item, index): BulkItemResult => {
            const match = batch.match(item.linkId, addressKey(item.address));
            if ('taken' in match) throw new ConflictError('apartment', 'apartment_address', index);
            const current = match.row;
            batch.put(current, toRow(current?.id ?? 0, current, item, now));
            return { link_id: item.linkId, success: true, extended_info: current ? 'updated' : 'created', has_dublicates: false };
          });
          await batch.write(store, tx, 'apartments', apartments.upsert, apartments.releaseAddresses);
          return results;
        },
        { exclusive: true },
      );
    },

    bulkDeleteByLinkId: (linkIds: readonly string[]) => bulkDeleteByLinkIds(store, apartments, linkIds),
  };
}

export type ApartmentDirectory = ReturnType<typeof apartmentDirectory>;
