/**
 * Identifiers as stored things (access-api.md §4): create, read, replace, delete, list, and the
 * bulk sync by link_id. Face photos are analysed before the transaction opens (the slow part,
 * once per distinct photo); everything else of a request is one transaction.
 */
import { apartmentsRepository } from '../store/apartments.ts';
import { nowIso, type Queryable, type Store } from '../store/database.ts';
import { identifiersRepository, type IdentifierRow } from '../store/identifiers.ts';
import { groupPairs } from '../store/keyed-tables.ts';
import { pagedList, type ListField, type ListSpec } from '../store/paged-list.ts';
import { timeProfilesRepository } from '../store/time-profiles.ts';
import { ConflictError, FaceRejectedError, MissingReferenceError, type FaceCode } from './access-errors.ts';
import type { FaceAnalyzer } from './faces.ts';
import {
  numberKey,
  samePasses,
  type Identifier,
  type IdentifierType,
  type IdentifierWrite,
  type Lock,
  type OwnerType,
  type Validity,
} from './identifiers.ts';
import { assertLinkIdFree, bulkDeleteByLinkIds, deleteOne, existing } from './keyed-entities.ts';
import { LinkBatch } from './link-batch.ts';
import { CapacityError, type BulkItemResult, type ExtendedInfo } from './users.ts';

export interface IdentifierDirectoryOptions {
  /** The face detector; undefined when face support is switched off (`face_id_not_supported`). */
  faces?: FaceAnalyzer;
  maxIdentifiers?: number;
  maxFaceIdentifiers?: number;
}

export type IdentifierBulkItem = IdentifierWrite & { linkId: string };

export const IDENTIFIER_LIST_FIELDS: Record<string, ListField> = {
  uid: { column: 'id', type: 'number' },
  link_id: { column: 'link_id', type: 'string' },
  user_uid: { column: 'user_id', type: 'number' },
  identifier_type: { column: 'type', type: 'string' },
  identifier_number: { column: 'number', type: 'string' },
  lock: { column: 'lock', type: 'string' },
  'identifier_owner.name': { column: 'owner_name', type: 'string' },
  'identifier_owner.type': { column: 'owner_type', type: 'string' },
};

/** The number of a write as stored and compared. */
interface Resolved {
  number: string;
  key: string;
}

const typeKey = (type: string, key: string) => `${type} ${key}`;
const rowTypeKey = (row: IdentifierRow) => typeKey(row.type, row.number_key);

function rowValidity(row: IdentifierRow): Validity {
  return {
    time: {
      is_permanent: Number(row.time_permanent) === 1,
      from: row.valid_from === null ? null : Number(row.valid_from),
      to: row.valid_to === null ? null : Number(row.valid_to),
    },
    passes: { is_permanent: Number(row.passes_permanent) === 1, max_passes: row.max_passes === null ? null : Number(row.max_passes) },
  };
}

function toRow(
  id: number,
  current: IdentifierRow | undefined,
  write: IdentifierWrite,
  resolved: Resolved,
  apartmentId: number | null,
  now: string,
): IdentifierRow {
  const { time, passes } = write.valid;
  return {
    id,
    link_id: write.linkId === undefined ? (current?.link_id ?? null) : write.linkId,
    user_id: current?.user_id ?? null,
    apartment_id: apartmentId,
    owner_name: write.owner.name,
    owner_type: write.owner.type,
    type: write.type,
    number: resolved.number,
    number_key: resolved.key,
    lock: write.lock,
    time_permanent: time.is_permanent ? 1 : 0,
    valid_from: time.from,
    valid_to: time.to,
    passes_permanent: passes.is_permanent ? 1 : 0,
    max_passes: passes.max_passes,
    // An identical rewrite keeps the passes used; a new pass limit starts again from zero.
    passes_used: current && samePasses(rowValidity(current), write.valid) ? Number(current.passes_used) : 0,
    created_at: current?.created_at ?? now,
    modified_at: now,
  };
}

