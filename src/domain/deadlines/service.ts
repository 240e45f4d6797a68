import type { Db } from '../../db/database.ts';
import { findCouncilById } from '../../db/repositories/councils.ts';
import { listMeetings } from '../../db/repositories/meetings.ts';
import type { Actor } from '../access/actor.ts';
import type { ConsultationView } from '../consultations/service.ts';
import type { Clock } from '../time.ts';
import { adviseOnDeadline, type DeadlineAdvice } from './advice.ts';

/** The advice for one consultation, and the extension letter when the actor may ask for one. */
export interface ConsultationAdvice {
  advice: DeadlineAdvice;
  /** The ready letter text, when there is no meeting in time and the actor may extend the deadline. */
  extensionLetter: string | null;
}

/**
 * Compares a consultation's deadline with its council's next meetings (see adviseOnDeadline).
 * Null when there is nothing to advise: no council yet, or the consultation is closed. The caller
 * has already checked that the actor may see the consultation.
 */
export async function adviceForConsultation(
  deps: { db: Db; clock: Clock },
  actor: Actor,
  consultation: Pick<ConsultationView, 'council' | 'deadline' | 'deadlineStatus' | 'allowedEvents' | 'authority' | 'title' | 'authorityReference'>,
): Promise<ConsultationAdvice | null> {
  if (!consultation.council || consultation.deadlineStatus === 'closed') return null;
  const now = deps.clock();
  const [council, meetings] = await Promise.all([
    findCouncilById(deps.db, consultation.council.id),
    listMeetings(deps.db, consultation.council.id, now),
  ]);
  const advice = adviseOnDeadline({
    deadline: consultation.deadline,
    now,
    meetings: meetings.map((m) => ({ startsAt: m.starts_at, place: m.place })),
  });
  const extensionLetter =
    advice.kind === 'no_meeting' && consultation.allowedEvents.includes('EXTEND_DEADLINE')
      ? advice.extensionLetter({
          councilName: council?.name ?? consultation.council.name,
          authority: consultation.authority,
          title: consultation.title,
          authorityReference: consultation.authorityReference,
          signerName: actor.name,
        })
      : null;
  return { advice, extensionLetter };
}
