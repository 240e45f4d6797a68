import type { Actor } from '../access/actor.ts';
import type { ConsultationView } from '../consultations/service.ts';
import { adviseOnDeadline, type DeadlineAdvice } from './advice.ts';

/** The advice for one consultation, and the extension letter when the actor may ask for one. */
export interface ConsultationAdvice {
  advice: DeadlineAdvice;
  /** The ready letter text, when there is no meeting in time and the actor may extend the deadline. */
  extensionLetter: string | null;
}

/**
 * Compares a consultation's deadline with its council's next meetings (see adviseOnDeadline), as
 * the caller read them with the consultation. Null when there is nothing to advise: no council
 * yet, or the consultation is closed (see needsDeadlineAdvice). The caller has already checked that
 * the actor may see the consultation.
 */
export function adviceForConsultation(
  actor: Actor,
  consultation: Pick<
    ConsultationView,
    'council' | 'deadline' | 'deadlineStatus' | 'state' | 'allowedEvents' | 'authority' | 'title' | 'authorityReference'
  >,
  meetings: { starts_at: Date; place: string }[],
  now: Date,
): ConsultationAdvice | null {
  if (!needsDeadlineAdvice(consultation) || !consultation.council) return null;
  const advice = adviseOnDeadline({
    deadline: consultation.deadline,
    now,
    meetings: meetings.map((m) => ({ startsAt: m.starts_at, place: m.place })),
  });
  const extensionLetter =
    advice.kind === 'no_meeting' && consultation.allowedEvents.includes('EXTEND_DEADLINE')
      ? advice.extensionLetter({
          councilName: consultation.council.name,
          authority: consultation.authority,
          title: consultation.title,
          authorityReference: consultation.authorityReference,
          signerName: actor.name,
        })
      : null;
  return { advice, extensionLetter };
}

/**
 * True when a consultation gets deadline advice: it has a council, is still open, and the council
 * is not deciding on it by written procedure right now (the advice is how to get a decision in time).
 */
export function needsDeadlineAdvice(consultation: Pick<ConsultationView, 'council' | 'deadlineStatus' | 'state'>): boolean {
  return consultation.council !== null && consultation.deadlineStatus !== 'closed' && consultation.state !== 'written_procedure';
}
