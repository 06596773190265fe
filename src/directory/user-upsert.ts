/**
 * The set-based core of the platform's user upserts (§5.1 one user, §5.2 many): find each
 * record's user by its key (one query per key kind, whatever the number of records), merge the
 * given fields, and check what the store must keep true — unique `Username` (without regard to
 * case) and `External_Id`, the `Unique` rules, one record per user — collecting every problem,
 * each named by its record (`Users[3].Email: …`). Nothing is written here.
 */
import { nowIso, type Tx, type Store } from '../store/database.ts';
import { departmentsRepository } from '../store/departments.ts';
import { rowToUser, userToRow, usersRepository, type UserRow } from '../store/users.ts';
import { MULTIPLE_ROWS } from './errors.ts';
import { keyField, type KeyField } from './keys.ts';
import { PROPERTY_OF, type UserFields, type UserTextField } from './user-text.ts';
import { nameKey, newUser, type User } from './users.ts';

/** How a record names its user. */
export type UserRef = { kind: 'id'; id: number } | { kind: 'key'; key: KeyField; value: string | number; raw: string } | { kind: 'new' };

export interface Candidate {
  index: number;
  /** The record's field as named in messages: `Users[3].Email` or `Email`. */
  label: (field: string) => string;
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

export interface Plan {
  /** One row per candidate, in order; new users have id 0 until ids are allocated. */
  users: User[];
  created: User[];
  /** Existing users as they were read, so that unchanged ones are not written again. */
  before: Map<User, UserRow>;
  problems: Problem[];
}

/** Same content, whatever the modification time says. */
function sameRow(a: UserRow, b: UserRow): boolean {
  for (const column of Object.keys(a) as (keyof UserRow)[]) {
    if (column !== 'modified_at' && a[column] !== b[column]) return false;
  }
  return true;
}

const ID_KEY = keyField('User', 'Id', 'Id');

function shown(value: string): string {
  return `'${value.length > 60 ? `${value.slice(0, 60)}…` : value}'`;
}

/** Appends to the list under `key` (in place: a value repeated in every record stays linear). */
function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function blankToNull(value: string | null | undefined): string | null | undefined {
  return value === undefined ? undefined : value === null || value === '' ? null : value;
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

/** The unique-checked fields: Username and External_Id always, others when a `Unique` rule asks. */
type UniqueField = Exclude<UserTextField, 'Id' | 'UserId' | 'Is_Active'>;

export interface PlanOptions {
  /** Fields with a `Unique` rule (beyond the always-unique Username and External_Id). */
  unique?: readonly UserTextField[];
  maxUsers?: number;
}

export function userUpserts(store: Store) {
  const repo = departmentsRepository(store);

  /** Users of each key kind that the candidates name: one query per kind. */
  async function lookUp(tx: Tx, candidates: readonly Candidate[]) {
    const byKind = new Map<string, { key: KeyField; values: Set<string | number> }>();
    const add = (key: KeyField, value: string | number) => {
      const entry = byKind.get(key.name) ?? { key, values: new Set() };
      entry.values.add(value);
      byKind.set(key.name, entry);
    };
    for (const c of candidates) {
      if (c.ref.kind === 'id') add(ID_KEY, c.ref.id);
      else if (c.ref.kind === 'key') add(c.ref.key, c.ref.value);
    }
    const found = new Map<string, Map<string | number, UserRow[]>>();
    for (const { key, values } of byKind.values()) {
      const rows = await repo.usersByKey(tx, key, [...values]);
      const map = new Map<string | number, UserRow[]>();
      for (const row of rows) {
        const v = key.type === 'integer' ? Number(row[key.column]) : (row[key.column] as string);
        push(map, v, row);
      }
      found.set(key.name, map);
    }
    return (key: KeyField, value: string | number) => found.get(key.name)?.get(value) ?? [];
  }

  /** Records that would give the same unique value to different users, and clashes with the store. */
  async function checkUnique(
    tx: Tx,
    field: UniqueField,
    candidates: readonly Candidate[],
    users: readonly (User | undefined)[],
    problems: Problem[],
  ) {
    const property = PROPERTY_OF[field];
    const key = keyField('User', field, field);
    const given = new Map<string, number[]>();
    const valueAt = (i: number) => candidates[i].fields[property] as string;
    candidates.forEach((c, i) => {
      if (!users[i]) return;
      const value = blankToNull(c.fields[property] as string | null | undefined);
      if (value === undefined || value === null) return;
      const normal = key.lowerCase ? value.toLowerCase() : value;
      push(given, normal, i);
    });
    if (given.size === 0) return;
    for (const indices of given.values()) {
      const targets = new Set(indices.map((i) => (users[i]!.id === 0 ? `new${i}` : users[i]!.id)));
      if (targets.size > 1) {
        problems.push({
          index: candidates[indices[0]].index,
          message: `${indices.map((i) => candidates[i].label(field)).join(', ')}: ${shown(valueAt(indices[0]))} is given for more than one user (must be unique)`,
        });
      }
    }
    const holders = await repo.holdersByKey(tx, key, [...given.keys()]);
    for (const holder of holders) {
      for (const i of given.get(holder.value as string) ?? []) {
        if (users[i]!.id !== holder.id) {
          problems.push({
            index: candidates[i].index,
            message: `${candidates[i].label(field)}: ${shown(valueAt(i))} is already used by another user (Id ${holder.id})`,
          });
        }
      }
    }
  }

  return {
    /** Resolves, merges and checks; the caller writes when `problems` is empty. */
    async plan(tx: Tx, candidates: readonly Candidate[], options: PlanOptions = {}): Promise<Plan> {
      const now = nowIso();
      const problems: Problem[] = [];
      const find = await lookUp(tx, candidates);
      const users: User[] = [];
      const created: User[] = [];
      const before = new Map<User, UserRow>();
      const existing = (row: UserRow): User => {
        const user = rowToUser(row);
        before.set(user, userToRow(user, nameKey));
        return user;
      };
      const seen = new Map<string, number[]>();
      // Per candidate: its user, or undefined when its key failed (nothing more is checked for it).
      const targets: (User | undefined)[] = [];

      candidates.forEach((c, i) => {
        const ref = c.ref;
        let user: User | undefined;
        let identity: string | undefined;
        if (ref.kind === 'id' || (ref.kind === 'key' && ref.key.column === 'id')) {
          const id = ref.kind === 'id' ? ref.id : (ref.value as number);
          const row = find(ID_KEY, id)[0];
          if (!row) problems.push({ index: c.index, message: `${c.label(c.refField)}: no user has Id ${id}`, notFound: true });
          else user = existing(row);
          identity = `id:${id}`;
        } else if (ref.kind === 'key') {
          const rows = find(ref.key, ref.value);
          identity = `${ref.key.name}:${String(ref.value)}`;
          if (rows.length > 1) {
            problems.push({ index: c.index, message: `${c.label(c.refField)}: ${MULTIPLE_ROWS} (${ref.key.name} ${shown(ref.raw)})` });
          } else if (rows.length === 1) {
            user = existing(rows[0]);
            identity = `id:${user.id}`;
          } else {
            user = newUser(0, null, now);
            const property = PROPERTY_OF[ref.key.name as keyof typeof PROPERTY_OF];
            if (c.fields[property] === undefined) (c.fields as Record<string, unknown>)[property] = ref.raw;
          }
        } else {
          user = newUser(0, null, now);
        }
        if (identity !== undefined) push(seen, identity, i);
        targets.push(user);
        if (!user) {
          // Its key failed (reported above): a stand-in keeps the positions; nothing is written.
          users.push(newUser(0, null, now));
          return;
        }
        const target = user;
        if (target.id === 0) {
          if (c.fields.name === undefined || c.fields.name.trim() === '') {
            problems.push({ index: c.index, message: `${c.label('Name')}: is required to create a user` });
          }
          created.push(target);
        } else if (c.fields.name !== undefined && c.fields.name.trim() === '') {
          problems.push({ index: c.index, message: `${c.label('Name')}: must not be empty` });
        }
        applyFields(target, c.fields, now);
        users.push(target);
      });

      for (const indices of seen.values()) {
        if (indices.length < 2) continue;
        const first = candidates[indices[0]];
        problems.push({
          index: first.index,
          message: `${indices.map((i) => candidates[i].label(candidates[i].refField)).join(', ')}: the same user is given more than once`,
        });
      }

      const uniqueFields = new Set<UniqueField>(['Username', 'External_Id']);
      for (const f of options.unique ?? []) if (f !== 'Id' && f !== 'UserId' && f !== 'Is_Active') uniqueFields.add(f);
      for (const field of uniqueFields) await checkUnique(tx, field, candidates, targets, problems);

      if (options.maxUsers !== undefined && created.length > 0) {
        const count = Number((await tx.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
        if (count + created.length > options.maxUsers) {
          problems.push({ index: -1, message: `Number of users exceeded: ${created.length} new users would pass the limit of ${options.maxUsers}` });
        }
      }
      problems.sort((a, b) => a.index - b.index);
      return { users, created, before, problems };
    },

    /**
     * Gives the new users their ids and writes the users of the plan that are new or changed
     * (one statement per chunk); an unchanged user keeps its row, ModifiedOn included.
     */
    async write(tx: Tx, plan: Plan): Promise<UserRow[]> {
      const ids = await store.allocateUserIds(tx, plan.created.length);
      plan.created.forEach((user, i) => (user.id = ids[i]));
      const changed: UserRow[] = [];
      const rows = plan.users.map((user) => {
        const row = userToRow(user, nameKey);
        const old = plan.before.get(user);
        if (old && sameRow(old, row)) return old;
        changed.push(row);
        return row;
      });
      await usersRepository(store).upsert(tx, changed);
      return rows;
    },
  };
}
