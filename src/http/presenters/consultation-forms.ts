import type { ConsultationPage } from '../../domain/consultations/page.ts';
import type { AppError } from '../../domain/errors.ts';
import { EVENT_TYPES, type UserEventType } from '../../../workflows/consultation.machine.ts';
import { fieldErrors } from '../forms.ts';
import type { FormFailure } from '../form-failures.ts';

/**
 * The forms of the consultation page that can be refused: the draft, the comment, the vote, the
 * publication, the outcome, the confirmation of an arrived consultation and one per event.
 */
export type ConsultationForm = 'draft' | 'comment' | 'vote' | 'publication' | 'outcome' | 'intake' | UserEventType;

/** A field of a form as the page shows it: the id of its control, its label and, for a typed input, its type. */
interface ShownField {
  id: string;
  label: string;
  type?: 'date' | 'datetime-local' | 'email';
}

// A real calendar day as `yyyy-mm-dd` from year 1 (HTML's valid date string).
function isValidDate(value: string): boolean {
  const match = /^(\d{4,})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(2000, month - 1, day));
  date.setUTCFullYear(year);
  return year >= 1 && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

// The WHATWG "valid e-mail address" of an input of type email.
const HTML_EMAIL =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/**
 * Whether an input of `type` can hold `value`: a browser drops any other value of a date, date-time
 * or e-mail input (and the page would not be valid HTML), so such a value is quoted in the message.
 */
function fitsInput(type: ShownField['type'], value: string): boolean {
  if (value === '' || type === undefined) return true;
  if (type === 'email') return HTML_EMAIL.test(value);
  if (type === 'date') return isValidDate(value);
  const match = /^(.+)T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?$/.exec(value);
  return !!match && isValidDate(match[1]!) && Number(match[2]) < 24 && Number(match[3]) < 60 && Number(match[4] ?? 0) < 60;
}

// The controls of each form, by the field name the form sends; the summary links to them and the
// template gives each the message beside it. Forms with only hidden fields have none.
const FORM_FIELDS: Record<ConsultationForm, Record<string, ShownField>> = {
  draft: { body: { id: 'body', label: 'Udkast' } },
  comment: { body: { id: 'comment-body', label: 'Din kommentar' } },
  vote: { vote: { id: 'vote-agree', label: 'Din stemme' }, comment: { id: 'vote-comment', label: 'Kommentar til din stemme' } },
  publication: { public: { id: 'publication-yes', label: 'Offentligt' }, reason: { id: 'publication-reason', label: 'Hvorfor ikke offentligt' } },
  outcome: {
    outcome: { id: 'outcome-taken_into_account', label: 'Hvad kom der ud af svaret' },
    note: { id: 'outcome-note', label: 'Note' },
    url: { id: 'outcome-url', label: 'Link' },
  },
  intake: { deadline: { id: 'intake-deadline', label: 'Høringsfrist', type: 'datetime-local' } },
  ASSIGN: { council: { id: 'assign-council', label: 'Råd' }, assignee: { id: 'assign-assignee', label: 'Ansvarlig', type: 'email' } },
  START_DRAFTING: {},
  SUBMIT_FOR_APPROVAL: {},
  REQUEST_CHANGES: { comment: { id: 'comment', label: 'Kommentar til sekretæren' } },
  APPROVE: { basis: { id: 'basis-chair', label: 'Grundlag for godkendelsen' }, meetingDate: { id: 'meetingDate', label: 'Mødedato', type: 'date' } },
  SUBMIT: {
    channel: { id: 'channel', label: 'Sendt via' },
    recipient: { id: 'recipient', label: 'Modtager' },
    submittedAt: { id: 'submittedAt', label: 'Dato', type: 'date' },
    notPublicReason: { id: 'notPublicReason', label: 'Ikke offentligt, fordi' },
  },
  DECLINE: { reason: { id: 'decline-reason', label: 'Begrundelse' } },
  WITHDRAW: { reason: { id: 'withdraw-reason', label: 'Begrundelse' } },
  EXTEND_DEADLINE: { deadline: { id: 'new-deadline', label: 'Ny frist', type: 'datetime-local' }, note: { id: 'extension-note', label: 'Note' } },
  START_WRITTEN_PROCEDURE: {
    closesAt: { id: 'procedure-closes-at', label: 'Afstemningen slutter', type: 'datetime-local' },
    note: { id: 'procedure-note', label: 'Besked til rådet' },
  },
  CANCEL_WRITTEN_PROCEDURE: { reason: { id: 'procedure-cancel-reason', label: 'Begrundelse' } },
};

