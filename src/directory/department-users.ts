/**
 * A department's users (platform-api.md §5.1, §5.2, seeds 003/004): upsert one user, bulk-upsert
 * many with the `Extra` rules, remove one from the department.
 *
 * The bulk is all or nothing and set-based: the records are checked first (rules, formats, keys,
 * uniqueness — every failing record is reported), then, in one exclusive transaction, the users are
 * written with one multi-row upsert per chunk, the memberships with one multi-row insert, and
 * `DeleteNotExists` removes the department's other memberships with one DELETE.
 */
import type { Queryable, Store, Tx } from '../store/database.ts';
import { departmentsRepository, type DepartmentRow } from '../store/departments.ts';
import type { ShownUserRow } from '../store/users.ts';
import { findAddressed, type FieldRef } from './departments.ts';
import { InvalidInputError } from './errors.ts';
import { keyField, keyValue, type Address } from './keys.ts';
import { boundProblem, compileRules, searchPattern, type Rule, type RuleInput } from './list-rules.ts';
import { asText, formatProblem, fromDefault, PROPERTY_OF, type UserFields, type UserTextField } from './user-text.ts';
import { userUpserts, type Candidate, type Plan, type Problem, type UserRef } from './user-upsert.ts';
import { NotFoundError } from './users.ts';

export interface SingleUpsert extends UserFields {
  id?: number;
  userId?: FieldRef;
}

export interface BulkRecord extends UserFields {
  id?: number | string | null;
  userId?: number | string | null;
}

export interface BulkUpsert {
  rules: readonly RuleInput[];
  fullValidation: boolean;
  users: readonly BulkRecord[];
  deleteNotExists: boolean;
}

export interface Membership {
  department: DepartmentRow;
  users: ShownUserRow[];
}

export interface DepartmentUsersOptions {
  maxUsers?: number;
}

function throwProblems(problems: readonly Problem[]): void {
  if (problems.length === 0) return;
  throw new InvalidInputError(problems.map((p) => p.message));
}

/** The value of one UserText field of a record, as given (undefined = not given). */
function valueOf(record: BulkRecord, field: UserTextField): unknown {
  if (field === 'Id') return record.id;
  if (field === 'UserId') return record.userId;
  return record[PROPERTY_OF[field]];
}

/** `Users[3].Email`: a bulk record's field as named in messages. */
const label = (index: number, field: string) => `Users[${index}].${field}`;

const ID_KEY = keyField('User', 'Id', 'Id');
const NEW: UserRef = { kind: 'new' };

function setValue(record: BulkRecord, field: UserTextField, value: unknown): void {
  if (field === 'Id') record.id = value as number;
  else if (field === 'UserId') record.userId = value as string;
  else (record as Record<string, unknown>)[PROPERTY_OF[field]] = value;
}

/**
 * Per-record checks that need no store: defaults, Required, Min/Max, Pattern (batched per rule),
 * the full format check, and the record's key. Returns the candidates and the problems found.
 */
function checkRecords(request: BulkUpsert): { candidates: Candidate[]; problems: Problem[]; rules: Map<UserTextField, Rule> } {
  const { byField, userIdKey } = compileRules(request.rules);
  const problems: Problem[] = [];
  // A record is copied when a default is set in it (the request's records are left as they are).
  const records = request.users.slice();
  const writable = (i: number) => (records[i] === request.users[i] ? (records[i] = { ...records[i] }) : records[i]);

  for (const rule of byField.values()) {
    // A rule that only names the UserId key, or asks for Unique (checked with the store), checks no record here.
    if (!rule.required && rule.defaultValue === undefined && !rule.min && !rule.max && rule.pattern === undefined) continue;
    const patternValues: string[] = [];
    const patternIndex: number[] = [];
    records.forEach((record, i) => {
      let text = asText(valueOf(record, rule.field));
      if (text === '' && rule.defaultValue !== undefined) {
        const value = fromDefault(rule.field, rule.defaultValue);
        setValue(writable(i), rule.field, value);
        text = asText(value);
      }
      if (text === '') {
        if (rule.required) problems.push({ index: i, message: `${label(i, rule.field)}: is required` });
        return;
      }
      const bound = boundProblem(rule, text);
      if (bound) problems.push({ index: i, message: `${label(i, rule.field)}: ${bound}` });
      if (rule.pattern !== undefined) {
        patternValues.push(text);
        patternIndex.push(i);
      }
    });
    if (rule.pattern === undefined) continue;
    const found = searchPattern(rule.pattern, patternValues);
    if (found === 'timeout') {
      problems.push({ index: -1, message: `Extra[${rule.index}].Pattern: takes too long to evaluate; simplify the regular expression` });
      continue;
    }
    found.forEach((ok, k) => {
      if (!ok) problems.push({ index: patternIndex[k], message: `${label(patternIndex[k], rule.field)}: does not match the pattern of Extra[${rule.index}]` });
    });
  }

  const candidates: Candidate[] = [];
  records.forEach((record, i) => {
    if (request.fullValidation) {
      for (const field of ['Name', 'Username', 'Email', 'MobilePhone', 'External_Id'] as const) {
        const text = asText(valueOf(record, field));
        const problem = text === '' ? undefined : formatProblem(field, text);
        if (problem) problems.push({ index: i, message: `${label(i, field)}: ${problem}` });
      }
    }
    let ref: UserRef = NEW;
    let refField: 'Id' | 'UserId' = 'Id';
    try {
      const id = asText(record.id);
      const userId = asText(record.userId);
      if (id !== '') ref = { kind: 'id', id: keyValue(ID_KEY, id, label(i, 'Id')) as number };
      else if (userId !== '') {
        refField = 'UserId';
        ref = { kind: 'key', key: userIdKey, value: keyValue(userIdKey, userId, label(i, 'UserId')), raw: userId };
      }
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      problems.push(...error.errors.map((message) => ({ index: i, message })));
      return;
    }
    // The record is its fields (its id and userId are not read as fields).
    candidates.push({ index: i, refField, ref, fields: record });
  });
  return { candidates, problems, rules: byField };
}

