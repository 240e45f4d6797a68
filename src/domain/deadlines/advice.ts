import { DateTime } from 'luxon';
import { ZONE, danishDate, formatDanishDate, formatDanishDateTime } from '../time.ts';
import { addWorkingDays, subtractWorkingDays } from './status.ts';

/**
 * What to do about a deadline, given when the council next meets.
 *
 * The councils meet only a few times a year and are often consulted late, so the question the
 * secretary needs answered on arrival is: can this go on the agenda of a meeting before the
 * deadline, and if not, which way out (chair's decision, written procedure or an extension)?
 */

/** Working days between the agenda going out and the meeting, unless the council says otherwise. */
export const DEFAULT_AGENDA_LEAD_WORKING_DAYS = 5;

/** Working days after the next meeting we ask for, so the approved text can still be sent in. */
export const EXTENSION_WORKING_DAYS_AFTER_MEETING = 3;

/** Working days beyond the current deadline we propose when no meeting is planned at all. */
export const EXTENSION_WORKING_DAYS_WITHOUT_MEETING = 10;

export interface CouncilMeeting {
  startsAt: Date;
  place: string;
}

/** The ways out when no meeting falls before the deadline. */
export type NoMeetingOption = 'chair_decision' | 'written_procedure' | 'extension';

export const NO_MEETING_OPTIONS: readonly NoMeetingOption[] = ['chair_decision', 'written_procedure', 'extension'];

/** Danish labels for the options, for buttons and lists. */
export const NO_MEETING_OPTION_LABELS: Readonly<Record<NoMeetingOption, string>> = {
  chair_decision: 'Formandsbeslutning',
  written_procedure: 'Skriftlig procedure blandt medlemmerne',
  extension: 'Bed om fristforlængelse',
};

/** The consultation details a letter needs that the advice itself does not know. */
export interface ExtensionLetterDetails {
  councilName: string;
  authority: string;
  title: string;
  authorityReference: string | null;
  signerName?: string;
}

export type DeadlineAdvice =
  | {
      kind: 'meeting';
      /** The first meeting after now that starts on or before the deadline. */
      meeting: CouncilMeeting;
      /** Calendar date (YYYY-MM-DD, Danish time) by which the draft must be ready to go out with the agenda. */
      draftReadyBy: string;
      /** True when `draftReadyBy` has already passed: the meeting is still in time, but only just. */
      tight: boolean;
      text: string;
    }
  | {
      kind: 'no_meeting';
      /** The next meeting after now (which is after the deadline), or null when none is planned. */
      nextMeeting: CouncilMeeting | null;
      options: readonly NoMeetingOption[];
      /** The deadline we would ask for in an extension letter. */
      proposedDeadline: Date;
      text: string;
      /** A ready letter asking the authority for `proposedDeadline`. */
      extensionLetter: (details: ExtensionLetterDetails) => string;
    }
  | {
      kind: 'overdue';
      nextMeeting: CouncilMeeting | null;
      text: string;
    };

/**
 * Compares a deadline with the council's meetings and says what the secretary should do.
 *
 * - `meeting`: a meeting starts after `now` and on or before the deadline; the draft must be ready
 *   `agendaLeadWorkingDays` working days before it (Danish holidays skipped), because it goes out
 *   with the agenda. `tight` when that date has already passed.
 * - `no_meeting`: the next meeting (if any) is after the deadline; offers a chair's decision, a
 *   written procedure or an extension, with a ready extension letter.
 * - `overdue`: the deadline has passed.
 *
 * Meetings may be given in any order; meetings at or before `now` are ignored.
 */
