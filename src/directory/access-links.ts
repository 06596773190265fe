/**
 * Links between users and the access objects (access-api.md §3 U9–U11 and the link lists of the
 * bulk user sync): a user's time profiles, the apartments it lives in, the identifiers it owns.
 */
import { apartmentsRepository } from '../store/apartments.ts';
import type { Queryable, Store, Tx } from '../store/database.ts';
import { identifiersRepository } from '../store/identifiers.ts';
import { groupPairs, linkTable, type LinkTable } from '../store/keyed-tables.ts';
import { timeProfilesRepository } from '../store/time-profiles.ts';
import { usersRepository } from '../store/users.ts';
import type { IdentifierDirectory } from './identifier-directory.ts';
import type { Identifier } from './identifiers.ts';
import { existing } from './keyed-entities.ts';
import type { BulkUserItem, LinkIdList, UserLinkWriter } from './user-directory.ts';
import type { ExtendedInfo } from './users.ts';

/** How a user's view names a linked time profile or apartment. */
export interface LinkedRef {
  uid: number;
  link_id: string | null;
  name: string;
}

export interface UserRelations {
  identifiers: Identifier[];
  timeProfiles: LinkedRef[];
  apartments: LinkedRef[];
}

export function accessLinks(store: Store, identifierDirectory: IdentifierDirectory) {
  const users = usersRepository(store);
  const profiles = timeProfilesRepository(store);
  const apartments = apartmentsRepository(store);
  const identifiers = identifiersRepository(store);
  const userProfiles = linkTable(store, 'user_time_profiles', 'user_id', 'time_profile_id');
  const userApartments = linkTable(store, 'user_apartments', 'user_id', 'apartment_id');

  const userExists = (db: Queryable, id: number) => existing(db, users, 'user', id);

  /** Replacing one kind of link for the bulk's users: the link_id lists, in item order. */
  interface Kind {
    list: (item: BulkUserItem) => LinkIdList | undefined;
    code: ExtendedInfo;
    idsByLinkIds: (db: Queryable, linkIds: readonly string[]) => Promise<Map<string, number>>;
    replace: (tx: Tx, finalByUser: Map<number, number[]>) => Promise<void>;
  }

  const replaceIn = (table: LinkTable) => async (tx: Tx, finalByUser: Map<number, number[]>) =>
    table.replace(tx, [...finalByUser.keys()], [...finalByUser].flatMap(([u, ids]) => ids.map((id) => [u, id] as const)));

  const KINDS: Kind[] = [
    { list: (i) => i.time_profiles, code: 'bound_time_profile_doesnt_exist', idsByLinkIds: profiles.idsByLinkIds, replace: replaceIn(userProfiles) },
    { list: (i) => i.apartments, code: 'bound_apartment_doesnt_exist', idsByLinkIds: apartments.idsByLinkIds, replace: replaceIn(userApartments) },
    {
      list: (i) => i.identifiers,
      code: 'bound_identifier_doesnt_exist',
      idsByLinkIds: identifiers.idsByLinkIds,
      async replace(tx, finalByUser) {
        await identifiers.unbindUsers(tx, [...finalByUser.keys()]);
        // An identifier listed for several users goes to the last one (items apply in order).
        const owner = new Map<number, number>();
        for (const [userId, ids] of finalByUser) for (const id of ids) owner.set(id, userId);
        await identifiers.assignOwners(tx, [...owner]);
      },
    },
  ];

  const writer: UserLinkWriter = {
    /** One lookup per kind for the whole bulk, then one replace per kind. */
    async replaceLinks(tx, entries) {
      const codes: (ExtendedInfo | undefined)[] = entries.map(() => undefined);
      for (const kind of KINDS) {
        const given = entries.map((e, i) => ({ ...e, index: i, list: kind.list(e.item) })).filter((e) => e.list !== undefined);
        if (given.length === 0) continue;
        const found = await kind.idsByLinkIds(tx, [...new Set(given.flatMap((e) => e.list!.link_ids))]);
        const finalByUser = new Map<number, number[]>();
        for (const entry of given) {
          const ids = entry.list!.link_ids.map((l) => found.get(l)).filter((id): id is number => id !== undefined);
          if (ids.length < entry.list!.link_ids.length) codes[entry.index] ??= kind.code;
          finalByUser.set(entry.userId, [...new Set(ids)]);
        }
        await kind.replace(tx, finalByUser);
      }
      return codes;
    },
  };

  /** `{uid, link_id, name}` of the targets linked to each user. */
  async function refs(
    table: LinkTable,
    userIds: readonly number[],
    read: (ids: number[]) => Promise<{ id: number; link_id: string | null; name: string }[]>,
  ): Promise<Map<number, LinkedRef[]>> {
    const pairs = await table.ofOwners(store.db, userIds);
    const targets = new Map((await read([...new Set(pairs.map((p) => p[1]))])).map((r) => [Number(r.id), r]));
    const out = new Map<number, LinkedRef[]>();
    for (const [userId, ids] of groupPairs(pairs)) {
      out.set(
        userId,
        ids.map((id) => ({ uid: id, link_id: targets.get(id)?.link_id ?? null, name: targets.get(id)?.name ?? '' })),
      );
    }
    return out;
  }

  return {
    writer,

    async attachTimeProfile(userId: number, profileId: number): Promise<void> {
      await store.transaction(async (tx) => {
        await userExists(tx, userId);
        await existing(tx, profiles, 'time profile', profileId);
        await userProfiles.add(tx, [[userId, profileId]]);
      });
    },

    async detachTimeProfile(userId: number, profileId: number): Promise<void> {
      await store.transaction(async (tx) => {
        await userExists(tx, userId);
        await existing(tx, profiles, 'time profile', profileId);
        await userProfiles.remove(tx, userId, profileId);
      });
    },

    /** Binds the identifier to the user, taking it from the user it was bound to, if any. */
    async bindIdentifier(userId: number, identifierId: number): Promise<void> {
      await store.transaction(async (tx) => {
        await userExists(tx, userId);
        await existing(tx, identifiers, 'identifier', identifierId);
        await identifiers.setOwner(tx, [identifierId], userId);
      });
    },

    /** Unbinds the identifier when it is bound to this user (else nothing changes). */
    async unbindIdentifier(userId: number, identifierId: number): Promise<void> {
      await store.transaction(async (tx) => {
        await userExists(tx, userId);
        const row = await existing(tx, identifiers, 'identifier', identifierId);
        if (row.user_id !== null && Number(row.user_id) === userId) await identifiers.setOwner(tx, [identifierId], null);
      });
    },

    async addToApartment(apartmentId: number, userId: number): Promise<void> {
      await store.transaction(async (tx) => {
        await existing(tx, apartments, 'apartment', apartmentId);
        await userExists(tx, userId);
        await userApartments.add(tx, [[userId, apartmentId]]);
      });
    },

    async removeFromApartment(apartmentId: number, userId: number): Promise<void> {
      await store.transaction(async (tx) => {
        await existing(tx, apartments, 'apartment', apartmentId);
        await userExists(tx, userId);
        await userApartments.remove(tx, userId, apartmentId);
      });
    },

    /** Each user's identifiers, time profiles and apartments (a fixed number of queries). */
    async relations(userIds: readonly number[]): Promise<Map<number, UserRelations>> {
      const [owned, timeProfiles, homes] = await Promise.all([
        identifierDirectory.ofUsers(userIds),
        refs(userProfiles, userIds, (ids) => profiles.byIds(store.db, ids)),
        refs(userApartments, userIds, (ids) => apartments.byIds(store.db, ids)),
      ]);
      return new Map(
        userIds.map((id) => [
          id,
          { identifiers: owned.get(id) ?? [], timeProfiles: timeProfiles.get(id) ?? [], apartments: homes.get(id) ?? [] },
        ]),
      );
    },
  };
}

export type AccessLinks = ReturnType<typeof accessLinks>;
