/**
 * The user directory's rules: create, replace, delete, and the bulk sync by link_id with its
 * matching (link_id, then one unlinked user of the same name, else create) and per-item results.
 * Bulk work is set-based: a fixed number of queries per request, whatever its size.
 */
import { nowIso, type Store, type Tx } from '../store/database.ts';
import { writeBatcher } from './write-batcher.ts';
import { rowToUser, userToRow, usersRepository, type AccessRow, type NameStats, type UserKey } from '../store/users.ts';
import {
  CapacityError,
  NotFoundError,
  canonicalAuthFactors,
  encodeAuthFactors,
  nameKey,
  newUser,
  type AccessFields,
  type BulkItemResult,
  type ExtendedInfo,
  type User,
} from './users.ts';

export interface LinkIdList {
  link_ids: string[];
}

export interface BulkUserItem extends AccessFields {
  link_id: string;
  time_profiles?: LinkIdList;
  apartments?: LinkIdList;
  identifiers?: LinkIdList;
}

/**
 * Replaces the links (time profiles, apartments, identifiers) that bulk items carry. Called once
 * per bulk, inside its transaction, after the users are written; returns, per entry, the code of
 * the first kind of link that named something missing.
 */
export interface UserLinkWriter {
  replaceLinks(tx: Tx, entries: readonly { userId: number; item: BulkUserItem }[]): Promise<(ExtendedInfo | undefined)[]>;
}

export interface UserDirectoryOptions {
  maxUsers?: number;
  links?: UserLinkWriter;
}

/**
 * A user as the bulk path will write it; the access fields are filled in from the item. One class,
 * so that every state has the same shape (a bulk makes 10 000s of them). `storedName` and `queued`
 * are bookkeeping the writers do not read (they take the table's columns by name).
 */
class PendingUser implements AccessRow {
  name = '';
  info = '';
  auth_factors = '';
  lock_number = 0;
  is_custom_user_access = 0;
  /** Already in one of the batch's lists of users to write (a link_id may come twice). */
  queued = false;
  constructor(
    public id: number,
    public link_id: string | null,
    public name_key: string,
    public created_at: string,
    public modified_at: string,
    /** The name it has in the store; undefined for users not found by link_id. */
    readonly storedName: string | undefined,
  ) {}
}

