import { sql, type Kysely } from 'kysely';
import type { StoreKind } from '../database.ts';

/** Accounts, panel sessions, users and settings. */
export async function up(db: Kysely<any>, kind: StoreKind): Promise<void> {
  const bigint = kind === 'postgres' ? 'bigint' : 'integer';

  await db.schema
    .createTable('accounts')
    .addColumn('username', 'text', (c) => c.primaryKey())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('account_type', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('username', 'text', (c) => c.notNull().references('accounts.username').onDelete('cascade'))
    .addColumn('expires_at', bigint, (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_username').on('sessions').column('username').execute();

  // Ids are never reused: AUTOINCREMENT on SQLite, a sequence on PostgreSQL.
  if (kind === 'postgres') await sql`create sequence users_id_seq`.execute(db);
  await db.schema
    .createTable('users')
    .addColumn('id', 'integer', (c) =>
      kind === 'postgres' ? c.primaryKey().defaultTo(sql`nextval('users_id_seq')`) : c.primaryKey().autoIncrement(),
    )
    .addColumn('link_id', 'text')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('info', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('auth_factors', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('lock_number', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('is_custom_user_access', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('username', 'text')
    .addColumn('username_key', 'text')
    .addColumn('email', 'text')
    .addColumn('mobile_phone', 'text')
    .addColumn('external_id', 'text')
    .addColumn('is_active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('modified_at', 'text', (c) => c.notNull())
    .addColumn('last_login', 'text')
    .execute();
  await db.schema.createIndex('users_link_id').unique().on('users').column('link_id').execute();
  // Covers the bulk sync's name statistics (duplicate counts, the oldest user without a link_id).
  await db.schema.createIndex('users_name_key').on('users').columns(['name_key', 'link_id', 'id']).execute();
  await db.schema.createIndex('users_username_key').unique().on('users').column('username_key').execute();
  await db.schema.createIndex('users_external_id').unique().on('users').column('external_id').execute();
  await db.schema.createIndex('users_email').on('users').column('email').execute();

  if (kind === 'sqlite') await sql`insert into sqlite_sequence (name, seq) values ('users', 0)`.execute(db);

  await db.schema
    .createTable('settings')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
}
