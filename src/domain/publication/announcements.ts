import type { Db } from '../../db/database.ts';
import {
  claimAnnouncement,
  listConfirmedSubscribers,
  listUnannouncedMinutes,
  listUnannouncedResponses,
} from '../../db/repositories/subscriptions.ts';
import { QUEUES, type Jobs } from '../jobs/jobs.ts';
import { composeMail } from '../mail/templates.ts';
import type { ReminderMailJob } from '../reminders/service.ts';
import { publicBaseUrl } from '../public-url.ts';
import { formatDanishDate, type Clock } from '../time.ts';
import { subscriptionUnsubscribeUrl, type SubscriptionDeps } from './subscriptions.ts';

/**
 * Items published longer ago than this are not announced: the job runs every 15 minutes, so this
 * only matters after a long stop, or when a council starts publishing its minutes (its old minutes
 * are on the page, not in anyone's inbox).
 */
export const ANNOUNCE_WITHIN_MS = 2 * 24 * 60 * 60 * 1000;

export interface AnnouncementDeps {
  db: Db;
  clock: Clock;
  jobs: Jobs;
  config: SubscriptionDeps['config'];
}

/** One published item, as its announcement says it. */
interface Announcement {
  key: string;
  councilId: number;
  councilSlug: string;
  councilName: string;
  publishedAt: Date;
  subject: string;
  values: Record<string, unknown>;
}

/**
 * Mails the council's subscribers about what it published since the last run: each response
 * still published and each set of minutes, to each address confirmed by the time it was
 * published, once. The claim (a public_announcements row) and the mail jobs are written in one
 * transaction, so two processes or two runs never mail an item twice. Only what the public page
 * shows is in the mail: title, authority, dates and links. Run by the reminders job; returns the
 * mails queued.
 */
export async function runPublicationAnnouncements(deps: AnnouncementDeps): Promise<number> {
  const since = new Date(deps.clock().getTime() - ANNOUNCE_WITHIN_MS);
  const base = publicBaseUrl(deps.config);
  const pageUrl = (slug: string) => `${base}/r/${encodeURIComponent(slug)}`;
  const [responses, minutes] = await Promise.all([listUnannouncedResponses(deps.db, since), listUnannouncedMinutes(deps.db, since)]);
  const items: Announcement[] = [
    ...responses.map((r) => ({
      key: `response:${r.id}`,
      councilId: r.councilId,
      councilSlug: r.councilSlug,
      councilName: r.councilName,
      publishedAt: r.publishedAt,
      subject: `Nyt høringssvar fra ${r.councilName}: ${r.title}`,
      values: {
        minutes: false,
        title: r.title,
        authority: r.authority,
        submittedOn: r.submittedAt ? formatDanishDate(r.submittedAt) : null,
        itemUrl: `${pageUrl(r.councilSlug)}/svar/${r.id}.pdf`,
      },
    })),
    ...minutes.map((m) => ({
      key: `minutes:${m.id}`,
      councilId: m.councilId,
      councilSlug: m.councilSlug,
      councilName: m.councilName,
      publishedAt: m.archivedAt,
      subject: `Referat fra ${m.councilName}: mødet ${formatDanishDate(m.startsAt)}`,
      values: { minutes: true, meetingDate: formatDanishDate(m.startsAt), itemUrl: `${pageUrl(m.councilSlug)}/referater/${m.meetingId}.pdf` },
    })),
  ];
  let queued = 0;
  for (const item of items) {
    queued += await deps.db.transaction().execute(async (tx) => {
      const subscribers = await listConfirmedSubscribers(tx, item.councilId, item.publishedAt);
      if (!(await claimAnnouncement(tx, item.key, item.councilId, subscribers.length))) return 0;
      for (const subscriber of subscribers) {
        const unsubscribeUrl = subscriptionUnsubscribeUrl(deps.config, subscriber.id, item.councilId);
        const mail = composeMail(
          'publication',
          { to: subscriber.email, subject: item.subject, automatic: true, unsubscribeUrl },
          { ...item.values, councilName: item.councilName, pageUrl: pageUrl(item.councilSlug), unsubscribeUrl },
        );
        const job: ReminderMailJob = { ...mail, subscription: { id: subscriber.id, councilId: item.councilId } };
        await deps.jobs.enqueue(QUEUES.mail, job, { tx });
      }
      return subscribers.length;
    });
  }
  return queued;
}
