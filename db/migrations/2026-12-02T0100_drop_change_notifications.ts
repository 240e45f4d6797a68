import { sql, type Kysely } from 'kysely';
import { up as createChangeNotifications } from './2026-11-24T0100_change_notifications.ts';

/*
 * The change notifications (2026-11-24T0100_change_notifications) kept per-process caches of
 * sessions, actors and rendered queue pages true. The caches are gone (every request reads its
 * session and user), so nobody listens any more: the triggers and their functions go, and no
 * write pays for a NOTIFY.
 */
const TRIGGERS = [
  ['session_changed', 'session'],
  ['session_removed', 'session'],
  ['councils_changed', 'councils'],
  ['memberships_changed', 'memberships'],
  ['users_changed', 'users'],
  ['consultations_changed', 'consultations'],
] as const;

const FUNCTIONS = [
  'raadssvar_session_changed',
  'raadssvar_council_changed',
  'raadssvar_membership_changed',
  'raadssvar_user_changed',
  'raadssvar_consultation_changed',
] as const;

export async function up(db: Kysely<any>): Promise<void> {
  for (const [trigger, table] of TRIGGERS) await sql`drop trigger if exists ${sql.id(trigger)} on ${sql.id(table)}`.execute(db);
  for (const fn of FUNCTIONS) await sql`drop function if exists ${sql.id(fn)}()`.execute(db);
}

/** Down: the triggers as they were, the session's naming it by its hash (2026-12-01T1000_session_id_hashes). */
export async function down(db: Kysely<any>): Promise<void> {
  await createChangeNotifications(db);
  await sql`
    create or replace function raadssvar_session_changed() returns trigger language plpgsql as $$
    begin
      perform pg_notify('raadssvar_changes', 'session:' || old.sid_hash);
      return null;
    end $$`.execute(db);
}
