import { sql, type Kysely } from 'kysely';

// Frozen: once landed, never edit this migration; add a new dated one instead.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('councils')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('slug', 'text', (c) =>
      c
        .notNull()
        .unique()
        .check(sql`slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'`),
    )
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('municipality', 'text')
    .addColumn('reference_prefix', 'text', (c) => c.notNull().check(sql`reference_prefix ~ '^[A-ZÆØÅ0-9]{2,8}$'`))
    .addColumn('letterhead_address', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('letterhead_contact', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('letterhead_logo', 'bytea')
    .addColumn('letterhead_logo_type', 'text')
    .addColumn('due_soon_working_days', 'integer', (c) => c.notNull().defaultTo(5))
    .addColumn('reminder_working_days', sql`integer[]`, (c) => c.notNull().defaultTo(sql`'{10,3,0}'`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('email', 'text', (c) => c.notNull().check(sql`email = lower(email)`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('is_admin', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('disabled_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('users_email_key').on('users').column('email').unique().execute();

  await db.schema
    .createTable('memberships')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('council_id', 'integer', (c) => c.notNull().references('councils.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('secretary', 'chair', 'member', 'staff')`))
    // How the person signs, e.g. "formand" or "næstformand"; shown in letters.
    .addColumn('title', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('memberships_pkey', ['user_id', 'council_id'])
    .execute();
  await db.schema.createIndex('memberships_council_idx').on('memberships').columns(['council_id', 'role']).execute();

  await db.schema
    .createTable('reference_counters')
    .addColumn('council_id', 'integer', (c) => c.notNull().references('councils.id').onDelete('cascade'))
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('last_number', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('reference_counters_pkey', ['council_id', 'year'])
    .execute();

  await db.schema
    .createTable('consultations')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('reference', 'text', (c) => c.unique())
    .addColumn('council_id', 'integer', (c) => c.references('councils.id'))
    .addColumn('assignee_id', 'integer', (c) => c.references('users.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('authority', 'text', (c) => c.notNull())
    .addColumn('authority_reference', 'text')
    .addColumn('authority_email', 'text')
    .addColumn('received_at', 'date', (c) => c.notNull())
    .addColumn('deadline', 'timestamptz', (c) => c.notNull())
    .addColumn('summary', 'text')
    .addColumn('source_url', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('snapshot', 'jsonb', (c) => c.notNull())
    .addColumn('machine_version', 'integer', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_by', 'integer', (c) => c.references('users.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('consultations_state_idx').on('consultations').column('state').execute();
  await db.schema.createIndex('consultations_council_deadline_idx').on('consultations').columns(['council_id', 'deadline', 'id']).execute();
  await db.schema.createIndex('consultations_deadline_idx').on('consultations').columns(['deadline', 'id']).execute();
  await db.schema.createIndex('consultations_assignee_idx').on('consultations').column('assignee_id').execute();

  await db.schema
    .createTable('response_versions')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('consultation_id', 'uuid', (c) => c.notNull().references('consultations.id'))
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('author_id', 'integer', (c) => c.references('users.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('response_versions_number_key', ['consultation_id', 'number'])
    .execute();

  await db.schema
    .createTable('consultation_events')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('consultation_id', 'uuid', (c) => c.notNull().references('consultations.id'))
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('actor_id', 'integer', (c) => c.references('users.id'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('from_state', 'text')
    .addColumn('to_state', 'text')
    .addColumn('payload', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute();
  await db.schema.createIndex('consultation_events_consultation_idx').on('consultation_events').columns(['consultation_id', 'id']).execute();

  await db.schema
    .createTable('archived_documents')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('consultation_id', 'uuid', (c) => c.notNull().unique().references('consultations.id'))
    .addColumn('pdf', 'bytea', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'integer', (c) => c.notNull())
    .addColumn('response_version_id', 'integer', (c) => c.notNull().references('response_versions.id'))
    .addColumn('template_version', 'text', (c) => c.notNull())
    .addColumn('submitted_by', 'integer', (c) => c.references('users.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // Append-only in the database itself, whatever code or person connects.
  await sql`
    create function reject_change() returns trigger language plpgsql as $$
    begin
      raise exception 'table % is append-only: % is not allowed', tg_table_name, tg_op
        using errcode = 'raise_exception';
    end
    $$`.execute(db);
  for (const table of ['consultation_events', 'archived_documents', 'response_versions']) {
    await sql`create trigger ${sql.raw(`${table}_append_only`)} before update or delete on ${sql.table(table)}
      for each row execute function reject_change()`.execute(db);
    await sql`create trigger ${sql.raw(`${table}_no_truncate`)} before truncate on ${sql.table(table)}
      for each statement execute function reject_change()`.execute(db);
  }

  await db.schema
    .createTable('meetings')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('council_id', 'integer', (c) => c.notNull().references('councils.id').onDelete('cascade'))
    .addColumn('starts_at', 'timestamptz', (c) => c.notNull())
    .addColumn('place', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('note', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('meetings_council_idx').on('meetings').columns(['council_id', 'starts_at']).execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_used_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .execute();

  // The table connect-pg-simple expects, so sessions are shared by every app process.
  await sql`
    create table session (
      sid varchar not null primary key,
      sess json not null,
      expire timestamp(6) not null
    )`.execute(db);
  await sql`create index session_expire_idx on session (expire)`.execute(db);

  // The table rate-limiter-flexible's PostgreSQL store uses for login throttling counters.
  await sql`
    create table login_throttle (
      key varchar(255) primary key,
      points integer not null default 0,
      expire bigint
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'login_throttle',
    'session',
    'api_tokens',
    'meetings',
    'archived_documents',
    'consultation_events',
    'response_versions',
    'consultations',
    'reference_counters',
    'memberships',
    'users',
    'councils',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
  await sql`drop function if exists reject_change()`.execute(db);
}