export function adviseOnDeadline(input: { deadline: Date; now: Date; meetings: CouncilMeeting[]; agendaLeadWorkingDays?: number }): DeadlineAdvice {
  const { deadline, now } = input;
  const lead = input.agendaLeadWorkingDays ?? DEFAULT_AGENDA_LEAD_WORKING_DAYS;
  if (!Number.isInteger(lead) || lead < 0) {
    throw new RangeError(`agendaLeadWorkingDays must be a whole number ≥ 0, got ${lead}`);
  }
  const upcoming = input.meetings.filter((m) => m.startsAt.getTime() > now.getTime()).sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
  const nextMeeting = upcoming[0] ?? null;

  // Same rule as deadlineStatus: overdue once the instant has passed.
  if (deadline.getTime() < now.getTime()) {
    return {
      kind: 'overdue',
      nextMeeting,
      text:
        `Høringsfristen udløb ${formatDanishDateTime(deadline)}. ` +
        'Kontakt høringsmyndigheden og spørg, om rådets svar stadig kan komme med, ' +
        'eller registrér, at rådet ikke afgiver svar.',
    };
  }

  if (nextMeeting && nextMeeting.startsAt.getTime() <= deadline.getTime()) {
    const draftReadyBy = subtractWorkingDays(danishDate(nextMeeting.startsAt), lead);
    const tight = draftReadyBy < danishDate(now);
    const meetingText = `Rådet mødes ${formatDanishDateTime(nextMeeting.startsAt)}${placeSuffix(nextMeeting)}.`;
    const text = tight
      ? `${meetingText} Det er stramt: udkastet skulle have været klar ${formatDanishDate(draftReadyBy)} ` +
        'for at kunne sendes ud med dagsordenen. Sæt høringen på dagsordenen, og eftersend udkastet ' +
        'til medlemmerne hurtigst muligt.'
      : `${meetingText} Sæt høringen på dagsordenen; udkastet skal være klar senest ` +
        `${formatDanishDate(draftReadyBy)}, så det kan sendes ud med dagsordenen.`;
    return { kind: 'meeting', meeting: nextMeeting, draftReadyBy, tight, text };
  }

  const proposedDeadline = proposeExtendedDeadline(deadline, nextMeeting?.startsAt ?? null);
  const situation = nextMeeting
    ? `Rådets næste møde er ${formatDanishDateTime(nextMeeting.startsAt)}${placeSuffix(nextMeeting)}, ` +
      `efter høringsfristen ${formatDanishDateTime(deadline)}.`
    : `Rådet har ikke noget møde planlagt før høringsfristen ${formatDanishDateTime(deadline)}.`;
  return {
    kind: 'no_meeting',
    nextMeeting,
    options: NO_MEETING_OPTIONS,
    proposedDeadline,
    text:
      `${situation} Vælg en af tre veje: formandsbeslutning (formanden godkender svaret alene), ` +
      'skriftlig procedure blandt medlemmerne (udkastet sendes ud med en svarfrist), ' +
      `eller bed høringsmyndigheden om fristforlængelse til ${formatDanishDate(proposedDeadline)}.`,
    extensionLetter: (details) => extensionLetterText({ ...details, deadline, nextMeeting: nextMeeting?.startsAt ?? null }),
  };
}

/**
 * The deadline to ask for: a few working days after the next meeting (so the text approved there
 * can still be sent in), or, with no meeting planned, 10 working days after the current deadline.
 * Keeps the current deadline's time of day, since authorities usually work to a fixed hour.
 * Never earlier than the current deadline.
 */
export function proposeExtendedDeadline(deadline: Date, nextMeeting: Date | null): Date {
  const base = nextMeeting && nextMeeting.getTime() > deadline.getTime() ? nextMeeting : null;
  const days = base ? EXTENSION_WORKING_DAYS_AFTER_MEETING : EXTENSION_WORKING_DAYS_WITHOUT_MEETING;
  const date = addWorkingDays(danishDate(base ?? deadline), days);
  const time = DateTime.fromJSDate(deadline, { zone: ZONE });
  return DateTime.fromISO(date, { zone: ZONE }).set({ hour: time.hour, minute: time.minute, second: 0, millisecond: 0 }).toJSDate();
}

/**
 * A ready, polite Danish letter asking the authority to extend the deadline, explaining that the
 * council is made up of volunteers who meet only a few times a year. Proposes the date from
 * `proposeExtendedDeadline`. Plain text, lines separated by "\n"; the letterhead and date are added
 * by whatever sends it.
 */
export function extensionLetterText(input: {
  councilName: string;
  authority: string;
  title: string;
  authorityReference: string | null;
  deadline: Date;
  nextMeeting: Date | null;
  signerName?: string;
}): string {
  const proposed = proposeExtendedDeadline(input.deadline, input.nextMeeting);
  const reference = input.authorityReference?.trim();
  const meetingSentence = input.nextMeeting
    ? `Rådets næste møde er ${formatDanishDate(input.nextMeeting)}, efter den nuværende frist.`
    : 'Rådet har endnu ikke et møde planlagt inden den nuværende frist.';
  const lines = [
    `Til ${input.authority}`,
    '',
    `Anmodning om fristforlængelse – høring vedr. ${input.title}`,
    ...(reference ? [`Jeres reference: ${reference}`] : []),
    '',
    `${input.councilName} takker for muligheden for at afgive høringssvar vedr. ${input.title}.`,
    '',
    `Høringsfristen er ${formatDanishDateTime(input.deadline)}. Rådet består af frivillige medlemmer og ` +
      `mødes kun få gange om året, og høringssvar behandles på rådets møder. ${meetingSentence}`,
    '',
    `Vi beder derfor venligst om, at fristen for rådets høringssvar forlænges til ` +
      `${formatDanishDateTime(proposed)}, så rådet kan drøfte høringen og give et samlet svar.`,
    '',
    'Hvis en forlængelse ikke er mulig, vil vi sætte pris på en kort besked hurtigst muligt, ' +
      'så vi kan nå at afgive svar inden den nuværende frist.',
    '',
    'Med venlig hilsen',
    '',
    ...(input.signerName?.trim() ? [`På vegne af ${input.councilName}`, input.signerName.trim()] : [input.councilName]),
  ];
  return lines.join('\n');
}

function placeSuffix(meeting: CouncilMeeting): string {
  const place = meeting.place.trim();
  return place ? ` (${place})` : '';
}
