import { DateTime } from 'luxon';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/database.ts';
import { claimTermReminder, listEndingTerms, listPeopleWithTermEnd, listTermReminderRecipients } from '../../db/repositories/term-reminders.ts';
import { QUEUES, type Jobs } from '../jobs/jobs.ts';
import { composeMail } from '../mail/templates.ts';
import { publicBaseUrl } from '../public-url.ts';
import { danishDate, formatDanishDate, ZONE, type Clock } from '../time.ts';
import { ROLE_LABELS } from '../users/service.ts';

/** Days before a council's terms end that its secretaries and the administrators are told. */
export const TERM_REMINDER_DAYS = 30;

export interface TermReminderDeps {
  db: Db;
  clock: Clock;
  jobs: Jobs;
  config: Pick<Config, 'publicUrl' | 'port'>;
}

/**
 * Queues the "valgperioden slutter" mail for every council whose sitting members have a term
 * ending within {@link TERM_REMINDER_DAYS} days: to its secretaries and every administrator, once
 * per (council, term end) across processes and runs — the claim (a term_reminders row) and the
 * mail jobs are written in one transaction. Run by the reminders job. Returns the mails queued.
 */
export async function runTermReminders(deps: TermReminderDeps): Promise<number> {
  const now = deps.clock();
  const today = danishDate(now);
  const horizon = DateTime.fromISO(today, { zone: ZONE }).plus({ days: TERM_REMINDER_DAYS }).toISODate()!;
  const base = publicBaseUrl(deps.config);
  let queued = 0;
  for (const term of await listEndingTerms(deps.db, today, horizon)) {
    queued += await deps.db.transaction().execute(async (tx) => {
      if (!(await claimTermReminder(tx, term.councilId, term.termEnd))) return 0;
      const people = await listPeopleWithTermEnd(tx, term.councilId, term.termEnd);
      const recipients = await listTermReminderRecipients(tx, term.councilId);
      const termEnd = formatDanishDate(term.termEnd);
      const subject = `Valgperioden i ${term.name} slutter ${termEnd}`;
      const names = people.map((p) => `${p.name} (${ROLE_LABELS[p.role].toLowerCase()})`).join(', ');
      for (const recipient of recipients) {
        const mail = composeMail(
          'term-ending',
          { to: recipient.email, subject, automatic: true },
          {
            name: recipient.name,
            councilName: term.name,
            termEnd,
            count: people.length === 1 ? '1 person' : `${people.length} personer`,
            people: names,
            handoverUrl: `${base}/councils/${encodeURIComponent(term.slug)}/handover`,
            adminUrl: recipient.isAdmin ? `${base}/admin/councils/${term.councilId}#medlemmer` : null,
          },
        );
        await deps.jobs.enqueue(QUEUES.mail, mail, { tx });
      }
      return recipients.length;
    });
  }
  return queued;
}