const SUMMARY_TITLES: Partial<Record<ConsultationForm, string>> = {
  draft: 'Udkastet er ikke gemt',
  comment: 'Kommentaren er ikke sendt',
  vote: 'Din stemme er ikke afgivet',
  publication: 'Offentligheden er ikke ændret',
  outcome: 'Udfaldet er ikke gemt',
  intake: 'Fristen er ikke bekræftet',
};

// Fields the page's forms carry hidden: the user cannot correct them, only send the form again.
const HIDDEN_FIELDS = new Set(['version', 'type']);

/** Which form a request to the events route came from: its `type`, when that names an event. */
export function eventFormOf(typed: Record<string, string>): ConsultationForm | 'event' {
  const type = typed.type;
  return (EVENT_TYPES as readonly string[]).includes(type ?? '') ? (type as UserEventType) : 'event';
}

/** The id of a form's element on the page, which the redirect after a refusal points at. */
export function formAnchor(form: string): string {
  return `formular-${form.toLowerCase().replaceAll('_', '-')}`;
}

/**
 * Whether the page, as this user sees it now, has `form` with fields to show a refusal beside (the
 * consultation may have moved on; a form of one button shows it above the page instead).
 */
function formShown(page: ConsultationPage, form: string): form is ConsultationForm {
  const c = page.consultation;
  if (form === 'START_DRAFTING' || form === 'SUBMIT_FOR_APPROVAL') return false;
  if (form === 'draft') return c.mayEditDraft;
  if (form === 'comment') return page.mayComment;
  if (form === 'vote') return c.writtenProcedure?.mayVote === true;
  if (form === 'publication') return page.mayPublish;
  if (form === 'outcome') return page.mayRecordOutcome;
  if (form === 'intake') return c.intake?.mayConfirm === true;
  return (c.allowedEvents as readonly string[]).includes(form);
}

/** The message of a refusal; a refused hidden field says what to do, since no field can show it. */
function refusalMessage(error: AppError): string {
  if (error.code === 'VALIDATION_FAILED' && error.details.some((d) => HIDDEN_FIELDS.has(d.path))) {
    return 'Formularen kom ikke rigtigt frem. Send den en gang til – det du skrev, står her stadig.';
  }
  // The page shown is already the newest: the API's "fetch it again" is done.
  if (error.code === 'STALE_VERSION') {
    return 'Høringen er ændret af en anden, mens du skrev. Siden viser den nu, som den er; det du skrev, står her stadig, så du kan se det igennem og sende det igen.';
  }
  return error.message;
}

/** The error summary above a refused form: its heading, the refusal and a link to each field to correct. */
export interface ErrorSummary {
  id: string;
  title: string;
  message: string;
  links: { href?: string; text: string }[];
}

/** One form of the page as the template fills it: what was typed, each field's message and the summary. */
export interface RefusedForm {
  values: Record<string, string>;
  errors: Record<string, string>;
  summary: ErrorSummary;
}

/**
 * The page's forms after a refusal: the form that was sent, when the page still shows it, with its
 * summary and messages; otherwise `pageError`, the message the page shows above everything.
 */
export function presentFormFailure(
  page: ConsultationPage,
  failure: FormFailure | undefined,
): { forms: Partial<Record<ConsultationForm, RefusedForm>>; pageError?: string } {
  if (!failure) return { forms: {} };
  const message = refusalMessage(failure.error);
  if (!formShown(page, failure.form)) return { forms: {}, pageError: message };
  const fields = FORM_FIELDS[failure.form];
  const errors = fieldErrors(failure.error);
  const values = { ...failure.typed };
  for (const [name, field] of Object.entries(fields)) {
    const typed = values[name];
    if (typed === undefined || fitsInput(field.type, typed)) continue;
    delete values[name];
    errors[name] = `${errors[name] ?? 'Ugyldig værdi'} (du skrev „${typed}“)`;
  }
  // Each refused field by its label, linked to its control; a field no control holds (only a
  // hand-made request sends one) is still named, without a link.
  const links = Object.entries(errors)
    .filter(([name]) => !HIDDEN_FIELDS.has(name))
    .map(([name, text]) => {
      const field = fields[name];
      return field ? { href: `#${field.id}`, text: `${field.label}: ${text}` } : { text: name ? `${name}: ${text}` : text };
    });
  const summary = {
    id: `${formAnchor(failure.form)}-fejl`,
    title: SUMMARY_TITLES[failure.form] ?? 'Handlingen er ikke gennemført',
    message,
    links,
  };
  return { forms: { [failure.form]: { values, errors, summary } } };
}
