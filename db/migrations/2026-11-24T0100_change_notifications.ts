import { sql, type Kysely } from 'kysely';

/*
 * Every app process keeps short-lived copies of what most requests read (sessions, the signed-in
 * user with their councils, rendered queue pages). These triggers tell all of them, through
 * NOTIFY on the channel `raadssvar_changes`, which part of the data changed, so a copy is dropped
 * the moment its data changes in any process. PostgreSQL sends a notification at commit and
 * folds identical ones within a transaction, so a bulk import of one council sends one.
 *
 * Payloads (read by src/db/change-feed.ts):
 *   council:<id>   a consultation of that council was added, changed or removed
 *   creator:<id>   the same for an unassigned consultation that user registered
 *   user:<id>      that user or their memberships changed
 *   people         some user changed (names appear in every council's queue)
 *   all            a council changed (names, slugs, settings appear everywhere)
 *   session:<sid>  that session's data changed or it was removed (logout, expiry)
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function raadssvar_consultation_changed() returns trigger language plpgsql as $$
    begin
      if tg_op <> 'INSERT' then
        perform pg_notify('raadssvar_changes',
          case when old.council_id is null then 'creator:' || coalesce(old.created_by::text, '') else 'council:' || old.council_id end);
      end if;
      if tg_op <> 'DELETE' then
        perform pg_notify('raadssvar_changes',
          case when new.council_id is null then 'creator:' || coalesce(new.created_by::text, '') else 'council:' || new.council_id end);
      end if;
      return null;
    end $$`.execute(db);
  await sql`
    create trigger consultations_changed after insert or update or delete on consultations
    for each row execute function raadssvar_consultation_changed()`.execute(db);

  await sql`
    create function raadssvar_user_changed() returns trigger language plpgsql as $$
    begin
      perform pg_notify('raadssvar_changes', 'user:' || coalesce(new.id, old.id));
      perform pg_notify('raadssvar_changes', 'people');
      return null;
    end $$`.execute(db);
  await sql`
    create trigger users_changed after insert or update or delete on users
    for each row execute function raadssvar_user_changed()`.execute(db);

  await sql`
    create function raadssvar_membership_changed() returns trigger language plpgsql as $$
    begin
      if tg_op <> 'INSERT' then perform pg_notify('raadssvar_changes', 'user:' || old.user_id); end if;
      if tg_op <> 'DELETE' then perform pg_notify('raadssvar_changes', 'user:' || new.user_id); end if;
      return null;
    end $$`.execute(db);
  await sql`
    create trigger memberships_changed after insert or update or delete on memberships
    for each row execute function raadssvar_membership_changed()`.execute(db);

  await sql`
    create function raadssvar_council_changed() returns trigger language plpgsql as $$
    begin
      perform pg_notify('raadssvar_changes', 'all');
      return null;
    end $$`.execute(db);
  await sql`
    create trigger councils_changed after insert or update or delete on councils
    for each statement execute function raadssvar_council_changed()`.execute(db);

  // Only a change of the session's data or its removal: express-session's touches, which move
  // only the expiry, need not reach anyone.
  await sql`
    create function raadssvar_session_changed() returns trigger language plpgsql as $$
    begin
      perform pg_notify('raadssvar_changes', 'session:' || old.sid);
      return null;
    end $$`.execute(db);
  await sql`
    create trigger session_removed after delete on session
    for each row execute function raadssvar_session_changed()`.execute(db);
  await sql`
    create trigger session_changed after update on session
    for each row when (old.sess::text is distinct from new.sess::text) execute function raadssvar_session_changed()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger if exists session_changed on session`.execute(db);
  await sql`drop trigger if exists session_removed on session`.execute(db);
  await sql`drop function if exists raadssvar_session_changed()`.execute(db);
  await sql`drop trigger if exists councils_changed on councils`.execute(db);
  await sql`drop function if exists raadssvar_council_changed()`.execute(db);
  await sql`drop trigger if exists memberships_changed on memberships`.execute(db);
  await sql`drop function if exists raadssvar_membership_changed()`.execute(db);
  await sql`drop trigger if exists users_changed on users`.execute(db);
  await sql`drop function if exists raadssvar_user_changed()`.execute(db);
  await sql`drop trigger if exists consultations_changed on consultations`.execute(db);
  await sql`drop function if exists raadssvar_consultation_changed()`.execute(db);
}
