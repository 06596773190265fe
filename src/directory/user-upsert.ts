/**
 * The set-based core of the platform's user upserts (§5.1 one user, §5.2 many): find each
 * record's user by its key (one query per key kind, whatever the number of records), merge the
 * given fields, and check what the store must keep true — unique `Username` (without regard to
 * case) and `External_Id`, the `Unique` rules, one record per user — collecting every problem,
 * each named by its record (`Users[3].Email: …`). Nothing is written here.
 */
import { nowIso, type Tx, type Store } from '../store/database.ts';
import { departmentsRepository } from '../store/departments.ts';
import { rowToUser, userToRow, usersRepository, type ShownUserRow, type StoredUser, type UserRow } from '../store/users.ts';
import { MULTIPLE_ROWS } from './errors.ts';
import { Groups } from './groups.ts';
import { keyField, type KeyField } from './keys.ts';
import { PROPERTY_OF, type UserFields, type UserTextField } from './user-text.ts';
import { nameKey, type User } from './users.ts';

/** How a record names its user. */
export type UserRef = { kind: 'id'; id: number } | { kind: 'key'; key: KeyField; value: string | number; raw: string } | { kind: 'new' };

export interface Candidate {
  index: number;
  /** Which field of the record carries `ref` (`Id` or `UserId`). */
  refField: 'Id' | 'UserId';
  ref: UserRef;
  fields: UserFields;
}

export interface Problem {
  /** Record index (for ordering); -1 for the request as a whole. */
  index: number;
  message: string;
  /** The record's Id names no user (§5.1 answers 404). */
  notFound?: boolean;
}

/** Per candidate (same positions): exactly one of `fresh` (a new user) and `stored` (an existing one) is set, unless its key failed. */
export interface Plan {
  candidates: readonly Candidate[];
  /** New users as they are to be written, with the candidate's fields; id 0 until ids are allocated. */
  fresh: (UserRow | undefined)[];
  /** Existing users as they were read. */
  stored: (StoredUser | undefined)[];
  /** Positions of the existing users whose fields change (the others are not written again, ModifiedOn included). */
  changed: number[];
  /** The new users, in order (what ids are allocated for). */
  created: UserRow[];
  now: string;
  problems: Problem[];
}

/** How a candidate's field is named in messages: `Users[3].Email` in a bulk, `Email` for one user. */
export type Label = (index: number, field: string) => string;

const ID_KEY = keyField('User', 'Id', 'Id');
const NO_USER = -1;

function shown(value: string): string {
  return `'${value.length > 60 ? `${value.slice(0, 60)}…` : value}'`;
}

function blankToNull(value: string | null | undefined): string | null | undefined {
  return value === undefined ? undefined : value === null || value === '' ? null : value;
}

/** Is a text field given (empty = unset) with another value than the stored one? */
function differs(given: string | null | undefined, stored: string | null): boolean {
  const value = blankToNull(given);
  return value !== undefined && value !== stored;
}

/** Would merging `fields` change the stored user (ModifiedOn aside)? */
function changes(user: StoredUser, fields: UserFields): boolean {
  if (fields.name !== undefined && fields.name !== user.name) return true;
  if (differs(fields.username, user.username) || differs(fields.email, user.email)) return true;
  if (differs(fields.mobilePhone, user.mobile_phone) || differs(fields.externalId, user.external_id)) return true;
  return fields.isActive !== undefined && fields.isActive !== (Number(user.is_active) === 1);
}

const COLUMN_OF: Record<keyof UserFields, 'name' | 'username' | 'email' | 'mobile_phone' | 'external_id' | 'is_active'> = {
  name: 'name',
  username: 'username',
  email: 'email',
  mobilePhone: 'mobile_phone',
  externalId: 'external_id',
  isActive: 'is_active',
};

