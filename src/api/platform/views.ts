/** Records as the platform returns them (platform-api.md §4): PascalCase, foreign keys as AbstractText. */
import type { DepartmentRecord } from '../../directory/departments.ts';
import type { DepartmentRow } from '../../store/departments.ts';
import type { ShownUserRow } from '../../store/users.ts';
import { UNSET_DATE, type AbstractText } from './schemas.ts';

const WRITER_TYPE = { client: 'ApiClient', account: 'Account' } as const;

export function departmentRef(row: DepartmentRow): AbstractText {
  return { Id: row.id, ExternalId: row.external_id, Name: row.name, Type: 'Department' };
}

export function departmentView({ row, parent }: DepartmentRecord): Record<string, unknown> {
  return {
    Id: row.id,
    ExternalId: row.external_id,
    Name: row.name,
    DepartmentTypeId: { Id: row.type, ExternalId: row.type, Name: row.type, Type: 'DepartmentType' },
    ParentDepartmentId: parent ? departmentRef(parent) : null,
    ContactName: row.contact_name,
    ContactEmail: row.contact_email,
    ContactPhone: row.contact_phone,
    Is_Active: Number(row.is_active) === 1,
    CreatedOn: row.created_on,
    CreatedBy: { Id: row.created_by, ExternalId: null, Name: row.created_by, Type: WRITER_TYPE[row.created_by_kind] },
    ModifiedOn: row.modified_on,
    ModifiedBy: { Id: row.modified_by, ExternalId: null, Name: row.modified_by, Type: WRITER_TYPE[row.modified_by_kind] },
  };
}

/** A user; with its department's reference (`departmentRef`), the extended record of §5.1 (`DepartmentId`). */
export function userView(row: ShownUserRow, departmentId?: AbstractText): Record<string, unknown> {
  const view: Record<string, unknown> = {
    Id: Number(row.id),
    Name: row.name,
    Username: row.username,
    Email: row.email,
    MobilePhone: row.mobile_phone,
    External_Id: row.external_id,
    Creation_Date: row.created_at || UNSET_DATE,
    Last_Login: row.last_login ?? UNSET_DATE,
    Is_Active: Number(row.is_active) === 1,
  };
  if (departmentId !== undefined) view.DepartmentId = departmentId;
  return view;
}

/** Keeps only the fields asked for (`Fields`); every field when `fields` is undefined. */
export function project(record: Record<string, unknown>, fields: readonly string[] | undefined): Record<string, unknown> {
  if (!fields) return record;
  const out: Record<string, unknown> = {};
  for (const f of fields) if (Object.hasOwn(record, f)) out[f] = record[f];
  return out;
}
