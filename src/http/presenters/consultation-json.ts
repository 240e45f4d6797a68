import { z } from 'zod';
import type { ConsultationDetails, ConsultationView, WrittenProcedureView } from '../../domain/consultations/service.ts';
import { ERROR_CODES, ERROR_DETAIL_CODES } from '../../domain/errors.ts';
import { toDanishIso } from '../../domain/time.ts';
import { APPROVAL_BASES, EVENT_TYPES, STATES, SUBMISSION_CHANNELS, VOTES } from '../../../workflows/consultation.machine.ts';

// The shapes the API answers with. They type the presenters below and are the OpenAPI document's
// response schemas (src/http/openapi.ts), so a field added here is documented by itself and a field
// the presenter adds without adding it here does not compile.

const utcDateTime = z.iso.datetime();
const isoDate = z.iso.date();

const tallyJsonSchema = z
  .object({ agree: z.number().int(), disagree: z.number().int(), abstain: z.number().int(), notVoted: z.number().int() })
  .meta({ id: 'WrittenProcedureTally', description: 'The votes cast and the voters who did not vote' });

/** The newest written procedure of a consultation (running or ended). */
export const writtenProcedureJsonSchema = z
  .object({
    number: z.number().int().min(1).meta({ description: '1 for the consultation’s first written procedure, 2 for the next …' }),
    status: z.enum(['running', 'approved', 'not_approved', 'cancelled']),
    startedAt: utcDateTime,
    closesAt: utcDateTime,
    closedAt: utcDateTime.nullable(),
    note: z.string().nullable(),
    cancelReason: z.string().nullable(),
    draftNumber: z.number().int().min(1).meta({ description: 'The draft version voted on' }),
    quorumPercent: z.number().int().meta({ description: 'The share of the voters that must take part for it to decide (the council’s rule)' }),
    counts: tallyJsonSchema,
    outcome: z.enum(['approved', 'not_approved', 'cancelled']).nullable(),
    voters: z
      .array(
        z.object({
          name: z.string(),
          hasVoted: z.boolean(),
          vote: z.enum(VOTES).optional(),
          comment: z.string().nullable().optional(),
        }),
      )
      .meta({ description: 'The voters and who has voted; how each voted only for those who may read the council’s internals' }),
    mayVote: z.boolean().meta({ description: 'Whether the caller may vote now' }),
    myVote: z.object({ vote: z.enum(VOTES), comment: z.string().nullable() }).nullable(),
  })
  .meta({ id: 'WrittenProcedure' });

/** A consultation as a list item of GET /api/v1/consultations. */
export const consultationSummaryJsonSchema = z
  .object({
    id: z.uuid(),
    reference: z.string().nullable(),
    title: z.string(),
    authority: z.string(),
    authorityReference: z.string().nullable(),
    authorityEmail: z.email().nullable(),
    receivedAt: isoDate,
    deadline: z.iso.datetime({ offset: true }).meta({ description: 'The deadline in Danish time, with its UTC offset' }),
    summary: z.string().nullable(),
    sourceUrl: z.url().nullable(),
    state: z.enum(STATES),
    version: z.number().int().min(1),
    council: z.object({ slug: z.string(), name: z.string() }).nullable(),
    assignee: z.object({ email: z.string(), name: z.string() }).nullable(),
    daysLeft: z.number().int().meta({
      description:
        'Calendar days from today to the deadline’s date, in Danish time: 0 on the day, negative after it. `due_soon` counts working days: Monday to Friday except Danish public holidays, 5 June, 24 and 31 December',
    }),
    deadlineStatus: z.enum(['ok', 'due_soon', 'overdue', 'closed']),
    allowedEvents: z.array(z.enum(EVENT_TYPES)),
    changesRequested: z.string().nullable().optional().meta({
      description: 'The chair’s comment when the draft was last sent back; absent for those who may not read the council’s internals',
    }),
    approval: z
      .object({
        basis: z.enum(APPROVAL_BASES),
        meetingDate: isoDate.nullable(),
        tally: tallyJsonSchema.optional().meta({ description: 'For an approval by written procedure: its count' }),
      })
      .nullable(),
    submission: z.object({ channel: z.enum(SUBMISSION_CHANNELS), recipient: z.string().nullable(), submittedAt: isoDate.nullable() }).nullable(),
    closingReason: z.string().nullable().meta({ description: 'Why it was declined or withdrawn' }),
    updatedAt: utcDateTime,
    statusUrl: z.url().optional().meta({
      description: 'Public read-only status page; only for the council’s secretary and chair, admins, and whoever registered it while unassigned',
    }),
  })
  .meta({ id: 'ConsultationSummary' });

