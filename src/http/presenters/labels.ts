import type { DeadlineStatus } from '../../domain/deadlines/status.ts';

/** Danish names of the workflow states (defined with the domain, which the PDFs need them in). */
export { STATE_LABELS } from '../../domain/consultations/labels.ts';

/** Danish names of the events, as buttons and timeline entries. */
export const EVENT_LABELS: Record<string, string> = {
  REGISTERED: 'Registreret',
  ASSIGN: 'Fordel til råd',
  START_DRAFTING: 'Påbegynd udkast',
  SAVE_DRAFT: 'Udkast gemt',
  SUBMIT_FOR_APPROVAL: 'Send til godkendelse',
  REQUEST_CHANGES: 'Send tilbage med kommentarer',
  APPROVE: 'Godkend',
  SUBMIT: 'Registrér indsendelse',
  DECLINE: 'Afstå fra at svare',
  WITHDRAW: 'Træk tilbage',
  EXTEND_DEADLINE: 'Forlæng fristen',
  START_WRITTEN_PROCEDURE: 'Start skriftlig procedure',
  CAST_VOTE: 'Stemme afgivet',
  CLOSE_WRITTEN_PROCEDURE: 'Skriftlig procedure afsluttet',
  CANCEL_WRITTEN_PROCEDURE: 'Skriftlig procedure afbrudt',
  MAIL_DELIVERED: 'Sendt med e-mail til myndigheden',
  MAIL_FAILED: 'E-mail til myndigheden kunne ikke sendes',
  MEETING_NOTED: 'Taget til efterretning på rådets møde',
  PUBLISHED: 'Offentliggjort på rådets side',
  UNPUBLISHED: 'Taget af rådets offentlige side',
  MARKED_NOT_PUBLIC: 'Markeret som ikke offentligt',
  MARKED_PUBLIC: 'Markeret som offentligt',
  OUTCOME_RECORDED: 'Udfald registreret',
  CONFIRM_INTAKE: 'Modtaget høring bekræftet',
};

/** Danish words for a written-procedure vote, as the choices and the counts say them. */
export const VOTE_LABELS: Record<string, string> = {
  agree: 'For',
  disagree: 'Imod',
  abstain: 'Hverken for eller imod',
};

/** Danish words for where a written procedure is: running, or how it ended. */
export const WRITTEN_PROCEDURE_STATUS_LABELS: Record<string, string> = {
  running: 'Afstemningen er i gang',
  approved: 'Udkastet er godkendt ved skriftlig procedure',
  not_approved: 'Udkastet blev ikke godkendt og er sendt tilbage til sekretæren',
  cancelled: 'Den skriftlige procedure er afbrudt',
};

/**
 * The deadline's status in words, so it is never told by colour alone: calendar days left, with
 * the working days among them beside them, e.g. "3 dage tilbage (1 arbejdsdag)".
 */
export function deadlineText(status: DeadlineStatus, daysLeft: number, workingDaysLeft: number | null): string {
  if (status === 'closed') return 'Afsluttet';
  if (status === 'overdue') return daysLeft === 0 ? 'Overskredet i dag' : `Overskredet for ${-daysLeft} ${-daysLeft === 1 ? 'dag' : 'dage'} siden`;
  if (daysLeft === 0) return 'Frist i dag';
  const working = workingDaysLeft === null ? '' : ` (${workingDaysLeft} ${workingDaysLeft === 1 ? 'arbejdsdag' : 'arbejdsdage'})`;
  const days = `${daysLeft} ${daysLeft === 1 ? 'dag' : 'dage'} tilbage${working}`;
  return status === 'due_soon' ? `Snart: ${days}` : days;
}
