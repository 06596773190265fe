/**
 * A department's users as JSON text, byte for byte what the `listOf(User)` response schema's
 * serialiser writes for `userView` records (same properties in the same order; strings escaped
 * as JSON.stringify escapes them, which is what fast-json-stringify does too), built straight
 * from the rows. The schema serialiser picks the branch of every nullable field with a validator
 * call: for a bulk of 50 000 users that was most of the response's time.
 */
import type { DepartmentRow } from '../../store/departments.ts';
import type { ShownUserRow } from '../../store/users.ts';
import { UNSET_DATE } from './schemas.ts';
import { departmentRef } from './views.ts';

/** Text or null, as JSON. */
const text = (value: string | null): string => JSON.stringify(value);

/** `{ Meta, Data }` of the users, each with `DepartmentId` (what `userView(row, department)` gives). */
export function departmentUsersJson(rows: readonly ShownUserRow[], department: DepartmentRow): string {
  const departmentId = JSON.stringify(departmentRef(department));
  const data: string[] = new Array<string>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    data[i] =
      `{"Id":${Number(row.id)},"Name":${text(row.name)},"Username":${text(row.username)},"Email":${text(row.email)}` +
      `,"MobilePhone":${text(row.mobile_phone)},"External_Id":${text(row.external_id)}` +
      `,"Creation_Date":${text(row.created_at || UNSET_DATE)},"Last_Login":${text(row.last_login ?? UNSET_DATE)}` +
      `,"Is_Active":${Number(row.is_active) === 1},"DepartmentId":${departmentId}}`;
  }
  const n = rows.length;
  return `{"Meta":{"TotalItems":${n},"CurrentPage":1,"PageSize":${n},"Type":"User"},"Data":[${data.join(',')}]}`;
}
