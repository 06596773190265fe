import { sql, type ColumnDefinitionBuilder, type Kysely } from 'kysely';
import type { StoreKind } from '../database.ts';

/**
 * Identifiers, time profiles, apartments and their links (access-api.md §3–§5).
 * Deleting a user unbinds its identifiers (user_id set null) and drops its links; deleting a
 * time profile or an apartment drops its links (an identifier's apartment_id is set null).
 */
export async function up(db: Kysely<any>, kind: StoreKind): Promise<void> {
  const bigint = kind === 'postgres' ? 'bigint' : 'integer';
  // Ids are never reused (a panel may still name a deleted one): AUTOINCREMENT on SQLite, a
  // sequence on PostgreSQL — as for users; the store reserves them in bulk (Store.allocateIds).
  const sequences = ['time_profiles', 'apartments', 'identifiers'];
  if (kind === 'postgres') for (const name of sequences) await sql`create sequence ${sql.id(`${name}_id_seq`)}`.execute(db);
  const id = (table: string) => (c: ColumnDefinitionBuilder) =>
    kind === 'postgres' ? c.primaryKey().defaultTo(sql`nextval(${sql.lit(`${table}_id_seq`)})`) : c.primaryKey().autoIncrement();

  await db.schema
    .createTable('time_profiles')
    .addColumn('id', 'integer', id('time_profiles'))
    .addColumn('link_id', 'text')
    .addColumn('name', 'text', (c) => c.notNull())
    /** JSON `{time_options, repeat_options}`, as validated and cleaned. */
    .addColumn('rules', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('modified_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('time_profiles_link_id').unique().on('time_profiles').column('link_id').execute();

  await db.schema
    .createTable('apartments')
    .addColumn('id', 'integer', id('apartments'))
    .addColumn('link_id', 'text')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('building', 'integer', (c) => c.notNull())
    .addColumn('unit', 'integer', (c) => c.notNull())
    .addColumn('floor', 'integer', (c) => c.notNull())
    .addColumn('room', 'integer', (c) => c.notNull())
    .addColumn('residents_count', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('modified_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('apartments_link_id').unique().on('apartments').column('link_id').execute();
  await db.schema
    .createIndex('apartments_address')
    .unique()
    .on('apartments')
    .columns(['building', 'unit', 'floor', 'room'])
    .execute();

  await db.schema
    .createTable('identifiers')
    .addColumn('id', 'integer', id('identifiers'))
    .addColumn('link_id', 'text')
    .addColumn('user_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('apartment_id', 'integer', (c) => c.references('apartments.id').onDelete('set null'))
    .addColumn('owner_name', 'text', (c) => c.notNull())
    .addColumn('owner_type', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('number', 'text', (c) => c.notNull())
    /** The number as compared for uniqueness and for access decisions (see identifiers.ts). */
    .addColumn('number_key', 'text', (c) => c.notNull())
    .addColumn('lock', 'text', (c) => c.notNull())
    .addColumn('time_permanent', 'integer', (c) => c.notNull())
    .addColumn('valid_from', bigint)
    .addColumn('valid_to', bigint)
    .addColumn('passes_permanent', 'integer', (c) => c.notNull())
    .addColumn('max_passes', 'integer')
    .addColumn('passes_used', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('modified_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('identifiers_link_id').unique().on('identifiers').column('link_id').execute();
  // number_key first: bulk lookups by a set of numbers and the access decision both use it.
  await db.schema.createIndex('identifiers_number').unique().on('identifiers').columns(['number_key', 'type']).execute();
  await db.schema.createIndex('identifiers_type').on('identifiers').column('type').execute();
  await db.schema.createIndex('identifiers_user_id').on('identifiers').column('user_id').execute();
  await db.schema.createIndex('identifiers_apartment_id').on('identifiers').column('apartment_id').execute();

  const link = async (table: string, left: [string, string], right: [string, string]) => {
    await db.schema
      .createTable(table)
      .addColumn(left[0], 'integer', (c) => c.notNull().references(left[1]).onDelete('cascade'))
      .addColumn(right[0], 'integer', (c) => c.notNull().references(right[1]).onDelete('cascade'))
      .addPrimaryKeyConstraint(`${table}_pk`, [left[0], right[0]] as never)
      .execute();
    await db.schema.createIndex(`${table}_${right[0]}`).on(table).column(right[0]).execute();
  };
  await link('user_time_profiles', ['user_id', 'users.id'], ['time_profile_id', 'time_profiles.id']);
  await link('user_apartments', ['user_id', 'users.id'], ['apartment_id', 'apartments.id']);
  await link('identifier_time_profiles', ['identifier_id', 'identifiers.id'], ['time_profile_id', 'time_profiles.id']);

  if (kind === 'sqlite') {
    for (const name of sequences) await sql`insert into sqlite_sequence (name, seq) values (${name}, 0)`.execute(db);
  }
}