export function identifierDirectory(store: Store, options: IdentifierDirectoryOptions = {}) {
  const identifiers = identifiersRepository(store);
  const profiles = timeProfilesRepository(store);
  const apartments = apartmentsRepository(store);
  const { faces, maxIdentifiers, maxFaceIdentifiers } = options;
  const limited = maxIdentifiers !== undefined || maxFaceIdentifiers !== undefined;

  /** The number to store, or why there is none. `cache` shares one analysis per distinct photo. */
  async function resolve(write: IdentifierWrite, cache?: Map<string, Promise<Resolved | FaceCode>>): Promise<Resolved | FaceCode> {
    if (write.type === 'face_id') {
      if (!faces) return 'face_id_not_supported';
      const image = write.faceImage;
      if (image !== undefined) {
        let pending = cache?.get(image);
        if (!pending) {
          pending = faces.analyze(image).then((r) => (r.ok ? { number: r.descriptor, key: r.descriptor } : r.code));
          cache?.set(image, pending);
        }
        return pending;
      }
    }
    // The schema and checkIdentifierWrite have made sure the number fits its type.
    const key = numberKey(write.type, write.number as string) as string;
    return { number: write.type === 'face_id' ? key : (write.number as string), key };
  }

  async function resolveOne(write: IdentifierWrite): Promise<Resolved> {
    const resolved = await resolve(write);
    if (typeof resolved === 'string') throw new FaceRejectedError(resolved);
    return resolved;
  }

  async function assertCapacity(db: Queryable, added: number, addedFaces: number): Promise<void> {
    if (!limited || (added === 0 && addedFaces === 0)) return;
    const { total, faces: faceCount } = await identifiers.counts(db);
    if (maxIdentifiers !== undefined && added > 0 && total + added > maxIdentifiers) throw new CapacityError('identifiers');
    if (maxFaceIdentifiers !== undefined && addedFaces > 0 && faceCount + addedFaces > maxFaceIdentifiers) {
      throw new CapacityError('face identifiers');
    }
  }

  /** The apartment and time profiles a single write names (MissingReferenceError for one that names nothing). */
  async function references(db: Queryable, write: IdentifierWrite, current?: IdentifierRow) {
    let profileIds: number[] | undefined;
    if (write.timeProfileLinkIds) {
      const found = await profiles.idsByLinkIds(db, write.timeProfileLinkIds);
      profileIds = write.timeProfileLinkIds.map((linkId, i) => {
        const id = found.get(linkId);
        if (id === undefined) throw new MissingReferenceError(`time_profiles.link_ids[${i}]`);
        return id;
      });
    }
    let apartmentId = current?.apartment_id ?? null;
    if (write.apartmentLinkId !== undefined) {
      apartmentId = write.apartmentLinkId === null ? null : ((await apartments.idsByLinkIds(db, [write.apartmentLinkId])).get(write.apartmentLinkId) ?? null);
      if (write.apartmentLinkId !== null && apartmentId === null) throw new MissingReferenceError('apartment_link_id');
    }
    return { profileIds, apartmentId };
  }

  /** Rows as the dialect shows them: with their apartment's and time profiles' link_ids (three queries for any number of rows). */
  async function hydrate(db: Queryable, rows: readonly IdentifierRow[]): Promise<Identifier[]> {
    const apartmentIds = [...new Set(rows.map((r) => r.apartment_id).filter((id): id is number => id !== null))];
    const apartmentLinks = new Map((await apartments.byIds(db, apartmentIds)).map((a) => [Number(a.id), a.link_id]));
    const pairs = await identifiers.timeProfiles.ofOwners(db, rows.map((r) => Number(r.id)));
    const profileLinks = new Map(
      (await profiles.byIds(db, [...new Set(pairs.map((p) => p[1]))])).map((p) => [Number(p.id), p.link_id]),
    );
    const byIdentifier = groupPairs(pairs);
    return rows.map((row) => ({
      id: Number(row.id),
      linkId: row.link_id,
      userId: row.user_id === null ? null : Number(row.user_id),
      owner: { name: row.owner_name, type: row.owner_type as OwnerType },
      type: row.type as IdentifierType,
      number: row.number,
      lock: row.lock as Lock,
      valid: rowValidity(row),
      passesUsed: Number(row.passes_used),
      apartmentLinkId: row.apartment_id === null ? null : (apartmentLinks.get(Number(row.apartment_id)) ?? null),
      timeProfileLinkIds: (byIdentifier.get(Number(row.id)) ?? [])
        .map((id) => profileLinks.get(id))
        .filter((l): l is string => typeof l === 'string'),
    }));
  }

  return {
    identifiers,

    async create(write: IdentifierWrite): Promise<number> {
      const resolved = await resolveOne(write);
      return store.transaction(
        async (tx) => {
          await assertLinkIdFree(tx, identifiers, 'identifier', write.linkId);
          if (await identifiers.byNumber(tx, write.type, resolved.key)) throw new ConflictError('identifier', 'identifier_number');
          await assertCapacity(tx, 1, write.type === 'face_id' ? 1 : 0);
          const { profileIds, apartmentId } = await references(tx, write);
          const [id] = await store.allocateIds(tx, 'identifiers', 1);
          await identifiers.upsert(tx, [toRow(id, undefined, write, resolved, apartmentId, nowIso())]);
          await identifiers.timeProfiles.add(tx, (profileIds ?? []).map((p) => [id, p] as const));
          return id;
        },
        { exclusive: true },
      );
    },

    async get(id: number): Promise<Identifier> {
      const [identifier] = await hydrate(store.db, [await existing(store.db, identifiers, 'identifier', id)]);
      return identifier;
    },

    async replace(id: number, write: IdentifierWrite): Promise<void> {
      const resolved = await resolveOne(write);
      await store.transaction(
        async (tx) => {
          const current = await existing(tx, identifiers, 'identifier', id);
          await assertLinkIdFree(tx, identifiers, 'identifier', write.linkId, id);
          const holder = await identifiers.byNumber(tx, write.type, resolved.key);
          if (holder && Number(holder.id) !== id) throw new ConflictError('identifier', 'identifier_number');
          await assertCapacity(tx, 0, write.type === 'face_id' && current.type !== 'face_id' ? 1 : 0);
          const { profileIds, apartmentId } = await references(tx, write, current);
          await identifiers.upsert(tx, [toRow(id, current, write, resolved, apartmentId, nowIso())]);
          if (profileIds) await identifiers.timeProfiles.replace(tx, [id], profileIds.map((p) => [id, p] as const));
        },
        { exclusive: true },
      );
    },

    delete: (id: number) => deleteOne(store, identifiers, 'identifier', id),

    async list(spec: ListSpec): Promise<{ items: Identifier[]; total: number }> {
      const { rows, total } = await pagedList<IdentifierRow>(store.db, 'identifiers', IDENTIFIER_LIST_FIELDS, spec);
      return { items: await hydrate(store.db, rows), total };
    },

    /** Each user's identifiers, in uid order. */
    async ofUsers(userIds: readonly number[]): Promise<Map<number, Identifier[]>> {
      const out = new Map<number, Identifier[]>();
      for (const identifier of await hydrate(store.db, await identifiers.byUserIds(store.db, userIds))) {
        const list = out.get(identifier.userId as number) ?? [];
        list.push(identifier);
        out.set(identifier.userId as number, list);
      }
      return out;
    },

    /**
     * Create/update by link_id, in order, in one transaction. Matching: the identifier with this
     * link_id; else one with the same type and number and no link_id (it takes the link_id);
     * else a new one. Per-item failures (success false): the number held by another identifier,
     * a face photo without a face, face support off, a capacity reached. Links that name nothing
     * are skipped and reported (success true).
     */
    async bulkUpsertByLinkId(items: readonly IdentifierBulkItem[]): Promise<BulkItemResult[]> {
      const cache = new Map<string, Promise<Resolved | FaceCode>>();
      const numbers: (Resolved | FaceCode)[] = [];
      for (const item of items) numbers.push(await resolve(item, cache));

      return store.transaction(
        async (tx) => {
          const now = nowIso();
          const batch = new LinkBatch<IdentifierRow>(rowTypeKey);
          batch.remember(await identifiers.byLinkIds(tx, [...new Set(items.map((i) => i.linkId))]));
          const keys = numbers.filter((n): n is Resolved => typeof n !== 'string').map((n) => n.key);
          batch.remember(await identifiers.byNumberKeys(tx, [...new Set(keys)]));
          const profileIds = await profiles.idsByLinkIds(tx, [...new Set(items.flatMap((i) => i.timeProfileLinkIds ?? []))]);
          const apartmentIds = await apartments.idsByLinkIds(tx, [
            ...new Set(items.map((i) => i.apartmentLinkId).filter((l): l is string => typeof l === 'string')),
          ]);
          let { total, faces: faceCount } = limited ? await identifiers.counts(tx) : { total: 0, faces: 0 };

          const profileLinks = new Map<IdentifierRow, number[]>();
          const results = items.map((item, i): BulkItemResult => {
            const fail = (code: ExtendedInfo): BulkItemResult => ({ link_id: item.linkId, success: false, extended_info: code, has_dublicates: false });
            const resolved = numbers[i];
            if (typeof resolved === 'string') return fail(resolved);
            const match = batch.match(item.linkId, typeKey(item.type, resolved.key));
            if ('taken' in match) return fail('number_taken_by_another_identifier');
            const current = match.row;
            const isFace = item.type === 'face_id';
            const wasFace = current?.type === 'face_id';
            if (!current && maxIdentifiers !== undefined && total >= maxIdentifiers) return fail('number_of_identifiers_exceeded');
            if (isFace && !wasFace && maxFaceIdentifiers !== undefined && faceCount >= maxFaceIdentifiers) {
              return fail('number_of_face_identifiers_exceeded');
            }
            if (!current) total += 1;
            faceCount += (isFace ? 1 : 0) - (wasFace ? 1 : 0);

            let missing: ExtendedInfo | undefined;
            let linked: number[] | undefined;
            if (item.timeProfileLinkIds) {
              linked = item.timeProfileLinkIds.map((l) => profileIds.get(l)).filter((id): id is number => id !== undefined);
              if (linked.length < item.timeProfileLinkIds.length) missing = 'bound_time_profile_doesnt_exist';
            }
            let apartmentId = current?.apartment_id ?? null;
            if (item.apartmentLinkId !== undefined) {
              apartmentId = item.apartmentLinkId === null ? null : (apartmentIds.get(item.apartmentLinkId) ?? null);
              if (item.apartmentLinkId !== null && apartmentId === null) missing ??= 'bound_apartment_doesnt_exist';
            }

            const target = batch.put(current, toRow(current ? Number(current.id) : 0, current, item, resolved, apartmentId, now));
            if (linked) profileLinks.set(target, [...new Set(linked)]);
            return { link_id: item.linkId, success: true, extended_info: missing ?? (current ? 'updated' : 'created'), has_dublicates: false };
          });

          await batch.write(store, tx, 'identifiers', identifiers.upsert, identifiers.releaseNumbers);
          await identifiers.timeProfiles.replace(
            tx,
            [...profileLinks.keys()].map((row) => Number(row.id)),
            [...profileLinks].flatMap(([row, list]) => list.map((p) => [Number(row.id), p] as const)),
          );
          return results;
        },
        { exclusive: true },
      );
    },

    bulkDeleteByLinkId: (linkIds: readonly string[]) => bulkDeleteByLinkIds(store, identifiers, linkIds),
  };
}

export type IdentifierDirectory = ReturnType<typeof identifierDirectory>;
