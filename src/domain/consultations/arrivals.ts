import { initialTransition, transition } from 'xstate';
import type { Tx } from '../../db/database.ts';
import type { IntakeSource } from '../../db/types.ts';
import { insertConsultationWithEvents, lockConsultationWithDetails, type EventRecord } from '../../db/repositories/consultations.ts';
import { findCouncilById } from '../../db/repositories/councils.ts';
import { consultationMachine, MACHINE_VERSION, persistSnapshot } from '../../../workflows/consultation.machine.ts';
import type { Actor } from '../access/actor.ts';
import { AppError, forbidden, notFound } from '../errors.ts';
import type { Jobs } from '../jobs/jobs.ts';
import { readDeadline } from '../time.ts';
import type { FoundDeadline } from '../intake/deadline-finder.ts';
import { isUuid, parseInput } from '../validation.ts';
import { checkDocuments, storeDocuments, type UploadedFile } from './documents.ts';
import { mayActorDraft } from './policy.ts';
import { deadlineSchema } from './schemas.ts';
import {
  applyServiceEvent,
  checkDeadlineRange,
  detailsFor,
  referenceYear,
  staleVersion,
  type ConsultationDeps,
  type ConsultationDetails,
} from './service.ts';
import { createStatusLink } from './status-links.ts';
import { z } from 'zod';

/*
 * Consultations that arrive by themselves: from the council's intake mailbox or Høringsportalen's
 * feed. They are registered for the council with no author (the timeline says where they came
 * from) and wait for the secretary to confirm the proposed deadline; until then the queue and the
 * page mark them "fra mail" or "fra Høringsportalen".
 */

/** What arrived: the consultation's fields, where it came from and what the intake noticed. */
export interface Arrival {
  councilId: number;
  source: IntakeSource;
  title: string;
  authority: string;
  authorityEmail: string | null;
  summary: string | null;
  sourceUrl: string | null;
  /** The day it arrived (Danish date). */
  receivedOn: string;
  /** The deadline read from the text and the sentence it stood in, or undefined: then four weeks after arrival, to be confirmed. */
  deadline: { instant: Date; sentence: string } | undefined;
  /** Documents that came with it (checked by content here; others are left out and named in the note). */
  files: UploadedFile[];
}

/** Days from arrival to the deadline proposed when the text states none: the common four-week consultation period. */
const DEFAULT_NOTICE_DAYS = 28;

/** The instant a found deadline names (Danish time; a day without a time ends at 23:59), or undefined when it is none. */
export function deadlineInstant(found: FoundDeadline | undefined): Date | undefined {
  if (!found) return undefined;
  const reading = readDeadline(found.time ? `${found.date}T${found.time}` : found.date);
  return reading.ok ? reading.instant : undefined;
}

function proposedDeadline(arrival: Arrival, now: Date): Date {
  if (arrival.deadline) {
    try {
      checkDeadlineRange(arrival.deadline.instant, now);
      return arrival.deadline.instant;
    } catch {
      // A year far off is a misreading: fall back to the default, and the secretary corrects it.
    }
  }
  const received = new Date(`${arrival.receivedOn}T12:00:00Z`);
  received.setUTCDate(received.getUTCDate() + DEFAULT_NOTICE_DAYS);
  const fallback = deadlineInstant({ date: received.toISOString().slice(0, 10), time: null, sentence: '' });
  if (!fallback) throw new Error('the default deadline is always a real Danish time');
  return fallback;
}

/** The documents of an arrival that pass the same checks as an upload, and a note naming those left out. */
async function acceptedDocuments(files: UploadedFile[]) {
  const accepted: Awaited<ReturnType<typeof checkDocuments>> = [];
  const leftOut: string[] = [];
  for (const file of files) {
    try {
      accepted.push(...(await checkDocuments([file])));
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      leftOut.push(error.message);
    }
  }
  return { accepted: accepted.slice(0, 10), leftOut };
}

/**
 * Registers what arrived as a consultation of the council in `tx`, assigned to it and waiting for
 * the secretary's confirmation; returns its id. The documents are stored and their text queued in
 * the same transaction.
 */
