import { z } from 'zod';
import { APPROVAL_BASES, SUBMISSION_CHANNELS, VOTES } from '../../../workflows/consultation.machine.ts';
import { readDeadline } from '../time.ts';
import { danishTimeOrIssue, emailSchema, optionalText, requiredText } from '../validation.ts';

/** The largest UTC offset in use anywhere (Kiribati's +14:00; the most negative is -12:00). */
const MAX_UTC_OFFSET_MINUTES = 14 * 60;

/**
 * False when a date-time's offset could not be a real one: luxon reads `12:00+25:00` as the day
 * before, so `2026-12-01T12:00+25:00` would be a deadline on 30 November. No offset, or `Z`, is fine.
 */
function hasRealUtcOffset(value: string): boolean {
  const time = value.split('T')[1];
  const offset = time ? /([+-])(\d{2})(?::?(\d{2}))?$/.exec(time) : null;
  if (!offset) return true;
  const minutes = Number(offset[3] ?? '0');
  return minutes < 60 && Number(offset[2]) * 60 + minutes <= MAX_UTC_OFFSET_MINUTES;
}

/** An ISO 8601 date-time or date read as Danish time when no offset is given, with the messages of one field. */
function danishDateTimeSchema(messages: { required: string; invalid: string }) {
  return (
    z
      .string({ error: messages.required })
      .trim()
      .min(1, messages.required)
      // One parse for the check and the value: reading a Danish local time with luxon is dear
      // (BENCHMARKS.md, figures behind design choices).
      .transform((value, ctx) => {
        if (!hasRealUtcOffset(value)) {
          ctx.addIssue({ code: 'custom', message: 'Tidszonen skal ligge mellem -14:00 og +14:00' });
          return z.NEVER;
        }
        return danishTimeOrIssue(readDeadline(value), ctx, { invalid: messages.invalid });
      })
  );
}

const LOCAL_TIME_NOTE =
  'A local time the clocks skip (spring forward, e.g. 2027-03-28T02:30) is refused with detail code NONEXISTENT_LOCAL_TIME; ' +
  'one that happens twice (autumn) is the first, +02:00.';

/** A deadline: ISO 8601 date-time or date; Danish time when no offset is given. */
export const deadlineSchema = danishDateTimeSchema({
  required: 'Fristen skal udfyldes',
  invalid: 'Fristen skal være en dato (ÅÅÅÅ-MM-DD) eller et tidspunkt i ISO 8601',
}).meta({
  description: `ISO 8601 date-time or date; Europe/Copenhagen when no offset. ${LOCAL_TIME_NOTE}`,
  example: '2026-03-12T12:00',
});

/** When a written procedure closes: like a deadline, with its own messages. */
const closesAtSchema = danishDateTimeSchema({
  required: 'Angiv hvornår afstemningen slutter',
  invalid: 'Tidspunktet skal skrives som dato og klokkeslæt (ÅÅÅÅ-MM-DDTtt:mm)',
}).meta({
  description: `When the vote closes: in the future and before the deadline. ISO 8601; Europe/Copenhagen when no offset. ${LOCAL_TIME_NOTE}`,
  example: '2026-12-04T12:00',
});

// PostgreSQL has no year 0 (and no use for dates this old): refuse them instead of failing in the database.
const isoDate = z.iso
  .date({ error: 'Datoen skal skrives ÅÅÅÅ-MM-DD' })
  // Only for a well-formed date, so a malformed one gets the one message above.
  .refine((value) => !/^\d{4}-\d{2}-\d{2}$/.test(value) || value >= '1900-01-01', 'Datoen skal være efter 1900');

const councilSlug = z.string().trim().min(1, 'Vælg et råd').max(63).meta({ description: 'The council slug' });

/** Registering a consultation. */
export const newConsultationSchema = z
  .object({
    title: requiredText(300),
    authority: requiredText(300),
    authorityReference: optionalText(100),
    authorityEmail: z
      .union([emailSchema, z.literal('')])
      .optional()
      .nullable()
      .transform((v) => v || null),
    receivedAt: isoDate.optional().nullable(),
    deadline: deadlineSchema,
    summary: optionalText(5000),
    sourceUrl: z
      .union([z.url({ protocol: /^https?$/, error: 'Linket skal begynde med http:// eller https://' }).max(2000), z.literal('')])
      .optional()
      .nullable()
      .transform((v) => v || null),
    council: councilSlug
      .optional()
      .nullable()
      .transform((v) => v || null),
  })
  .meta({ id: 'NewConsultation' });
export type NewConsultationInput = z.output<typeof newConsultationSchema>;

