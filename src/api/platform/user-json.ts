/**
 * A department's users as JSON text, byte for byte what the `listOf(User)` response schema's
 * serialiser writes for `userView` records: the records carry exactly the schema's properties, in
 * its order and of its types, and fast-json-stringify escapes strings as JSON.stringify does. The
 * schema serialiser picks the branch of every nullable field with a validator call; for a bulk of
 * 50 000 users that was most of the response's time, which JSON.stringify spares.
 */
import type { DepartmentRow } from '../../store/departments.ts';
import type { ShownUserRow } from '../../store/users.ts';
import { UNSET_DATE } from './schemas.ts';
import { departmentRef } from './views.ts';

/** `{ Meta, Data }` of the users, each with `DepartmentId` (what `userView(row, department)` gives). */
export function departmentUsersJson(rows: readonly ShownUserRow[], department: DepartmentRow): string {
  const departmentId = departmentRef(department);
  const data = new Array<Record<string, unknown>>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    data[i] = {
      Id: Number(row.id),
      Name: row.name,
      Username: row.username,
      Email: row.email,
      MobilePhone: row.mobile_phone,
      External_Id: row.external_id,
      Creation_Date: row.created_at || UNSET_DATE,
      Last_Login: row.last_login ?? UNSET_DATE,
      Is_Active: Number(row.is_active) === 1,
      DepartmentId: departmentId,
    };
  }
  const n = rows.length;
  return JSON.stringify({ Meta: { TotalItems: n, CurrentPage: 1, PageSize: n, Type: 'User' }, Data: data });
}