/** A consultation with its draft and timeline: every answer about one consultation. */
export const consultationJsonSchema = consultationSummaryJsonSchema
  .extend({
    draft: z
      .object({ number: z.number().int().min(1), body: z.string(), savedAt: utcDateTime, savedBy: z.string().nullable() })
      .nullable()
      .optional()
      .meta({ description: 'The newest draft (null before the first); absent for those who may not read the council’s internals' }),
    writtenProcedure: writtenProcedureJsonSchema.nullable().meta({ description: 'The newest written procedure; null when there has been none' }),
    timeline: z.array(
      z.object({
        at: utcDateTime,
        actor: z.string().nullable(),
        type: z.string().meta({
          description:
            'The event: one of the events a person sends, or one the app records (REGISTERED, SAVE_DRAFT, MAIL_DELIVERED, MAIL_FAILED; CAST_VOTE and CLOSE_WRITTEN_PROCEDURE of a written procedure; MEETING_NOTED: a meeting’s minutes noted the decision, from and to are the same state)',
        }),
        from: z.string().nullable(),
        to: z.string().nullable(),
        comment: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'Consultation' });

/** One page of GET /api/v1/consultations. */
export const consultationPageJsonSchema = z
  .object({ items: z.array(consultationSummaryJsonSchema), nextCursor: z.string().nullable() })
  .meta({ id: 'ConsultationPage' });

/** Every error answer of the API; `code` lists every stable code of AppError. */
export const errorJsonSchema = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES),
      message: z.string().meta({ description: 'In Danish, for people' }),
      details: z
        .array(
          z.object({
            path: z.string(),
            message: z.string(),
            code: z
              .enum(ERROR_DETAIL_CODES)
              .optional()
              .meta({ description: 'Why, where a client may act on the reason (see the error codes in README)' }),
          }),
        )
        .meta({ description: 'One entry per field that failed' }),
      requestId: z.string().optional().meta({ description: 'On INTERNAL: the id to find the failure in the log' }),
      currentVersion: z.number().int().optional().meta({ description: 'On STALE_VERSION: the version on the server' }),
    }),
  })
  .meta({ id: 'Error' });

export type ConsultationSummaryJson = z.infer<typeof consultationSummaryJsonSchema>;
export type ConsultationJson = z.infer<typeof consultationJsonSchema>;
export type ConsultationPageJson = z.infer<typeof consultationPageJsonSchema>;
export type ErrorJson = z.infer<typeof errorJsonSchema>;

/** A list item; `statusUrls` holds the status links the caller may see (statusUrlsForViews). */
export function consultationSummaryJson(view: ConsultationView, statusUrls: Map<string, string>): ConsultationSummaryJson {
  const statusUrl = statusUrls.get(view.id);
  return {
    id: view.id,
    reference: view.reference,
    title: view.title,
    authority: view.authority,
    authorityReference: view.authorityReference,
    authorityEmail: view.authorityEmail,
    receivedAt: view.receivedAt,
    deadline: toDanishIso(view.deadline),
    summary: view.summary,
    sourceUrl: view.sourceUrl,
    state: view.state,
    version: view.version,
    council: view.council ? { slug: view.council.slug, name: view.council.name } : null,
    assignee: view.assignee,
    daysLeft: view.daysLeft,
    deadlineStatus: view.deadlineStatus,
    allowedEvents: view.allowedEvents,
    // Undefined (absent in JSON) for those who may not read the council's internals.
    changesRequested: view.changesRequested,
    approval: view.approval,
    submission: view.submission,
    closingReason: view.closingReason,
    updatedAt: view.updatedAt.toISOString(),
    ...(statusUrl ? { statusUrl } : {}),
  };
}

/** One consultation with its draft and timeline, as every answer about one consultation gives it. */
export function consultationJson(details: ConsultationDetails, statusUrls: Map<string, string>): ConsultationJson {
  return {
    ...consultationSummaryJson(details, statusUrls),
    // Absent, not null, for those who may not read the council's internals (municipal staff).
    ...(details.draft !== undefined
      ? {
          draft: details.draft && {
            number: details.draft.number,
            body: details.draft.body,
            savedAt: details.draft.savedAt.toISOString(),
            savedBy: details.draft.savedBy,
          },
        }
      : {}),
    writtenProcedure: details.writtenProcedure && writtenProcedureJson(details.writtenProcedure),
    timeline: details.timeline.map((entry) => ({
      at: entry.at.toISOString(),
      actor: entry.actor,
      type: entry.type,
      from: entry.from,
      to: entry.to,
      comment: entry.comment,
    })),
  };
}

function writtenProcedureJson(procedure: WrittenProcedureView): z.infer<typeof writtenProcedureJsonSchema> {
  return {
    number: procedure.number,
    status: procedure.status,
    startedAt: procedure.startedAt.toISOString(),
    closesAt: procedure.closesAt.toISOString(),
    closedAt: procedure.closedAt?.toISOString() ?? null,
    note: procedure.note,
    cancelReason: procedure.cancelReason,
    draftNumber: procedure.draftNumber,
    quorumPercent: procedure.quorumPercent,
    counts: procedure.counts,
    outcome: procedure.status === 'running' ? null : procedure.status,
    voters: procedure.voters.map(({ userId: _userId, ...voter }) => voter),
    mayVote: procedure.mayVote,
    myVote: procedure.myVote,
  };
}
