import { sql, type Kysely } from 'kysely';

/*
 * The session table keeps the SHA-256 of each session id (hex) instead of the id, so that whoever
 * reads the table, a backup or the change notifications (which name the changed session) cannot
 * use a session: only the cookie carries the id. Existing rows are hashed in place, so everyone
 * stays logged in.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table session rename column sid to sid_hash`.execute(db);
  await sql`update session set sid_hash = encode(sha256(convert_to(sid_hash, 'UTF8')), 'hex')`.execute(db);
  await sql`alter table session add constraint session_sid_hash_is_sha256 check (sid_hash ~ '^[0-9a-f]{64}$')`.execute(db);
  await notifySessionBy(db, 'sid_hash');
}

/** Down: the ids cannot be recovered from their hashes, so every session ends. */
export async function down(db: Kysely<any>): Promise<void> {
  await sql`delete from session`.execute(db);
  await sql`alter table session drop constraint session_sid_hash_is_sha256`.execute(db);
  await sql`alter table session rename column sid_hash to sid`.execute(db);
  await notifySessionBy(db, 'sid');
}

/** The session trigger's function (2026-11-24T0100_change_notifications), naming the session by `column`. */
async function notifySessionBy(db: Kysely<any>, column: 'sid' | 'sid_hash'): Promise<void> {
  await sql`
    create or replace function raadssvar_session_changed() returns trigger language plpgsql as $$
    begin
      perform pg_notify('raadssvar_changes', 'session:' || old.${sql.raw(column)});
      return null;
    end $$`.execute(db);
}
