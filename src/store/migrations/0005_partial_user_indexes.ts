import { sql, type Kysely } from 'kysely';

/**
 * The platform's key columns (Username, External_Id, Email, MobilePhone) are empty for every user
 * the panel dialect creates, yet each of those users cost an entry in four indexes on every
 * insert. Indexed only where set: lookups by a value (`= x`, `in (…)`, json_each joins) still
 * use them, as both stores prove `col = x` implies `col is not null`; uniqueness is unchanged
 * (NULLs never collided).
 */
const INDEXES = [
  { name: 'users_username_key', column: 'username_key', unique: true },
  { name: 'users_external_id', column: 'external_id', unique: true },
  { name: 'users_email', column: 'email', unique: false },
  { name: 'users_mobile_phone', column: 'mobile_phone', unique: false },
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const index of INDEXES) {
    await sql`drop index ${sql.id(index.name)}`.execute(db);
    await sql`create ${sql.raw(index.unique ? 'unique ' : '')}index ${sql.id(index.name)} on users (${sql.id(index.column)})
      where ${sql.id(index.column)} is not null`.execute(db);
  }
}
