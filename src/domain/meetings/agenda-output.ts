import type { Config } from '../../config.ts';
import type { Db } from '../../db/database.ts';
import {
  claimAgendaChangeNote,
  claimAgendaMail,
  findCouncilMeeting,
  findMeetingById,
  listAgendaRecipients,
  listMeetingsForAgendaMail,
  lockCouncilMeeting,
} from '../../db/repositories/agenda.ts';
import { findCouncilById, findCouncilBySlug } from '../../db/repositories/councils.ts';
import type { Council, Meeting } from '../../db/types.ts';
import type { Logger } from '../../logger.ts';
import type { Actor } from '../access/actor.ts';
import { subtractWorkingDays } from '../deadlines/status.ts';
import { AppError, notFound } from '../errors.ts';
import { QUEUES, type Jobs } from '../jobs/jobs.ts';
import type { Mailer } from '../mail/mailer.ts';
import { composeMail } from '../mail/templates.ts';
import { renderAgendaPdf, type AgendaPdfData } from '../pdf/agenda.ts';
import { councilLogoDataUri } from '../pdf/letter.ts';
import { previewRenderFailure, type PdfRenderer } from '../pdf/renderer.ts';
import { publicBaseUrl } from '../public-url.ts';
import { danishDate, formatDanishDate, formatDanishDateTime, type Clock } from '../time.ts';
import { agendaTitle, agendaView, getAgenda, mayActorPrepareAgenda, mayActorReadAgenda, refreshMeetingAgenda, type AgendaView } from './agenda.ts';

/**
 * The agenda as a PDF in the council's letterhead, and its mailing to the council's secretary,
 * chair and members: once, a number of working days before the meeting (the council's
 * `agenda_working_days`), and a short note when it changed after that.
 *
 * Exactly once across processes: the mailing is claimed by setting `meetings.agenda_sent_at` in
 * a transaction that also queues one mail job per recipient (the claim and the jobs exist
 * together or not at all; a second process's claim waits on the row lock and then finds it set).
 * The change note is claimed the same way by clearing `agenda_changed_at`.
 */

export interface AgendaOutputDeps {
  db: Db;
  clock: Clock;
  pdf: PdfRenderer;
  logger: Pick<Logger, 'error' | 'info' | 'warn'>;
}

export interface AgendaMailDeps extends AgendaOutputDeps {
  jobs: Jobs;
  mailer: Mailer;
  config: Pick<Config, 'publicUrl' | 'port'>;
}

/** The council's letterhead as a meeting document (agenda, minutes) shows it. */
export function meetingLetterhead(council: Council): AgendaPdfData['council'] {
  return {
    name: council.name,
    address: council.letterhead_address,
    contact: council.letterhead_contact,
    logoDataUri: councilLogoDataUri(council),
  };
}

/** The PDF's data from an agenda view, in the council's letterhead. */
function pdfData(council: Council, view: AgendaView, date: Date): AgendaPdfData {
  return {
    council: meetingLetterhead(council),
    title: agendaTitle(view.meeting),
    startsAt: view.meeting.startsAt,
    place: view.meeting.place,
    note: view.meeting.note,
    date,
    items: view.items.map((item) => ({
      number: item.number,
      kind: item.kind,
      title: item.title,
      bodyMarkdown: item.bodyMarkdown,
      consultation: item.consultation,
    })),
  };
}

/** "dagsorden-2026-03-12.pdf" */
export function agendaFileName(meeting: { startsAt: Date }): string {
  return `dagsorden-${danishDate(meeting.startsAt)}.pdf`;
}

/**
 * The agenda PDF for a reader of the council (staff get it without the drafts, as on the page);
 * NOT_FOUND for anyone else. A preview-priority render: TOO_MANY_REQUESTS or RENDER_FAILED (with
 * `retryAfterSeconds`) when the renderer is busy.
 */
