import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { User, listOf } from '../../../src/api/platform/schemas.ts';
import { departmentUsersJson } from '../../../src/api/platform/user-json.ts';
import { departmentRef, userView } from '../../../src/api/platform/views.ts';
import type { DepartmentRow } from '../../../src/store/departments.ts';
import type { UserRow } from '../../../src/store/users.ts';

const department: DepartmentRow = {
  id: '0b6c1f6e-52a4-4c55-9d1c-3f8c1e0a9a77',
  external_id: 'D "1" \\ \u2028',
  name: 'Département\n\u0001',
  type: 'Internal',
  parent_id: null,
  contact_name: null,
  contact_email: null,
  contact_phone: null,
  is_active: 1,
  created_on: '2024-01-01T00:00:00.000Z',
  created_by: 'erp',
  created_by_kind: 'client',
  modified_on: '2024-01-01T00:00:00.000Z',
  modified_by: 'erp',
  modified_by_kind: 'client',
};

function row(id: number, fields: Partial<UserRow>): UserRow {
  return {
    id,
    link_id: null,
    name: `User ${id}`,
    name_key: `user ${id}`,
    info: '',
    auth_factors: '',
    lock_number: 0,
    is_custom_user_access: 0,
    username: null,
    username_key: null,
    email: null,
    mobile_phone: null,
    external_id: null,
    is_active: 1,
    created_at: '2024-02-03T04:05:06.789Z',
    modified_at: '2024-02-03T04:05:06.789Z',
    last_login: null,
    ...fields,
  };
}

/** Short, long (the serialiser's fast paths end at 42 and 5000 characters), escaped, surrogates. */
const TEXTS = ['', 'a', 'quote " and \\ back', 'tab\there', 'nul-free \u001f', '\ud83d\ude00 emoji', 'lone \ud800 high', 'lone \udc00 low', 'ä'.repeat(41), 'b'.repeat(42), `${'c'.repeat(60)}"`, 'd'.repeat(5000), `${'e'.repeat(5001)}\\`, '\u2028\u2029</script>'];

const rows: UserRow[] = [
  row(1, {}),
  row(2_147_483_647, { is_active: 0, created_at: '', last_login: '2025-01-01T00:00:00.000Z' }),
  ...TEXTS.map((text, i) => row(10 + i, { name: text, username: text, email: text, mobile_phone: text, external_id: text })),
];

describe('departmentUsersJson', () => {
  it('writes what the listOf(User) response schema writes for userView records', async () => {
    const app = Fastify();
    app.get('/', { schema: { response: { 200: listOf(User) } } }, async () => ({
      Meta: { TotalItems: rows.length, CurrentPage: 1, PageSize: rows.length, Type: 'User' },
      Data: rows.map((r) => userView(r, departmentRef(department))),
    }));
    const response = await app.inject({ method: 'GET', url: '/' });
    await app.close();
    expect(response.statusCode).toBe(200);
    expect(departmentUsersJson(rows, department)).toBe(response.body);
  });

  it('writes an empty list', () => {
    expect(JSON.parse(departmentUsersJson([], department))).toEqual({ Meta: { TotalItems: 0, CurrentPage: 1, PageSize: 0, Type: 'User' }, Data: [] });
  });
});
