import { subscriptionExists } from '../../db/repositories/subscriptions.ts';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/database.ts';
import {
  claimReminder,
  listActiveUsersById,
  listApprovalReminderCandidates,
  listChairsOf,
  listDeadlineReminderCandidates,
  listOptOuts,
} from '../../db/repositories/reminders.ts';
import { QUEUES, type Jobs } from '../jobs/jobs.ts';
import type { MailMessage, Mailer } from '../mail/mailer.ts';
import { composeMail } from '../mail/templates.ts';
import { unsubscribeUrl } from './unsubscribe.ts';
import { findConsultationRow } from '../../db/repositories/consultations.ts';
import { danishDate, formatDanishDate, formatDanishDateTime, type Clock } from '../time.ts';
import { workingDaysBetween } from '../deadlines/status.ts';
import { publicBaseUrl } from '../public-url.ts';
import { isFinalState } from '../../../workflows/consultation.machine.ts';

/** Working days an approval may wait before the chair is reminded. */
export const APPROVAL_WAIT_WORKING_DAYS = 2;

/** Calendar days ahead the reminder job looks: enough for any threshold up to 30 working days. */
const LOOK_AHEAD_DAYS = 60;

export type ReminderKind = 'deadline' | 'approval';

/** One reminder to one person; `occasion` with the rest is its exactly-once key. */
export interface PlannedReminder {
  consultationId: string;
  userId: number;
  kind: ReminderKind;
  threshold: number;
  occasion: string;
  mail: MailMessage;
}

/**
 * A queued plain mail. `consultationId` lets the sender drop a reminder if the case closed
 * meanwhile; `subscription` drops an announcement whose address unsubscribed meanwhile.
 */
export type ReminderMailJob = MailMessage & { consultationId?: string; subscription?: { id: number; councilId: number } };

/**
 * Sends one queued mail, unless its consultation was closed or its subscription ended after it
 * was queued (a retry can come hours later). Throws on a failed send so pg-boss retries.
 */
export async function sendReminderMail(deps: { db: Db; mailer: Mailer }, job: ReminderMailJob): Promise<'sent' | 'skipped'> {
  const { consultationId, subscription, ...mail } = job;
  if (consultationId) {
    const row = await findConsultationRow(deps.db, consultationId);
    if (!row || isFinalState(row.state)) return 'skipped';
  }
  if (subscription && !(await subscriptionExists(deps.db, subscription.id, subscription.councilId))) return 'skipped';
  await deps.mailer.send(mail);
  return 'sent';
}

export interface ReminderDeps {
  db: Db;
  clock: Clock;
  /** sessionSecret keys the one-click unsubscribe links (unsubscribe.ts). */
  config: Pick<Config, 'publicUrl' | 'port' | 'sessionSecret'>;
}

/**
 * The reminder threshold (working days before the deadline) that is due now, or undefined.
 * Only the tightest threshold reached counts: a consultation registered 2 working days before its
 * deadline gets the 3-day reminder, not the 10-day one as well. After the deadline nothing is due.
 */
export function dueDeadlineThreshold(deadline: Date, now: Date, thresholds: readonly number[]): number | undefined {
  if (deadline.getTime() <= now.getTime()) return undefined;
  const left = workingDaysBetween(danishDate(now), danishDate(deadline));
  const reached = thresholds.filter((t) => Number.isInteger(t) && t >= 0 && left <= t);
  return reached.length > 0 ? Math.min(...reached) : undefined;
}

/** True when approval was asked for more than APPROVAL_WAIT_WORKING_DAYS working days ago (Danish dates). */
export function approvalOverdue(requestedAt: Date, now: Date): boolean {
  return workingDaysBetween(danishDate(requestedAt), danishDate(now)) > APPROVAL_WAIT_WORKING_DAYS;
}

/**
 * The reminders due at `deps.clock()`: deadline reminders to the assignee and the chairs at the
 * council's thresholds, and approval reminders to the chairs; never for closed consultations,
 * never to disabled users or to someone who switched reminders off for that council. Does not
 * check what was already sent: {@link runReminders} does, atomically.
 */
