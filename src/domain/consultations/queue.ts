import type { Db } from '../../db/database.ts';
import { findCouncilBySlug } from '../../db/repositories/councils.ts';
import { countQueueRows, listQueueRows, type ListFilter, type QueueRow } from '../../db/repositories/queue.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { intakeInboxFor } from '../intake/inbox.ts';
import { FINAL_STATES, STATES, type ConsultationState } from '../../../workflows/consultation.machine.ts';
import type { Actor } from '../access/actor.ts';
import { consultationDeadline, type DeadlineStatus } from '../deadlines/status.ts';
import type { Clock } from '../time.ts';
import { EVENT_ROLES, viewerOf } from './policy.ts';

/** The queue's filters as the user chose them. */
export interface QueueQuery {
  /** A state, 'all' for every state, or undefined for the open ones. */
  state?: string;
  /** A council's slug. */
  council?: string;
  q?: string;
  mine?: boolean;
  due?: 'week' | 'overdue';
  /** Opaque page cursors: `after` pages forward, `before` back. */
  after?: string;
  before?: string;
}

/** One line of the queue. */
/** What every list of consultations shows of one (the queue, search results): its names, state and council. */
export interface ConsultationSummary {
  id: string;
  reference: string | null;
  title: string;
  authority: string;
  state: ConsultationState;
  council: { slug: string; name: string } | null;
}

/** One row of the queue: the summary with the assignee and the deadline in words. */
export interface QueueItem extends ConsultationSummary {
  assignee: { name: string } | null;
  deadline: Date;
  daysLeft: number;
  /** Working days left to the deadline (DeadlineCount); null once closed or overdue. */
  workingDaysLeft: number | null;
  deadlineStatus: DeadlineStatus;
  /** Arrived by mail or from Høringsportalen, and its proposed deadline is not confirmed yet. */
  awaitsConfirmation: boolean;
}

/** A page of the queue, the chair's approvals and how to page on. */
export interface QueuePage {
  items: QueueItem[];
  /** Everything awaiting this user's approval (in councils where they may approve), soonest first. */
  awaitingApproval: QueueItem[];
  /** How many consultations match the filters in all, counted up to QUEUE_COUNT_LIMIT. */
  total: number;
  /** True when more than QUEUE_COUNT_LIMIT match (then `total` is QUEUE_COUNT_LIMIT): shown as "over 1.000". */
  totalIsLowerBound: boolean;
  nextCursor: string | null;
  prevCursor: string | null;
  /** True when this is not the first page (so "back to the first page" makes sense). */
  paged: boolean;
  /** For a secretary: the hearings Høringsportalen suggested and the mails the intake could not read. */
  arrivals: Awaited<ReturnType<typeof intakeInboxFor>>;
}

export const QUEUE_PAGE_SIZE = 25;
/** The queue counts its matches up to this many; nobody pages through more, and counting stops here. */
export const QUEUE_COUNT_LIMIT = 1000;
/** The approval box shows at most this many; a chair with more has a backlog the queue filter shows in full. */
const APPROVAL_LIMIT = 50;
const WEEK_MS = 7 * 86_400_000;

function toItem(row: QueueRow, now: Date): QueueItem {
  const state = row.state as ConsultationState;
  return {
    id: row.id,
    reference: row.reference,
    title: row.title,
    authority: row.authority,
    state,
    council: row.council_id !== null && row.councilSlug !== null ? { slug: row.councilSlug, name: row.councilName ?? row.councilSlug } : null,
    assignee: row.assigneeName !== null ? { name: row.assigneeName } : null,
    deadline: row.deadline,
    ...consultationDeadline(row, now),
    awaitsConfirmation: row.intake_source !== null && row.intake_confirmed_at === null && !(FINAL_STATES as readonly string[]).includes(state),
  };
}

/** The council id a slug filter means for this actor; -1 (matches nothing) for a council they may not see. */
async function councilIdFor(db: Db, actor: Actor, slug: string): Promise<number> {
  const own = actor.councils.find((c) => c.slug === slug);
  if (own) return own.councilId;
  if (!actor.isAdmin) return -1;
  return (await findCouncilBySlug(db, slug))?.id ?? -1;
}

/**
 * The start page: the consultations of every council the user sits on (and unassigned ones they
 * registered), soonest deadline first, filtered and paged; plus, for a chair, everything awaiting
 * their approval, in its own query so it does not depend on the page or the filters.
 */
export async function loadQueue(deps: { db: Db; clock: Clock }, actor: Actor, query: QueueQuery): Promise<QueuePage> {
  const now = deps.clock();
  const filter: ListFilter = { viewer: viewerOf(actor) };
  if (query.council) filter.councilId = await councilIdFor(deps.db, actor, query.council);
  if (query.state && query.state !== 'all') {
    filter.states = [(STATES as readonly string[]).includes(query.state) ? query.state : '-'];
  } else if (!query.state || query.due) {
    filter.excludeStates = FINAL_STATES;
  }
  if (query.due === 'week') {
    filter.deadlineFrom = now;
    filter.deadlineBefore = new Date(now.getTime() + WEEK_MS);
    filter.excludeStates = FINAL_STATES;
  } else if (query.due === 'overdue') {
    filter.deadlineBefore = now;
    filter.excludeStates = FINAL_STATES;
  }
  if (query.mine) filter.assigneeId = actor.userId;
  const q = query.q?.trim();
  if (q) filter.q = q;

  const after = query.after ? decodeCursor(query.after) : undefined;
  const before = !after && query.before ? decodeCursor(query.before) : undefined;
  const approverCouncils = actor.councils.filter((c) => EVENT_ROLES.APPROVE.roles.includes(c.role)).map((c) => c.councilId);

  const [rows, total, approvalRows, arrivals] = await Promise.all([
    listQueueRows(deps.db, filter, { after, before, limit: QUEUE_PAGE_SIZE + 1 }),
    countQueueRows(deps.db, filter, QUEUE_COUNT_LIMIT),
    approverCouncils.length > 0
      ? listQueueRows(deps.db, { viewer: filter.viewer, inCouncils: approverCouncils, states: ['awaiting_approval'] }, { limit: APPROVAL_LIMIT })
      : Promise.resolve([]),
    intakeInboxFor(deps, actor),
  ]);
  const more = rows.length > QUEUE_PAGE_SIZE;
  const pageRows = rows.slice(0, QUEUE_PAGE_SIZE);
  if (before) pageRows.reverse();
  const first = pageRows[0];
  const last = pageRows[pageRows.length - 1];
  // Forward: there is a page before when we came from one. Backward: when the query found more.
  const hasPrev = before ? more : after !== undefined;
  const hasNext = before ? true : more;
  return {
    items: pageRows.map((row) => toItem(row, now)),
    awaitingApproval: approvalRows.map((row) => toItem(row, now)),
    total: Math.min(total, QUEUE_COUNT_LIMIT),
    totalIsLowerBound: total > QUEUE_COUNT_LIMIT,
    nextCursor: hasNext && last ? encodeCursor(last) : null,
    prevCursor: hasPrev && first ? encodeCursor(first) : null,
    paged: after !== undefined || before !== undefined,
    arrivals,
  };
}