export function userDirectory(store: Store, options: UserDirectoryOptions = {}) {
  const users = usersRepository(store);
  const { maxUsers } = options;

  function applyAccessFields(user: User, fields: AccessFields, now: string): void {
    user.name = fields.name;
    user.info = fields.info;
    user.auth_factors = canonicalAuthFactors(fields.auth_factors);
    user.lock_number = fields.lock_number;
    user.is_custom_user_access = fields.is_custom_user_access;
    user.modified_at = now;
  }

  /** Writes a batch of single creates at once; past the capacity, the rest fail. */
  const createOne = writeBatcher<AccessFields, { id: number; has_dublicates: boolean }>(async (batch) => {
    const now = nowIso();
    const rowOf = (fields: AccessFields) => {
      const { id: _none, ...row } = userToRow({ ...newUser(0, null, now), ...fields, auth_factors: canonicalAuthFactors(fields.auth_factors) }, nameKey);
      return row;
    };
    /** Another user had the name before, or two of this batch share it. */
    const flags = (rows: readonly { name_key: string }[], taken: ReadonlySet<string>) => {
      const inBatch = new Map<string, number>();
      for (const row of rows) inBatch.set(row.name_key, (inBatch.get(row.name_key) ?? 0) + 1);
      return rows.map((row) => taken.has(row.name_key) || (inBatch.get(row.name_key) ?? 0) > 1);
    };
    if (maxUsers === undefined) {
      const rows = batch.map(rowOf);
      const { ids, taken } = await users.createNew(rows);
      const duplicated = flags(rows, taken);
      return ids.map((id, i) => ({ ok: true, value: { id, has_dublicates: duplicated[i] } }));
    }
    // A capacity: counted and written under the store's exclusive lock.
    return store.transaction(
      async (tx) => {
        const room = Math.max(0, maxUsers - (await users.count(tx)));
        const rows = batch.slice(0, room).map(rowOf);
        const { ids, taken } = await users.insertNew(tx, rows);
        const duplicated = flags(rows, taken);
        return batch.map((_, i) =>
          i < rows.length ? { ok: true, value: { id: ids[i], has_dublicates: duplicated[i] } } : { ok: false, error: new CapacityError('entities') },
        );
      },
      { exclusive: true },
    );
  });

  return {
    users,

    /** U1: one user; concurrent creates are committed together (see write-batcher.ts). */
    create(fields: AccessFields): Promise<{ id: number; has_dublicates: boolean }> {
      return createOne(fields);
    },

    async get(id: number): Promise<User> {
      const row = await users.byId(store.db, id);
      if (!row) throw new NotFoundError('user');
      return rowToUser(row);
    },

    async replaceAccessFields(id: number, fields: AccessFields): Promise<{ has_dublicates: boolean }> {
      return store.transaction(async (tx) => {
        const row = await users.byId(tx, id);
        if (!row) throw new NotFoundError('user');
        const user = rowToUser(row);
        applyAccessFields(user, fields, nowIso());
        await users.upsert(tx, [userToRow(user, nameKey)]);
        return { has_dublicates: await users.nameTakenByAnother(tx, nameKey(user.name), id) };
      });
    },

    async delete(id: number): Promise<void> {
      await store.transaction(async (tx) => {
        if (!(await users.byId(tx, id))) throw new NotFoundError('user');
        await users.deleteByIds(tx, [id]);
      });
    },

    /** has_dublicates for each of the given users (another user has the same name key). */
    async duplicateFlags(list: readonly { id: number; name: string }[]): Promise<Map<number, boolean>> {
      const duplicated = await users.duplicatedNameKeys(store.db, [...new Set(list.map((u) => nameKey(u.name)))]);
      return new Map(list.map((u) => [u.id, duplicated.has(nameKey(u.name))]));
    },

    /** Seed 000: create/update users by link_id, in order, in one transaction. */
    async bulkUpsertByLinkId(items: readonly BulkUserItem[]): Promise<BulkItemResult[]> {
      return store.transaction(
        async (tx) => {
          const now = nowIso();
          const itemKeys = items.map((item) => nameKey(item.name));
          // What the batch knows of each of its name keys: the stored users carrying it, then the
          // batch's own changes. A renamed user's old name is read only if an item takes it: to
          // the batch it matters only then.
          const tallies = new Map<string, NameStats>();
          for (const key of itemKeys) {
            if (tallies.get(key) === undefined) tallies.set(key, { count: 0, unlinked: 0, oldestUnlinkedId: undefined });
          }
          const [linked, stored] = await users.linksAndNameStats(
            tx,
            items.map((item) => item.link_id),
            [...tallies.keys()],
          );
          for (const name of stored) tallies.set(name.name_key, name);
          // The state of every user this batch touches, as it will be written. Users found by
          // link_id keep their stored name: those whose name stays are updated without touching
          // the indexed columns.
          const byLink = new Map<string, PendingUser>();
          for (const key of linked) {
            byLink.set(key.link_id as string, new PendingUser(Number(key.id), key.link_id, key.name_key, now, now, key.name));
          }
          let total = maxUsers === undefined ? 0 : await users.count(tx);

          const results: BulkItemResult[] = [];
          const written: PendingUser[] = [];
          const created: PendingUser[] = [];
          const linkEntries: { user: PendingUser; item: BulkUserItem; result: number }[] = [];

          for (let i = 0; i < items.length; i++) {
            const item = items[i];
            const key = itemKeys[i];
            const names = tallies.get(key) as NameStats;
            let user = byLink.get(item.link_id);
            let outcome: ExtendedInfo = 'updated';
            if (!user) {
              const unlinked = names.unlinked;
              if (unlinked === 1 && names.oldestUnlinkedId !== undefined) {
                user = new PendingUser(names.oldestUnlinkedId, item.link_id, key, now, now, undefined);
                names.unlinked = 0;
              } else {
                if (maxUsers !== undefined && total >= maxUsers) {
                  results.push({ link_id: item.link_id, success: false, extended_info: 'number_of_entities_exceeded', has_dublicates: names.count > 0 });
                  continue;
                }
                total += 1;
                user = new PendingUser(0, item.link_id, key, now, now, undefined);
                // Written with the batch's new users (inserted, not upserted).
                user.queued = true;
                names.count += 1;
                created.push(user);
                outcome = unlinked > 1 ? 'has_dublicates' : 'created';
              }
              byLink.set(item.link_id, user);
            }
            if (user.name_key !== key) {
              // Renamed: the old name is carried by one user fewer (never below none).
              const old = tallies.get(user.name_key);
              if (old !== undefined && old.count > 0) old.count -= 1;
              names.count += 1;
            }
            user.name = item.name;
            user.name_key = key;
            user.info = item.info;
            user.auth_factors = encodeAuthFactors(item.auth_factors);
            user.lock_number = item.lock_number;
            user.is_custom_user_access = item.is_custom_user_access ? 1 : 0;
            if (!user.queued) {
              user.queued = true;
              written.push(user);
            }
            results.push({ link_id: item.link_id, success: true, extended_info: outcome, has_dublicates: names.count > 1 });
            if (item.time_profiles || item.apartments || item.identifiers) {
              linkEntries.push({ user, item, result: results.length - 1 });
            }
          }

          // New users' ids are reserved up front only when the batch links them to something;
          // else the store numbers them as it inserts them (one query fewer per batch).
          const idsNeeded = options.links !== undefined && linkEntries.some((entry) => entry.user.id === 0);
          if (idsNeeded) {
            const ids = await store.allocateUserIds(tx, created.length);
            created.forEach((user, i) => (user.id = ids[i]));
            await users.insertAccess(tx, created);
          } else {
            await users.insertAccessNumbered(tx, created);
          }
          const renamed: PendingUser[] = [];
          const detailsOnly: PendingUser[] = [];
          for (const user of written) (user.storedName === user.name ? detailsOnly : renamed).push(user);
          await users.upsertAccess(tx, renamed);
          await users.updateAccessDetails(tx, detailsOnly);

          if (linkEntries.length > 0 && options.links) {
            const codes = await options.links.replaceLinks(
              tx,
              linkEntries.map((e) => ({ userId: e.user.id, item: e.item })),
            );
            codes.forEach((code, i) => {
              if (code) results[linkEntries[i].result].extended_info = code;
            });
          }
          return results;
        },
        { exclusive: true },
      );
    },

    /** Seed 001: delete users by link_id; results in request order. */
    async bulkDeleteByLinkId(linkIds: readonly string[]): Promise<BulkItemResult[]> {
      return store.transaction(
        async (tx) => {
          const found = new Map<string, UserKey>();
          for (const key of await users.keysByLinkIds(tx, [...new Set(linkIds)])) found.set(key.link_id as string, key);
          const ids: number[] = [];
          const results = linkIds.map((linkId): BulkItemResult => {
            const row = found.get(linkId);
            if (!row) return { link_id: linkId, success: false, extended_info: 'entity_not_found' };
            found.delete(linkId);
            ids.push(Number(row.id));
            return { link_id: linkId, success: true, extended_info: 'deleted' };
          });
          await users.deleteByIds(tx, ids);
          return results;
        },
        { exclusive: true },
      );
    },
  };
}

export type UserDirectory = ReturnType<typeof userDirectory>;