export async function planReminders(deps: ReminderDeps): Promise<PlannedReminder[]> {
  const now = deps.clock();
  const base = publicBaseUrl(deps.config);
  const [deadlineRows, approvalRows] = await Promise.all([
    listDeadlineReminderCandidates(deps.db, now, new Date(now.getTime() + LOOK_AHEAD_DAYS * 86_400_000)),
    listApprovalReminderCandidates(deps.db),
  ]);
  const dueDeadlines = deadlineRows
    .map((row) => ({ row, threshold: dueDeadlineThreshold(row.deadline, now, row.reminderWorkingDays) }))
    .filter((d): d is { row: (typeof deadlineRows)[number]; threshold: number } => d.threshold !== undefined);
  const dueApprovals = approvalRows.filter((row) => approvalOverdue(row.requestedAt, now));

  const councilIds = [...new Set([...dueDeadlines.map((d) => d.row.councilId), ...dueApprovals.map((r) => r.councilId)])];
  const assigneeIds = [...new Set(dueDeadlines.flatMap((d) => (d.row.assigneeId === null ? [] : [d.row.assigneeId])))];
  const [chairs, assignees] = await Promise.all([listChairsOf(deps.db, councilIds), listActiveUsersById(deps.db, assigneeIds)]);
  const optOuts = new Set(
    (await listOptOuts(deps.db, [...new Set([...chairs.map((c) => c.id), ...assignees.map((a) => a.id)])])).map(
      (o) => `${o.user_id}:${o.council_id}`,
    ),
  );
  const wants = (userId: number, councilId: number) => !optOuts.has(`${userId}:${councilId}`);

  const planned: PlannedReminder[] = [];
  for (const { row, threshold } of dueDeadlines) {
    const recipients = new Map<number, { email: string; name: string; why: string }>();
    for (const chair of chairs.filter((c) => c.councilId === row.councilId)) {
      recipients.set(chair.id, { email: chair.email, name: chair.name, why: 'formand for rådet' });
    }
    const assignee = assignees.find((a) => a.id === row.assigneeId);
    if (assignee) recipients.set(assignee.id, { email: assignee.email, name: assignee.name, why: 'ansvarlig for høringen' });
    const left = workingDaysBetween(danishDate(now), danishDate(row.deadline));
    const when = left === 0 ? 'er i dag' : `er om ${left} ${left === 1 ? 'arbejdsdag' : 'arbejdsdage'}`;
    for (const [userId, person] of recipients) {
      if (!wants(userId, row.councilId)) continue;
      planned.push({
        consultationId: row.id,
        userId,
        kind: 'deadline',
        threshold,
        occasion: row.deadline.toISOString(),
        mail: reminderMail('reminder-deadline', deps.config, userId, row.councilId, {
          to: person.email,
          subject: `Påmindelse: høringsfristen ${when} – ${row.title}`,
          values: {
            name: person.name,
            title: row.title,
            councilName: row.councilName,
            when,
            deadline: formatDanishDateTime(row.deadline),
            consultationUrl: `${base}/consultations/${row.id}`,
            why: person.why,
          },
        }),
      });
    }
  }
  for (const row of dueApprovals) {
    for (const chair of chairs.filter((c) => c.councilId === row.councilId)) {
      if (!wants(chair.id, row.councilId)) continue;
      planned.push({
        consultationId: row.id,
        userId: chair.id,
        kind: 'approval',
        threshold: APPROVAL_WAIT_WORKING_DAYS,
        occasion: String(row.eventId),
        mail: reminderMail('reminder-approval', deps.config, chair.id, row.councilId, {
          to: chair.email,
          subject: `Afventer din godkendelse: ${row.title}`,
          values: {
            name: chair.name,
            title: row.title,
            councilName: row.councilName,
            requestedAt: formatDanishDate(row.requestedAt),
            deadline: formatDanishDateTime(row.deadline),
            consultationUrl: `${base}/consultations/${row.id}`,
            why: 'formand for rådet',
          },
        }),
      });
    }
  }
  return planned;
}

/**
 * A reminder mail to one user about one council: automatic (Auto-Submitted), with the one-click
 * List-Unsubscribe that switches that council's reminders off for that user, and the same link
 * and the profile in its footer.
 */
function reminderMail(
  kind: 'reminder-deadline' | 'reminder-approval',
  config: ReminderDeps['config'],
  userId: number,
  councilId: number,
  mail: { to: string; subject: string; values: Record<string, unknown> },
): MailMessage {
  const unsubscribe = unsubscribeUrl(config, userId, councilId);
  return composeMail(
    kind,
    { to: mail.to, subject: mail.subject, automatic: true, unsubscribeUrl: unsubscribe },
    { ...mail.values, unsubscribeUrl: unsubscribe, profileUrl: `${publicBaseUrl(config)}/profile` },
  );
}

/**
 * The reminder job: plans the due reminders and, for each, in one transaction claims its row in
 * `sent_reminders` and queues its mail. A reminder another process (or an earlier run) already
 * claimed is skipped, so each goes out exactly once; the mail job retries until it is delivered.
 * Returns how many mails were queued.
 */
export async function runReminders(deps: ReminderDeps & { jobs: Jobs }): Promise<number> {
  const planned = await planReminders(deps);
  let queued = 0;
  for (const reminder of planned) {
    const claimed = await deps.db.transaction().execute(async (tx) => {
      if (!(await claimReminder(tx, reminder))) return false;
      const job: ReminderMailJob = { ...reminder.mail, consultationId: reminder.consultationId };
      await deps.jobs.enqueue(QUEUES.mail, job, { tx });
      return true;
    });
    if (claimed) queued += 1;
  }
  return queued;
}