export async function agendaPdf(deps: AgendaOutputDeps, actor: Actor, slug: string, meetingId: number): Promise<{ pdf: Buffer; fileName: string }> {
  const view = await getAgenda(deps, actor, slug, meetingId);
  const council = (await findCouncilById(deps.db, view.council.id))!;
  try {
    const pdf = await renderAgendaPdf(deps.pdf, pdfData(council, view, deps.clock()), { priority: 'preview', owner: actor.userId });
    return { pdf, fileName: agendaFileName(view.meeting) };
  } catch (error) {
    throw previewRenderFailure(
      error,
      deps.logger,
      { meetingId },
      {
        logMessage: 'PDF rendering of an agenda failed',
        userMessage: 'Dagsordenen kunne ikke vises som PDF lige nu. Prøv igen om lidt.',
      },
    );
  }
}

/** The day the agenda goes out: `workingDays` working days before the meeting's (Danish) date. */
export function agendaMailDate(startsAt: Date, workingDays: number): string {
  return workingDays > 0 ? subtractWorkingDays(danishDate(startsAt), workingDays) : danishDate(startsAt);
}

/** One queued agenda mail: the agenda (first mailing) or the change note, to one recipient. */
export interface AgendaMailJob {
  meetingId: number;
  userId: number;
  kind: 'agenda' | 'changed';
}

/**
 * Claims the first mailing of a meeting's agenda and queues its mails, in one transaction:
 * refreshes the agenda (so it holds every candidate at that moment), sets `agenda_sent_at`, and
 * queues one job per recipient. False when the agenda was mailed already (by another process, or
 * an earlier run), or the meeting has begun.
 */
export async function claimAndQueueAgenda(
  deps: Pick<AgendaMailDeps, 'db' | 'clock' | 'jobs'>,
  councilId: number,
  meetingId: number,
): Promise<boolean> {
  const now = deps.clock();
  return deps.db.transaction().execute(async (tx) => {
    const meeting = await lockCouncilMeeting(tx, councilId, meetingId);
    if (!meeting || meeting.starts_at.getTime() <= now.getTime()) return false;
    if (!(await claimAgendaMail(tx, meeting.id, now))) return false;
    await refreshMeetingAgenda(tx, meeting, now);
    for (const recipient of await listAgendaRecipients(tx, councilId)) {
      await deps.jobs.enqueue(QUEUES.agendaMail, { meetingId, userId: recipient.id, kind: 'agenda' } satisfies AgendaMailJob, { tx });
    }
    return true;
  });
}

/** Claims the change note of a mailed agenda and queues its mails; false when there is none to send. */
async function claimAndQueueChangeNote(deps: Pick<AgendaMailDeps, 'db' | 'jobs'>, councilId: number, meetingId: number): Promise<boolean> {
  return deps.db.transaction().execute(async (tx) => {
    if (!(await claimAgendaChangeNote(tx, meetingId))) return false;
    for (const recipient of await listAgendaRecipients(tx, councilId)) {
      await deps.jobs.enqueue(QUEUES.agendaMail, { meetingId, userId: recipient.id, kind: 'changed' } satisfies AgendaMailJob, { tx });
    }
    return true;
  });
}

/**
 * The agenda job (cron): for every meeting not yet begun, mails the agenda when its day has come
 * (see {@link agendaMailDate}) and it has not been mailed, or the change note when it changed
 * since. Safe to run in any number of processes at once. Returns how many of each were queued.
 */
export async function runAgendaMailing(deps: Pick<AgendaMailDeps, 'db' | 'clock' | 'jobs'>): Promise<{ agendas: number; changeNotes: number }> {
  const now = deps.clock();
  const today = danishDate(now);
  let agendas = 0;
  let changeNotes = 0;
  for (const meeting of await listMeetingsForAgendaMail(deps.db, now)) {
    if (meeting.agendaSentAt === null) {
      if (agendaMailDate(meeting.startsAt, meeting.agendaWorkingDays) <= today && (await claimAndQueueAgenda(deps, meeting.councilId, meeting.id))) {
        agendas += 1;
      }
    } else if (await claimAndQueueChangeNote(deps, meeting.councilId, meeting.id)) {
      changeNotes += 1;
    }
  }
  return { agendas, changeNotes };
}

