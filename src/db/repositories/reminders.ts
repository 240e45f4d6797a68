import { FINAL_STATES } from '../../../workflows/consultation.machine.ts';
import { termCoversToday } from './users.ts';
import type { Executor } from '../database.ts';

/** Open consultations of a council whose deadline lies between `from` and `until`, with the council's reminder days. */
export function listDeadlineReminderCandidates(db: Executor, from: Date, until: Date) {
  return db
    .selectFrom('consultations')
    .innerJoin('councils', 'councils.id', 'consultations.council_id')
    .select([
      'consultations.id',
      'consultations.title',
      'consultations.deadline',
      'consultations.state',
      'consultations.assignee_id as assigneeId',
      'councils.id as councilId',
      'councils.name as councilName',
      'councils.reminder_working_days as reminderWorkingDays',
    ])
    .where('consultations.state', 'not in', FINAL_STATES)
    .where('consultations.deadline', '>', from)
    .where('consultations.deadline', '<=', until)
    .execute();
}

/** Consultations awaiting approval, with when (and by which event) approval was last asked for. */
export function listApprovalReminderCandidates(db: Executor) {
  return db
    .selectFrom('consultations')
    .innerJoin('councils', 'councils.id', 'consultations.council_id')
    .innerJoin(
      (eb) =>
        eb
          .selectFrom('consultation_events')
          .distinctOn('consultation_id')
          .select(['consultation_id', 'id as eventId', 'at as requestedAt'])
          .where('type', '=', 'SUBMIT_FOR_APPROVAL')
          .orderBy('consultation_id')
          .orderBy('id', 'desc')
          .as('req'),
      (join) => join.onRef('req.consultation_id', '=', 'consultations.id'),
    )
    .select([
      'consultations.id',
      'consultations.title',
      'consultations.deadline',
      'councils.id as councilId',
      'councils.name as councilName',
      'req.eventId',
      'req.requestedAt',
    ])
    .where('consultations.state', '=', 'awaiting_approval')
    .execute();
}

/** Active users who chair the given councils. */
export function listChairsOf(db: Executor, councilIds: number[]) {
  if (councilIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select(['users.id', 'users.email', 'users.name', 'memberships.council_id as councilId'])
    .where('memberships.council_id', 'in', councilIds)
    .where('memberships.role', '=', 'chair')
    .where(termCoversToday)
    .where('users.disabled_at', 'is', null)
    .execute();
}

/** Active users by id. */
export function listActiveUsersById(db: Executor, ids: number[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom('users').select(['id', 'email', 'name']).where('id', 'in', ids).where('disabled_at', 'is', null).execute();
}

/** The (user, council) pairs among these users that switched reminders off. */
export function listOptOuts(db: Executor, userIds: number[]) {
  if (userIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('reminder_opt_outs').select(['user_id', 'council_id']).where('user_id', 'in', userIds).execute();
}

/** The councils a user has switched reminders off for. */
export async function listOptedOutCouncilIds(db: Executor, userId: number): Promise<number[]> {
  const rows = await db.selectFrom('reminder_opt_outs').select('council_id').where('user_id', '=', userId).execute();
  return rows.map((r) => r.council_id);
}

/** Replaces a user's opt-outs among `councilIds` with `optedOut`. */
export async function setOptOuts(db: Executor, userId: number, councilIds: number[], optedOut: number[]): Promise<void> {
  if (councilIds.length > 0) {
    await db.deleteFrom('reminder_opt_outs').where('user_id', '=', userId).where('council_id', 'in', councilIds).execute();
  }
  if (optedOut.length > 0) {
    await db
      .insertInto('reminder_opt_outs')
      .values(optedOut.map((councilId) => ({ user_id: userId, council_id: councilId })))
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
}

/**
 * Records a reminder as sent. Returns false when it already was: the unique key makes this the
 * one place that decides, whichever process gets here first.
 */
export async function claimReminder(
  db: Executor,
  reminder: { consultationId: string; userId: number; kind: 'deadline' | 'approval'; threshold: number; occasion: string },
): Promise<boolean> {
  const row = await db
    .insertInto('sent_reminders')
    .values({
      consultation_id: reminder.consultationId,
      user_id: reminder.userId,
      kind: reminder.kind,
      threshold: reminder.threshold,
      occasion: reminder.occasion,
    })
    .onConflict((oc) => oc.constraint('sent_reminders_once').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Reminders sent for a consultation, oldest first (for tests and the timeline). */
export function listSentReminders(db: Executor, consultationId: string) {
  return db.selectFrom('sent_reminders').selectAll().where('consultation_id', '=', consultationId).orderBy('id').execute();
}