const version = z.coerce
  .number({ error: 'Versionen skal være et tal' })
  .int('Versionen skal være et helt tal')
  .min(1, 'Versionen skal være mindst 1')
  .meta({
    description: 'The version the client saw; a newer one on the server gives 409 STALE_VERSION',
  });

/** The payload of each event a person may send, keyed by type. */
export const eventSchemas = {
  ASSIGN: z.object({
    type: z.literal('ASSIGN'),
    version,
    council: councilSlug,
    assignee: z
      .union([emailSchema, z.literal('')])
      .optional()
      .nullable()
      .transform((v) => v || null),
  }),
  START_DRAFTING: z.object({ type: z.literal('START_DRAFTING'), version }),
  SUBMIT_FOR_APPROVAL: z.object({ type: z.literal('SUBMIT_FOR_APPROVAL'), version }),
  REQUEST_CHANGES: z.object({
    type: z.literal('REQUEST_CHANGES'),
    version,
    comment: requiredText(5000, 'Skriv en kommentar til sekretæren'),
  }),
  APPROVE: z
    .object({
      type: z.literal('APPROVE'),
      version,
      basis: z.enum(APPROVAL_BASES, { error: 'Vælg grundlaget for godkendelsen' }),
      meetingDate: isoDate.optional().nullable(),
    })
    .refine((v) => v.basis !== 'meeting' || !!v.meetingDate, {
      path: ['meetingDate'],
      message: 'Angiv mødedatoen',
    }),
  SUBMIT: z.object({
    type: z.literal('SUBMIT'),
    version,
    channel: z.enum(SUBMISSION_CHANNELS, { error: 'Vælg hvordan svaret blev sendt' }),
    recipient: optionalText(300),
    submittedAt: isoDate.optional().nullable(),
    /** Set: the response is not put on the council's public page, for this reason. */
    notPublicReason: optionalText(1000),
  }),
  DECLINE: z.object({ type: z.literal('DECLINE'), version, reason: requiredText(5000, 'Skriv en begrundelse') }),
  WITHDRAW: z.object({ type: z.literal('WITHDRAW'), version, reason: requiredText(5000, 'Skriv en begrundelse') }),
  EXTEND_DEADLINE: z.object({
    type: z.literal('EXTEND_DEADLINE'),
    version,
    deadline: deadlineSchema,
    note: optionalText(2000),
  }),
  START_WRITTEN_PROCEDURE: z.object({
    type: z.literal('START_WRITTEN_PROCEDURE'),
    version,
    closesAt: closesAtSchema,
    note: optionalText(2000),
  }),
  CANCEL_WRITTEN_PROCEDURE: z.object({
    type: z.literal('CANCEL_WRITTEN_PROCEDURE'),
    version,
    reason: requiredText(5000, 'Skriv en begrundelse'),
  }),
} as const;

/** Any event, discriminated by `type`. */
export const eventSchema = z
  .discriminatedUnion(
    'type',
    [
      eventSchemas.ASSIGN,
      eventSchemas.START_DRAFTING,
      eventSchemas.SUBMIT_FOR_APPROVAL,
      eventSchemas.REQUEST_CHANGES,
      eventSchemas.APPROVE,
      eventSchemas.SUBMIT,
      eventSchemas.DECLINE,
      eventSchemas.WITHDRAW,
      eventSchemas.EXTEND_DEADLINE,
      eventSchemas.START_WRITTEN_PROCEDURE,
      eventSchemas.CANCEL_WRITTEN_PROCEDURE,
    ],
    { error: 'Ukendt hændelsestype' },
  )
  .meta({ id: 'ConsultationEvent' });
export type EventInput = z.output<typeof eventSchema>;

/** A vote in a written procedure (`POST …/written-procedure/votes`, and the vote pages). */
export const voteSchema = z
  .object({
    vote: z.enum(VOTES, { error: 'Vælg for, imod eller hverken for eller imod' }),
    comment: optionalText(5000),
  })
  .refine((v) => v.vote !== 'disagree' || !!v.comment, { path: ['comment'], message: 'Skriv hvorfor du stemmer imod' })
  .meta({ id: 'WrittenProcedureVote' });
export type VoteInput = z.output<typeof voteSchema>;

/** The longest draft Rådssvar keeps, in characters (UTF-16 code units, as JavaScript counts them). */
export const MAX_DRAFT_CHARS = 200_000;

/** Saving a draft. */
export const saveDraftSchema = z
  .object({
    body: z.string({ error: 'Teksten mangler' }).max(MAX_DRAFT_CHARS, `Højst ${MAX_DRAFT_CHARS.toLocaleString('da-DK')} tegn`),
    version,
  })
  .meta({ id: 'SaveDraft' });
