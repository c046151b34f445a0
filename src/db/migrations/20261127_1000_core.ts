import type { Kysely } from 'kysely';
import { bigInt, binary, makeAppendOnly } from '../migration-helpers.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked_until', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();

  await db.schema
    .createTable('user_roles')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('granted_at', 'text', (c) => c.notNull())
    .addColumn('granted_by', 'text')
    .addPrimaryKeyConstraint('user_roles_pk', ['user_id', 'role', 'scope'])
    .execute();
  await db.schema.createIndex('user_roles_scope_idx').on('user_roles').columns(['scope', 'role']).execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .addColumn('source_address', 'text')
    .execute();
  await db.schema.createIndex('sessions_user_idx').on('sessions').column('user_id').execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .addColumn('last_used_at', 'text')
    .execute();
  await db.schema.createIndex('api_tokens_user_idx').on('api_tokens').column('user_id').execute();

  await db.schema
    .createTable('ledger_events')
    .addColumn('seq', bigInt(db), (c) => c.primaryKey())
    .addColumn('event_id', 'text', (c) => c.notNull().unique())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .addColumn('leaf', 'text', (c) => c.notNull())
    .addColumn('leaf_hash', binary(db), (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ledger_events_subject_idx').on('ledger_events').columns(['subject_type', 'subject_id', 'seq']).execute();
  await db.schema.createIndex('ledger_events_actor_idx').on('ledger_events').columns(['actor_id', 'seq']).execute();
  await db.schema.createIndex('ledger_events_type_idx').on('ledger_events').columns(['type', 'seq']).execute();
  await db.schema.createIndex('ledger_events_time_idx').on('ledger_events').columns(['recorded_at', 'seq']).execute();

  await db.schema
    .createTable('ledger_nodes')
    .addColumn('level', 'integer', (c) => c.notNull())
    .addColumn('idx', bigInt(db), (c) => c.notNull())
    .addColumn('hash', binary(db), (c) => c.notNull())
    .addPrimaryKeyConstraint('ledger_nodes_pk', ['level', 'idx'])
    .execute();

  await db.schema
    .createTable('ledger_head')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('size', bigInt(db), (c) => c.notNull())
    .addColumn('frontier', 'text', (c) => c.notNull())
    .execute();
  await db
    .insertInto('ledger_head' as never)
    .values({ id: 1, size: 0, frontier: '[]' } as never)
    .execute();

  await db.schema
    .createTable('ledger_checkpoints')
    .addColumn('tree_size', bigInt(db), (c) => c.primaryKey())
    .addColumn('root_hash', binary(db), (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  for (const table of ['ledger_events', 'ledger_nodes', 'ledger_checkpoints']) await makeAppendOnly(db, table);
}

export async function down(): Promise<void> {
  throw new Error('core migration is not reversible');
}