function applyFields(user: User, fields: UserFields, now: string): void {
  if (fields.name !== undefined) user.name = fields.name;
  for (const p of ['username', 'email', 'mobilePhone', 'externalId'] as const) {
    const v = blankToNull(fields[p]);
    if (v !== undefined) (user as unknown as Record<string, string | null>)[COLUMN_OF[p]] = v;
  }
  if (fields.isActive !== undefined) user.is_active = fields.isActive;
  user.modified_at = now;
}

/**
 * A new user with the given fields, as it is written: `userToRow` of `newUser` with the fields
 * merged by `applyFields`, without the intermediate User (a bulk makes 50 000 of them).
 */
export function newUserRow(fields: UserFields, now: string): UserRow {
  const name = fields.name ?? '';
  const username = blankToNull(fields.username) ?? null;
  return {
    id: 0,
    link_id: null,
    name,
    name_key: nameKey(name),
    info: '',
    auth_factors: '',
    lock_number: 0,
    is_custom_user_access: 0,
    username,
    username_key: username === null ? null : username.toLowerCase(),
    email: blankToNull(fields.email) ?? null,
    mobile_phone: blankToNull(fields.mobilePhone) ?? null,
    external_id: blankToNull(fields.externalId) ?? null,
    is_active: fields.isActive === false ? 0 : 1,
    created_at: now,
    modified_at: now,
    last_login: null,
  };
}

/** The unique-checked fields: Username and External_Id always, others when a `Unique` rule asks. */
type UniqueField = Exclude<UserTextField, 'Id' | 'UserId' | 'Is_Active'>;

export interface PlanOptions {
  /** Fields with a `Unique` rule (beyond the always-unique Username and External_Id). */
  unique?: readonly UserTextField[];
  maxUsers?: number;
  label?: Label;
}

/** The users the candidates' keys found: one query per key kind. */
interface Found {
  /** The user holding the key value; undefined when none does, null when several do. */
  only(key: KeyField, value: string | number): StoredUser | null | undefined;
  /** When a key lookup asked for `value` of `column`: the first user holding it, null for none; else undefined. */
  lookedUp(column: string, value: string | number): StoredUser | null | undefined;
}