export async function registerArrivedConsultation(
  tx: Tx,
  deps: { jobs: Jobs; clock: () => Date; sessionSecret: string },
  arrival: Arrival,
): Promise<string> {
  const council = await findCouncilById(tx, arrival.councilId);
  if (!council) throw notFound('Rådet findes ikke');
  const now = deps.clock();
  const deadline = proposedDeadline(arrival, now);
  const { accepted, leftOut } = await acceptedDocuments(arrival.files);
  const notes = [
    ...(arrival.deadline ? [] : ['Ingen høringsfrist fundet i teksten: fristen er foreløbig sat til fire uger efter modtagelsen.']),
    ...leftOut.map((message) => `Ikke gemt: ${message}.`),
  ];
  const [received] = initialTransition(consultationMachine, { deadline: deadline.toISOString() });
  const [assigned] = transition(consultationMachine, received, { type: 'ASSIGN', council: council.slug, assignee: null });
  const origin = { source: arrival.source };
  const events: EventRecord[] = [
    { actorId: null, type: 'REGISTERED', fromState: null, toState: received.value, payload: origin },
    {
      actorId: null,
      type: 'ASSIGN',
      fromState: received.value,
      toState: assigned.value,
      payload: { ...origin, council: council.slug, councilName: council.name },
    },
  ];
  const { row } = await insertConsultationWithEvents(
    tx,
    {
      title: arrival.title,
      authority: arrival.authority,
      authority_reference: null,
      authority_email: arrival.authorityEmail,
      received_at: arrival.receivedOn,
      deadline,
      summary: arrival.summary,
      source_url: arrival.sourceUrl,
      council_id: council.id,
      assignee_id: null,
      state: assigned.value,
      snapshot: JSON.stringify(persistSnapshot(assigned)),
      machine_version: MACHINE_VERSION,
      version: events.length,
      created_by: null,
      intake_source: arrival.source,
      intake_deadline_sentence: arrival.deadline?.sentence ?? null,
      intake_note: notes.length > 0 ? notes.join('\n') : null,
    },
    events,
    { councilId: council.id, prefix: council.reference_prefix, year: referenceYear(now) },
  );
  await createStatusLink(tx, deps.sessionSecret, row.id);
  await storeDocuments(tx, deps.jobs, null, row.id, accepted);
  return row.id;
}

const confirmSchema = z.object({
  version: z.coerce.number({ error: 'Versionen mangler' }).int().min(1),
  deadline: deadlineSchema,
});

/**
 * The secretary confirms (or corrects) the deadline of a consultation that arrived by itself, in
 * one transition: the row locked, the version checked, CONFIRM_INTAKE through the machine, the
 * deadline and the confirmation time written with the event row.
 */
export async function confirmArrivedConsultation(deps: ConsultationDeps, actor: Actor, id: string, input: unknown): Promise<ConsultationDetails> {
  const values = parseInput(confirmSchema, input);
  checkDeadlineRange(values.deadline, deps.clock());
  const { details, snapshot } = await deps.db.transaction().execute(async (tx) => {
    const row = isUuid(id) ? await lockConsultationWithDetails(tx, id) : undefined;
    if (!row || !(actor.isAdmin || actor.councils.some((c) => c.councilId === row.council_id))) throw notFound('Høringen findes ikke');
    if (!actor.isAdmin && !mayActorDraft(actor, row.council_id)) throw forbidden('Kun rådets sekretær kan bekræfte en modtaget høring');
    if (row.intake_source === null || row.intake_confirmed_at !== null) {
      throw new AppError('TRANSITION_NOT_ALLOWED', 'Høringen venter ikke på bekræftelse');
    }
    if (row.version !== values.version) throw staleVersion(row.version);
    const deadline = values.deadline.toISOString();
    return applyServiceEvent(
      tx,
      actor,
      row,
      { type: 'CONFIRM_INTAKE', deadline },
      { deadline, proposedDeadline: row.deadline.toISOString(), corrected: deadline !== row.deadline.toISOString(), source: row.intake_source },
      { deadline: values.deadline, intake_confirmed_at: deps.clock() },
    );
  });
  return detailsFor(actor, details, deps.clock(), snapshot);
}
