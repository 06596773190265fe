/**
 * The user directory's rules: create, replace, delete, and the bulk sync by link_id with its
 * matching (link_id, then one unlinked user of the same name, else create) and per-item results.
 * Bulk work is set-based: a fixed number of queries per request, whatever its size.
 */
import { nowIso, type Store, type Tx } from '../store/database.ts';
import { rowToUser, userToRow, usersRepository, type UserRow } from '../store/users.ts';
import {
  CapacityError,
  NotFoundError,
  canonicalAuthFactors,
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

export function userDirectory(store: Store, options: UserDirectoryOptions = {}) {
  const users = usersRepository(store);
  const { maxUsers } = options;

  async function othersWithName(tx: Tx, name: string): Promise<boolean> {
    const counts = await users.countByNameKeys(tx, [nameKey(name)]);
    return (counts.get(nameKey(name)) ?? 0) > 1;
  }

  function applyAccessFields(user: User, fields: AccessFields, now: string): void {
    user.name = fields.name;
    user.info = fields.info;
    user.auth_factors = canonicalAuthFactors(fields.auth_factors);
    user.lock_number = fields.lock_number;
    user.is_custom_user_access = fields.is_custom_user_access;
    user.modified_at = now;
  }

  return {
    users,

    async create(fields: AccessFields): Promise<{ id: number; has_dublicates: boolean }> {
      return store.transaction(
        async (tx) => {
          if (maxUsers !== undefined && (await users.count(tx)) >= maxUsers) throw new CapacityError('entities');
          const [id] = await store.allocateUserIds(tx, 1);
          const now = nowIso();
          const user = newUser(id, null, now);
          applyAccessFields(user, fields, now);
          await users.upsert(tx, [userToRow(user, nameKey)]);
          return { id, has_dublicates: await othersWithName(tx, user.name) };
        },
        { exclusive: maxUsers !== undefined },
      );
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
        return { has_dublicates: await othersWithName(tx, user.name) };
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
      const counts = await users.countByNameKeys(store.db, [...new Set(list.map((u) => nameKey(u.name)))]);
      return new Map(list.map((u) => [u.id, (counts.get(nameKey(u.name)) ?? 0) > 1]));
    },

    /** Seed 000: create/update users by link_id, in order, in one transaction. */
    async bulkUpsertByLinkId(items: readonly BulkUserItem[]): Promise<BulkItemResult[]> {
      return store.transaction(
        async (tx) => {
          const now = nowIso();
          const itemKeys = items.map((item) => nameKey(item.name));
          const byLink = new Map<string, User>();
          for (const row of await users.byLinkIds(tx, [...new Set(items.map((i) => i.link_id))])) {
            byLink.set(row.link_id as string, rowToUser(row));
          }
          const keyOf = new Map<User, string>();
          for (const user of byLink.values()) keyOf.set(user, nameKey(user.name));

          const unmatchedKeys = new Set<string>();
          items.forEach((item, i) => {
            if (!byLink.has(item.link_id)) unmatchedKeys.add(itemKeys[i]);
          });
          const unlinked = new Map<string, User[]>();
          for (const row of await users.unlinkedByNameKeys(tx, [...unmatchedKeys])) {
            const user = rowToUser(row);
            keyOf.set(user, row.name_key);
            const list = unlinked.get(row.name_key) ?? [];
            list.push(user);
            unlinked.set(row.name_key, list);
          }
          const counts = await users.countByNameKeys(tx, [...new Set([...itemKeys, ...keyOf.values()])]);
          let total = maxUsers === undefined ? 0 : await users.count(tx);

          const results: BulkItemResult[] = [];
          const written = new Map<number | User, User>();
          const created: User[] = [];
          const linkEntries: { user: User; item: BulkUserItem; result: number }[] = [];

          items.forEach((item, i) => {
            const key = itemKeys[i];
            let user = byLink.get(item.link_id);
            let outcome: ExtendedInfo = 'updated';
            if (!user) {
              const candidates = unlinked.get(key) ?? [];
              if (candidates.length === 1) {
                user = candidates[0];
                unlinked.delete(key);
                user.link_id = item.link_id;
              } else {
                if (maxUsers !== undefined && total >= maxUsers) {
                  results.push({
                    link_id: item.link_id,
                    success: false,
                    extended_info: 'number_of_entities_exceeded',
                    has_dublicates: (counts.get(key) ?? 0) > 0,
                  });
                  return;
                }
                total += 1;
                user = newUser(0, item.link_id, now);
                created.push(user);
                outcome = candidates.length > 1 ? 'has_dublicates' : 'created';
              }
              byLink.set(item.link_id, user);
            }
            const oldKey = keyOf.get(user);
            if (oldKey !== key) {
              if (oldKey !== undefined) counts.set(oldKey, (counts.get(oldKey) ?? 1) - 1);
              counts.set(key, (counts.get(key) ?? 0) + 1);
              keyOf.set(user, key);
            }
            applyAccessFields(user, item, now);
            written.set(user, user);
            results.push({
              link_id: item.link_id,
              success: true,
              extended_info: outcome,
              has_dublicates: (counts.get(key) ?? 0) > 1,
            });
            if (item.time_profiles || item.apartments || item.identifiers) {
              linkEntries.push({ user, item, result: results.length - 1 });
            }
          });

          const ids = await store.allocateUserIds(tx, created.length);
          created.forEach((user, i) => (user.id = ids[i]));
          await users.upsert(tx, [...written.values()].map((u) => userToRow(u, nameKey)));

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
          const found = new Map<string, UserRow>();
          for (const row of await users.byLinkIds(tx, [...new Set(linkIds)])) found.set(row.link_id as string, row);
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