export function userUpserts(store: Store) {
  const repo = departmentsRepository(store);
  const users = usersRepository(store);

  async function lookUp(tx: Tx, candidates: readonly Candidate[]): Promise<Found> {
    const byKind = new Map<string, { key: KeyField; values: Set<string | number> }>();
    const add = (key: KeyField, value: string | number) => {
      let entry = byKind.get(key.name);
      if (!entry) byKind.set(key.name, (entry = { key, values: new Set() }));
      entry.values.add(value);
    };
    for (const c of candidates) {
      if (c.ref.kind === 'id') add(ID_KEY, c.ref.id);
      else if (c.ref.kind === 'key') add(c.ref.key, c.ref.value);
    }
    const found = new Map<string, Groups<string | number, StoredUser>>();
    // An array, not the map: lookedUp runs once per value of each unique field.
    const kinds = [...byKind.values()];
    for (const { key, values } of kinds) {
      const rows = await repo.storedUsersByKey(tx, key, [...values]);
      const groups = new Groups<string | number, StoredUser>();
      for (const row of rows) {
        const value = (row as Record<string, unknown>)[key.column];
        groups.add(key.type === 'integer' ? Number(value) : (value as string), row);
      }
      found.set(key.name, groups);
    }
    return {
      only: (key, value) => found.get(key.name)?.only(value),
      lookedUp(column, value) {
        for (let k = 0; k < kinds.length; k++) {
          const { key, values } = kinds[k];
          if (key.column === column && values.has(value)) return found.get(key.name)!.first(value) ?? null;
        }
        return undefined;
      },
    };
  }

  /**
   * Records that would give the same unique value to different users, and clashes with the store.
   * `targets[i]`: the user id of candidate i, 0 for a new user, NO_USER when its key failed;
   * `stored[i]`: that user as read.
   */
  async function checkUnique(
    tx: Tx,
    field: UniqueField,
    candidates: readonly Candidate[],
    targets: readonly number[],
    stored: readonly (StoredUser | undefined)[],
    found: Found,
    label: Label,
    problems: Problem[],
  ) {
    const property = PROPERTY_OF[field];
    const key = keyField('User', field, field);
    const given = new Groups<string, number>();
    const valueAt = (i: number) => candidates[i].fields[property] as string;
    for (let i = 0; i < candidates.length; i++) {
      if (targets[i] === NO_USER) continue;
      const value = blankToNull(candidates[i].fields[property] as string | null | undefined);
      if (value === undefined || value === null) continue;
      given.add(key.lowerCase ? value.toLowerCase() : value, i);
    }
    if (given.size === 0) return;
    for (const [, indices] of given.multiples()) {
      const first = targets[indices[0]];
      if (indices.some((i) => first === 0 || targets[i] !== first)) {
        problems.push({
          index: candidates[indices[0]].index,
          message: `${indices.map((i) => label(candidates[i].index, field)).join(', ')}: ${shown(valueAt(indices[0]))} is given for more than one user (must be unique)`,
        });
      }
    }
    const clash = (i: number, holderId: number) => {
      if (targets[i] !== holderId) {
        problems.push({
          index: candidates[i].index,
          message: `${label(candidates[i].index, field)}: ${shown(valueAt(i))} is already used by another user (Id ${holderId})`,
        });
      }
    };
    // A column the store keeps unique has at most one holder per value: the user a record names,
    // when it holds the value already, or what a key lookup of the value read. Only the other
    // values are asked for.
    const column = key.column;
    const unique = key.unique && (column === 'username_key' || column === 'external_id');
    const ownHolder = (i: number, value: string) => {
      const user = stored[i];
      return user && user[column as 'username_key' | 'external_id'] === value ? user : undefined;
    };
    const unknown: string[] = [];
    given.each((value, single, several) => {
      let holder: StoredUser | null | undefined;
      if (unique) {
        if (single !== undefined) holder = ownHolder(single, value);
        else for (const i of several!) holder ??= ownHolder(i, value);
        holder ??= found.lookedUp(column, value);
      }
      if (holder) {
        const id = Number(holder.id);
        if (single !== undefined) clash(single, id);
        else for (const i of several!) clash(i, id);
      } else if (holder === undefined) unknown.push(value);
    });
    for (const holder of await repo.holdersByKey(tx, key, unknown)) given.forEach(holder.value as string, (i) => clash(i, holder.id));
  }

  return {
    /** Resolves, merges and checks; the caller writes when `problems` is empty. */
    async plan(tx: Tx, candidates: readonly Candidate[], options: PlanOptions = {}): Promise<Plan> {
      const label = options.label ?? ((_index: number, field: string) => field);
      const now = nowIso();
      const problems: Problem[] = [];
      const found = await lookUp(tx, candidates);
      const fresh: (UserRow | undefined)[] = [];
      const stored: (StoredUser | undefined)[] = [];
      const changed: number[] = [];
      const created: UserRow[] = [];
      const targets: number[] = [];
      // Which candidates name the same user: by user id, or by key value when none or several match.
      const byId = new Groups<number, number>();
      const byKey = new Map<string, Groups<string | number, number>>();
      const seenKey = (key: KeyField, value: string | number, i: number) => {
        let groups = byKey.get(key.name);
        if (!groups) byKey.set(key.name, (groups = new Groups()));
        groups.add(value, i);
      };

      candidates.forEach((c, i) => {
        const ref = c.ref;
        let existing: StoredUser | undefined;
        let isNew = false;
        if (ref.kind === 'id' || (ref.kind === 'key' && ref.key.column === 'id')) {
          const id = ref.kind === 'id' ? ref.id : (ref.value as number);
          existing = found.only(ID_KEY, id) ?? undefined;
          if (!existing) problems.push({ index: c.index, message: `${label(c.index, c.refField)}: no user has Id ${id}`, notFound: true });
          byId.add(id, i);
        } else if (ref.kind === 'key') {
          const match = found.only(ref.key, ref.value);
          if (match) {
            existing = match;
            byId.add(Number(existing.id), i);
          } else {
            seenKey(ref.key, ref.value, i);
            if (match === null) {
              problems.push({ index: c.index, message: `${label(c.index, c.refField)}: ${MULTIPLE_ROWS} (${ref.key.name} ${shown(ref.raw)})` });
            } else {
              isNew = true;
              const property = PROPERTY_OF[ref.key.name as keyof typeof PROPERTY_OF];
              if (c.fields[property] === undefined) c.fields = { ...c.fields, [property]: ref.raw };
            }
          }
        } else {
          isNew = true;
        }
        if (isNew) {
          if (c.fields.name === undefined || c.fields.name.trim() === '') {
            problems.push({ index: c.index, message: `${label(c.index, 'Name')}: is required to create a user` });
          }
          const row = newUserRow(c.fields, now);
          fresh.push(row);
          stored.push(undefined);
          created.push(row);
          targets.push(0);
          return;
        }
        fresh.push(undefined);
        stored.push(existing);
        if (!existing) {
          // Its key failed (reported above): nothing more is checked for it; nothing is written.
          targets.push(NO_USER);
          return;
        }
        targets.push(Number(existing.id));
        if (c.fields.name !== undefined && c.fields.name.trim() === '') {
          problems.push({ index: c.index, message: `${label(c.index, 'Name')}: must not be empty` });
        }
        if (changes(existing, c.fields)) changed.push(i);
      });

      const sameUser = (indices: readonly number[]) => {
        const first = candidates[indices[0]];
        problems.push({
          index: first.index,
          message: `${indices.map((i) => label(candidates[i].index, candidates[i].refField)).join(', ')}: the same user is given more than once`,
        });
      };
      for (const [, indices] of byId.multiples()) sameUser(indices);
      for (const groups of byKey.values()) for (const [, indices] of groups.multiples()) sameUser(indices);

      const uniqueFields = new Set<UniqueField>(['Username', 'External_Id']);
      for (const f of options.unique ?? []) if (f !== 'Id' && f !== 'UserId' && f !== 'Is_Active') uniqueFields.add(f);
      for (const field of uniqueFields) await checkUnique(tx, field, candidates, targets, stored, found, label, problems);

      if (options.maxUsers !== undefined && created.length > 0) {
        const count = Number((await tx.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
        if (count + created.length > options.maxUsers) {
          problems.push({ index: -1, message: `Number of users exceeded: ${created.length} new users would pass the limit of ${options.maxUsers}` });
        }
      }
      problems.sort((a, b) => a.index - b.index);
      return { candidates, fresh, stored, changed, created, now, problems };
    },

    /**
     * Gives the new users their ids and writes the users of the plan that are new or changed
     * (one statement per chunk; the changed ones are read in full first, in one query); an
     * unchanged user keeps its row, ModifiedOn included. Returns each candidate's user.
     */
    async write(tx: Tx, plan: Plan): Promise<ShownUserRow[]> {
      const ids = await store.allocateUserIds(tx, plan.created.length);
      plan.created.forEach((row, i) => (row.id = ids[i]));
      const full = new Map<number, UserRow>();
      for (const row of await users.byIds(tx, plan.changed.map((k) => Number(plan.stored[k]!.id)))) full.set(Number(row.id), row);
      const merged = new Map<number, UserRow>();
      for (const k of plan.changed) {
        const user = rowToUser(full.get(Number(plan.stored[k]!.id))!);
        applyFields(user, plan.candidates[k].fields, plan.now);
        merged.set(k, userToRow(user, nameKey));
      }
      const written: UserRow[] = [];
      const rows = plan.candidates.map((_c, k): ShownUserRow => {
        const row = plan.fresh[k] ?? merged.get(k);
        if (!row) return plan.stored[k]!;
        written.push(row);
        return row;
      });
      await users.upsert(tx, written);
      return rows;
    },
  };
}
