import type { Kysely } from 'kysely';
import type { StoreKind } from '../database.ts';

/**
 * The platform dialect: departments, their memberships (users stay in `users`), API clients and
 * their refresh tokens. The JWT signing key lives in `settings` (created on first start).
 */
export async function up(db: Kysely<any>, kind: StoreKind): Promise<void> {
  const bigint = kind === 'postgres' ? 'bigint' : 'integer';

  await db.schema
    .createTable('departments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('external_id', 'text')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull().defaultTo('Internal'))
    .addColumn('parent_id', 'text', (c) => c.references('departments.id').onDelete('set null'))
    .addColumn('contact_name', 'text')
    .addColumn('contact_email', 'text')
    .addColumn('contact_phone', 'text')
    .addColumn('is_active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_on', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_by_kind', 'text', (c) => c.notNull())
    .addColumn('modified_on', 'text', (c) => c.notNull())
    .addColumn('modified_by', 'text', (c) => c.notNull())
    .addColumn('modified_by_kind', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('departments_external_id').unique().on('departments').column('external_id').execute();
  await db.schema.createIndex('departments_name').on('departments').column('name').execute();
  await db.schema.createIndex('departments_parent_id').on('departments').column('parent_id').execute();

  await db.schema
    .createTable('memberships')
    .addColumn('department_id', 'text', (c) => c.notNull().references('departments.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('memberships_pk', ['department_id', 'user_id'])
    .execute();
  await db.schema.createIndex('memberships_user_id').on('memberships').column('user_id').execute();

  // Lookups by phone are a platform key kind (`Name=MobilePhone`); the other key columns are indexed already.
  await db.schema.createIndex('users_mobile_phone').on('users').column('mobile_phone').execute();
  await db.schema.createIndex('users_name').on('users').column('name').execute();

  await db.schema
    .createTable('api_clients')
    .addColumn('client_id', 'text', (c) => c.primaryKey())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    /** Space-separated scopes the client may ask for; `*` is all. */
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('modified_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('refresh_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('client_id', 'text', (c) => c.notNull().references('api_clients.client_id').onDelete('cascade'))
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('expires_at', bigint, (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('refresh_tokens_client_id').on('refresh_tokens').column('client_id').execute();
  await db.schema.createIndex('refresh_tokens_expires_at').on('refresh_tokens').column('expires_at').execute();
}
