/**
 * Departments (platform-api.md §4–5): create, upsert, update, delete, and finding a record by a
 * key field (§3). No HTTP here: problems are InvalidInputError / NotFoundError.
 *
 * Rules: `Name` is required to create; `ExternalId` is unique when set (an empty one is unset);
 * `ParentDepartmentId` is a reference by any key field, and a department cannot be its own
 * ancestor; writes record who made them (`CreatedBy` / `ModifiedBy`).
 */
import crypto from 'node:crypto';
import { nowIso, type Queryable, type Store, type Tx } from '../store/database.ts';
import { departmentsRepository, type DepartmentRow } from '../store/departments.ts';
import type { UserRow } from '../store/users.ts';
import type { WriterKind } from '../store/schema.ts';
import { InvalidInputError, MULTIPLE_ROWS } from './errors.ts';
import { keyField, keyValue, type Address, type KeyEntity, type KeyField } from './keys.ts';
import { NotFoundError } from './users.ts';

/** A reference to a record by one of its key fields (`FieldType`); `field` omitted = `Id`. */
export interface FieldRef {
  field?: string;
  value: string;
}

export interface DepartmentInput {
  id?: string;
  externalId?: string | null;
  name?: string;
  type?: 'Internal' | 'External';
  parent?: FieldRef | null;
  contactName?: string | null;
  contactEmail?: string | null;
  contactPhone?: string | null;
  isActive?: boolean;
}

export interface Writer {
  kind: WriterKind;
  subject: string;
}

export interface DepartmentRecord {
  row: DepartmentRow;
  parent: DepartmentRow | null;
}

export type UpsertOutcome = 'created' | 'updated';

function blankToNull(value: string | null | undefined): string | null | undefined {
  return value === undefined ? undefined : value === null || value.trim() === '' ? null : value;
}

function shown(value: string): string {
  return `'${value.length > 60 ? `${value.slice(0, 60)}…` : value}'`;
}

type Found<E extends KeyEntity> = (E extends 'User' ? UserRow : DepartmentRow) | undefined;

/** The record of `entity` whose `key` column holds `value`: undefined when none, an error naming `where` when several. */
async function findByKey<E extends KeyEntity>(store: Store, q: Queryable, entity: E, key: KeyField, value: string | number, raw: string, where: string): Promise<Found<E>> {
  const repo = departmentsRepository(store);
  const rows = entity === 'User' ? await repo.usersByKey(q, key, [value]) : await repo.departmentsByKey(q, key, [value]);
  if (rows.length > 1) throw new InvalidInputError(`${where}: ${MULTIPLE_ROWS} (${key.name} ${shown(raw)})`);
  return rows[0] as Found<E>;
}

/** A `FieldType` reference (`where` names it: `ParentDepartmentId`): the record, or undefined when none. */
export async function findByRef<E extends KeyEntity>(store: Store, q: Queryable, entity: E, ref: FieldRef, where: string): Promise<Found<E>> {
  const key = keyField(entity, ref.field, `${where}.Field`);
  return findByKey(store, q, entity, key, keyValue(key, ref.value, `${where}.Value`), ref.value, where);
}

/** The record an address names: NotFoundError when none, InvalidInputError when several. */
export async function findAddressed<E extends KeyEntity>(store: Store, q: Queryable, entity: E, address: Address): Promise<NonNullable<Found<E>>> {
  const labels = address.labels ?? { field: 'Name', value: 'Id' };
  const key = keyField(entity, address.field, labels.field);
  const found = await findByKey(store, q, entity, key, keyValue(key, address.value, labels.value), address.value, labels.value);
  if (!found) throw new NotFoundError(entity, `no ${entity} has ${key.name} ${shown(address.value)}`);
  return found as NonNullable<Found<E>>;
}

/** Each department with its parent (one query for all the parents). */
export async function withParents(store: Store, q: Queryable, rows: readonly DepartmentRow[]): Promise<DepartmentRecord[]> {
  const ids = [...new Set(rows.map((r) => r.parent_id).filter((id): id is string => id !== null))];
  const parents = new Map((await departmentsRepository(store).departmentsByIds(q, ids)).map((p) => [p.id, p]));
  return rows.map((row) => ({ row, parent: row.parent_id === null ? null : (parents.get(row.parent_id) ?? null) }));
}

