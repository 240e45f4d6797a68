import { sql, type Kysely } from 'kysely';

/*
 * Password resets by e-mail: one row per link sent. Only the SHA-256 of the link's token is kept,
 * so the table alone resets nobody's password. A token works once (`used_at`) and until
 * `expires_at`; resetting a password uses up every open token of that user.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table password_reset_tokens (
      token_hash text primary key check (token_hash ~ '^[0-9a-f]{64}$'),
      user_id integer not null references users(id) on delete cascade,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      used_at timestamptz
    )`.execute(db);
  await sql`create index password_reset_tokens_open_idx on password_reset_tokens (user_id) where used_at is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists password_reset_tokens`.execute(db);
}
