import type { ConsultationAdvice } from '../../domain/deadlines/service.ts';
import { NO_MEETING_OPTION_LABELS } from '../../domain/deadlines/advice.ts';
import { formatDanishDate, formatDanishDateTime, toDanishIso } from '../../domain/time.ts';

/** What views/partials/deadline-advice.hbs shows. */
export interface DeadlineAdviceView {
  kind: 'meeting' | 'no_meeting' | 'overdue';
  heading: string;
  text: string;
  /** alert-info, or alert-error when time is short or gone. */
  tone: 'info' | 'error';
  options: string[];
  proposedDeadline: string | null;
  /** Value for the EXTEND_DEADLINE form's date-time field (Danish local time, minutes). */
  proposedDeadlineInput: string | null;
  extensionLetter: string | null;
}

/** The advice in the words and shape the consultation page shows; null shows nothing. */
export function presentDeadlineAdvice(advice: ConsultationAdvice | null): DeadlineAdviceView | null {
  if (!advice) return null;
  const a = advice.advice;
  switch (a.kind) {
    case 'meeting':
      return {
        kind: a.kind,
        heading: a.tight ? 'Mødet er lige i tide' : `Sæt høringen på mødet ${formatDanishDate(a.meeting.startsAt)}`,
        text: a.text,
        tone: a.tight ? 'error' : 'info',
        options: [],
        proposedDeadline: null,
        proposedDeadlineInput: null,
        extensionLetter: null,
      };
    case 'no_meeting':
      return {
        kind: a.kind,
        heading: 'Intet møde før fristen',
        text: a.text,
        tone: 'error',
        options: a.options.map((o) => NO_MEETING_OPTION_LABELS[o]),
        proposedDeadline: formatDanishDateTime(a.proposedDeadline),
        proposedDeadlineInput: toDanishIso(a.proposedDeadline).slice(0, 16),
        extensionLetter: advice.extensionLetter,
      };
    case 'overdue':
      return {
        kind: a.kind,
        heading: 'Fristen er overskredet',
        text: a.text,
        tone: 'error',
        options: [],
        proposedDeadline: null,
        proposedDeadlineInput: null,
        extensionLetter: null,
      };
  }
}