export function departments(store: Store) {
  const repo = departmentsRepository(store);

  const find = (q: Queryable, address: Address) => findAddressed(store, q, 'Department', address);

  const withParent = async (q: Queryable, row: DepartmentRow): Promise<DepartmentRecord> => (await withParents(store, q, [row]))[0];

  async function checkExternalId(tx: Tx, externalId: string | null | undefined, selfId: string | undefined): Promise<void> {
    if (externalId === undefined || externalId === null) return;
    const holders = await repo.departmentsByKey(tx, keyField('Department', 'ExternalId', 'ExternalId'), [externalId]);
    if (holders.some((d) => d.id !== selfId)) {
      throw new InvalidInputError(`ExternalId: ${shown(externalId)} is already used by another Department`);
    }
  }

  async function resolveParent(tx: Tx, ref: FieldRef | null | undefined, selfId: string | undefined): Promise<string | null | undefined> {
    if (ref === undefined || ref === null) return ref;
    const parent = await findByRef(store, tx, 'Department', ref, 'ParentDepartmentId');
    if (!parent) {
      const key = keyField('Department', ref.field, 'ParentDepartmentId.Field');
      throw new InvalidInputError(`ParentDepartmentId: no Department has ${key.name} ${shown(ref.value)}`);
    }
    if (selfId !== undefined && (parent.id === selfId || (await repo.ancestors(tx, parent.id)).includes(selfId))) {
      throw new InvalidInputError('ParentDepartmentId: a department cannot be its own parent or ancestor');
    }
    return parent.id;
  }

  /** Applies the given fields (absent ones stay; null clears) to `row`. */
  async function apply(tx: Tx, row: DepartmentRow, input: DepartmentInput, writer: Writer, isNew: boolean): Promise<DepartmentRow> {
    const externalId = blankToNull(input.externalId);
    await checkExternalId(tx, externalId, isNew ? undefined : row.id);
    const parentId = await resolveParent(tx, input.parent, row.id);
    const next: DepartmentRow = { ...row, modified_on: nowIso(), modified_by: writer.subject, modified_by_kind: writer.kind };
    if (externalId !== undefined) next.external_id = externalId;
    if (input.name !== undefined) next.name = input.name;
    if (input.type !== undefined) next.type = input.type;
    if (parentId !== undefined) next.parent_id = parentId;
    if (input.contactName !== undefined) next.contact_name = blankToNull(input.contactName) ?? null;
    if (input.contactEmail !== undefined) next.contact_email = blankToNull(input.contactEmail) ?? null;
    if (input.contactPhone !== undefined) next.contact_phone = blankToNull(input.contactPhone) ?? null;
    if (input.isActive !== undefined) next.is_active = input.isActive ? 1 : 0;
    if (isNew) await repo.insertDepartment(tx, next);
    else await repo.updateDepartment(tx, next);
    return next;
  }

  async function insert(tx: Tx, input: DepartmentInput, writer: Writer): Promise<DepartmentRow> {
    if (input.name === undefined || input.name.trim() === '') throw new InvalidInputError('Name: is required to create a Department');
    const id = input.id ?? crypto.randomUUID();
    if (input.id !== undefined && (await repo.departmentsByIds(tx, [input.id])).length > 0) {
      throw new InvalidInputError(`Id: ${shown(input.id)} is already used by another Department`);
    }
    const now = nowIso();
    const row: DepartmentRow = {
      id,
      external_id: null,
      name: input.name,
      type: 'Internal',
      parent_id: null,
      contact_name: null,
      contact_email: null,
      contact_phone: null,
      is_active: 1,
      created_on: now,
      created_by: writer.subject,
      created_by_kind: writer.kind,
      modified_on: now,
      modified_by: writer.subject,
      modified_by_kind: writer.kind,
    };
    return apply(tx, row, input, writer, true);
  }

  function update(tx: Tx, row: DepartmentRow, input: DepartmentInput, writer: Writer): Promise<DepartmentRow> {
    if (input.id !== undefined && input.id !== row.id) throw new InvalidInputError('Id: cannot be changed');
    if (input.name !== undefined && input.name.trim() === '') throw new InvalidInputError('Name: must not be empty');
    return apply(tx, row, input, writer, false);
  }

  // Writes are serialised: the uniqueness checks above then hold until the commit.
  const write = <T>(work: (tx: Tx) => Promise<T>) => store.transaction(work, { exclusive: true });

  return {
    withParent,

    async get(address: Address): Promise<DepartmentRecord> {
      return withParent(store.db, await find(store.db, address));
    },

    async create(input: DepartmentInput, writer: Writer): Promise<DepartmentRecord> {
      return write(async (tx) => withParent(tx, await insert(tx, input, writer)));
    },

    /**
     * By `Id` when given (404 when none), else by `ExternalId` when given, else a new department.
     * `may` is asked before writing (e.g. whether the caller may create, or update).
     */
    async upsert(input: DepartmentInput, writer: Writer, may: (outcome: UpsertOutcome) => void): Promise<DepartmentRecord & { outcome: UpsertOutcome }> {
      return write(async (tx) => {
        let existing: DepartmentRow | undefined;
        if (input.id !== undefined) {
          existing = (await repo.departmentsByIds(tx, [input.id]))[0];
          if (!existing) throw new NotFoundError('Department', `no Department has Id ${shown(input.id)}`);
        } else if (blankToNull(input.externalId)) {
          existing = await findByRef(store, tx, 'Department', { field: 'ExternalId', value: input.externalId as string }, 'ExternalId');
        }
        const outcome: UpsertOutcome = existing ? 'updated' : 'created';
        may(outcome);
        const row = existing ? await update(tx, existing, input, writer) : await insert(tx, input, writer);
        return { ...(await withParent(tx, row)), outcome };
      });
    },

    async update(address: Address, input: DepartmentInput, writer: Writer): Promise<DepartmentRecord> {
      return write(async (tx) => withParent(tx, await update(tx, await find(tx, address), input, writer)));
    },

    /** Deletes the department (its memberships go, its users stay; children lose their parent). */
    async remove(address: Address): Promise<DepartmentRecord> {
      return write(async (tx) => {
        const record = await withParent(tx, await find(tx, address));
        await repo.deleteDepartment(tx, record.row.id);
        return record;
      });
    },
  };
}

export type Departments = ReturnType<typeof departments>;