export function departmentUsers(store: Store, options: DepartmentUsersOptions = {}) {
  const repo = departmentsRepository(store);
  const upserts = userUpserts(store);

  const department = (q: Queryable, key: Address) => findAddressed(store, q, 'Department', key);

  async function commit(tx: Tx, dept: DepartmentRow, plan: Plan): Promise<ShownUserRow[]> {
    const rows = await upserts.write(tx, plan);
    await repo.addMembers(tx, dept.id, rows.map((r) => r.id));
    return rows;
  }

  const exclusive = <T>(work: (tx: Tx) => Promise<T>) => store.transaction(work, { exclusive: true });

  return {
    /** §5.1: by `id` (404 when none), else by `userId` (several: 400; none: insert), else insert; then a member. */
    async upsertOne(key: Address, input: SingleUpsert): Promise<Membership> {
      return exclusive(async (tx) => {
        const dept = await department(tx, key);
        const { id, userId, ...fields } = input;
        let ref: UserRef = { kind: 'new' };
        if (id !== undefined) ref = { kind: 'id', id };
        else if (userId !== undefined) {
          const field = keyField('User', userId.field, 'UserId.Field');
          ref = { kind: 'key', key: field, value: keyValue(field, userId.value, 'UserId.Value'), raw: userId.value };
        }
        const candidate: Candidate = { index: 0, refField: id !== undefined ? 'Id' : 'UserId', ref, fields };
        const plan = await upserts.plan(tx, [candidate], { maxUsers: options.maxUsers });
        const missing = plan.problems.find((p) => p.notFound);
        if (missing) throw new NotFoundError('User', missing.message);
        throwProblems(plan.problems);
        return { department: dept, users: await commit(tx, dept, plan) };
      });
    },

    /** §5.2: all or nothing; the users in request order. */
    async bulkUpsert(key: Address, request: BulkUpsert): Promise<Membership> {
      const checked = checkRecords(request);
      const unique = [...checked.rules.values()].filter((r) => r.unique).map((r) => r.field);
      return exclusive(async (tx) => {
        const dept = await department(tx, key);
        const plan = await upserts.plan(tx, checked.candidates, { unique, maxUsers: options.maxUsers, label });
        throwProblems([...checked.problems, ...plan.problems].sort((a, b) => a.index - b.index));
        const rows = await commit(tx, dept, plan);
        if (request.deleteNotExists) await repo.removeMembersExcept(tx, dept.id, rows.map((r) => r.id));
        return { department: dept, users: rows };
      });
    },

    /** Removes the user (found by `userKey`) from the department; 404 when it is not a member. */
    async removeMember(key: Address, userKey: Address): Promise<Membership> {
      return exclusive(async (tx) => {
        const dept = await department(tx, key);
        const user = await findAddressed(store, tx, 'User', userKey);
        if (!(await repo.removeMember(tx, dept.id, Number(user.id)))) {
          throw new NotFoundError('User', `User ${Number(user.id)} is not a member of Department '${dept.id}'`);
        }
        return { department: dept, users: [user] };
      });
    },

    department: (key: Address) => department(store.db, key),
  };
}

export type DepartmentUsers = ReturnType<typeof departmentUsers>;