/**
 * "Send dagsordenen nu": the secretary or chair mails the agenda before its day. CONFLICT when it
 * was mailed already (later changes go out as a change note by themselves).
 */
export async function sendAgendaNow(
  deps: Pick<AgendaMailDeps, 'db' | 'clock' | 'jobs'>,
  actor: Actor,
  slug: string,
  meetingId: number,
): Promise<void> {
  const council = await findCouncilBySlug(deps.db, slug);
  if (!council || !mayActorReadAgenda(actor, council.id)) throw notFound('Siden findes ikke');
  if (!mayActorPrepareAgenda(actor, council.id)) throw new AppError('FORBIDDEN', 'Kun rådets sekretær og formand kan sende dagsordenen');
  const meeting = await findCouncilMeeting(deps.db, council.id, meetingId);
  if (!meeting) throw notFound('Mødet findes ikke');
  if (!(await claimAndQueueAgenda(deps, council.id, meeting.id))) {
    throw new AppError('CONFLICT', meeting.starts_at.getTime() <= deps.clock().getTime() ? 'Mødet er begyndt' : 'Dagsordenen er allerede sendt');
  }
}

/**
 * Sends one queued agenda mail, with the agenda PDF as it is now. Skips (without error) a
 * recipient who left the council or was disabled, and a meeting that was deleted. Throws on a
 * failed render or send, so the job is tried again.
 */
export async function sendAgendaMail(deps: AgendaMailDeps, job: AgendaMailJob): Promise<'sent' | 'skipped'> {
  const meeting = await findMeetingById(deps.db, job.meetingId);
  const council = meeting ? await findCouncilById(deps.db, meeting.council_id) : undefined;
  if (!council || !meeting) return 'skipped';
  const recipient = (await listAgendaRecipients(deps.db, council.id)).find((r) => r.id === job.userId);
  if (!recipient) return 'skipped';
  const view = await agendaView(deps.db, council, meeting, null);
  const pdf = await renderAgendaPdf(deps.pdf, pdfData(council, view, deps.clock()), { priority: 'preview', owner: `agenda-${meeting.id}` });
  await deps.mailer.send(agendaMessage(deps.config, council, meeting, view, recipient, job.kind, pdf));
  return 'sent';
}

function agendaMessage(
  config: AgendaMailDeps['config'],
  council: Council,
  meeting: Meeting,
  view: AgendaView,
  recipient: { email: string; name: string },
  kind: AgendaMailJob['kind'],
  pdf: Buffer,
) {
  const when = formatDanishDateTime(meeting.starts_at);
  const agendaUrl = `${publicBaseUrl(config)}/councils/${encodeURIComponent(council.slug)}/meetings/${meeting.id}/agenda`;
  const subject =
    kind === 'agenda'
      ? `Dagsorden: ${council.name}, møde ${formatDanishDate(meeting.starts_at)}`
      : `Dagsordenen er ændret: ${council.name}, møde ${formatDanishDate(meeting.starts_at)}`;
  return composeMail(
    kind === 'agenda' ? 'agenda' : 'agenda-changed',
    {
      to: recipient.email,
      subject,
      automatic: true,
      replyTo: council.letterhead_email,
      attachments: [{ filename: agendaFileName(view.meeting), content: pdf, contentType: 'application/pdf' }],
    },
    {
      name: recipient.name,
      councilName: council.name,
      when,
      place: meeting.place,
      items: view.items.map((item) => `${item.number}. ${item.title}`),
      agendaUrl,
    },
  );
}
