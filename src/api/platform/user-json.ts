/**
 * A department's users as JSON text, byte for byte what the `listOf(User)` response schema's
 * serialiser writes for `userView` records: the records carry exactly the schema's properties, in
 * its order and of its types, and fast-json-stringify escapes strings as JSON.stringify does. The
 * schema serialiser picks the branch of every nullable field with a validator call; for a bulk of
 * 50 000 users that was most of the response's time, which JSON.stringify spares.
 */
import type { DepartmentRow } from '../../store/departments.ts';
import type { ShownUserRow } from '../../store/users.ts';
import { departmentRef, userView } from './views.ts';

/** `{ Meta, Data }` of the users, each with `DepartmentId` (userView with the department's reference). */
export function departmentUsersJson(rows: readonly ShownUserRow[], department: DepartmentRow): string {
  const departmentId = departmentRef(department);
  const data = rows.map((row) => userView(row, departmentId));
  const n = rows.length;
  return JSON.stringify({ Meta: { TotalItems: n, CurrentPage: 1, PageSize: n, Type: 'User' }, Data: data });
}
