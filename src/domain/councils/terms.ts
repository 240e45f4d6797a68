import { z } from 'zod';
import { DateTime } from 'luxon';
import { listCouncilRoster, setMembershipTerm } from '../../db/repositories/users.ts';
import type { Executor } from '../../db/database.ts';
import { assertAdmin } from '../access/admin.ts';
import type { Actor } from '../access/actor.ts';
import { AppError } from '../errors.ts';
import { ZONE } from '../time.ts';
import { parseInput } from '../validation.ts';

/** A membership term: first and last day (both included), as YYYY-MM-DD. */
export interface Term {
  start: string;
  end: string;
}

// The first municipal election period Rådssvar knows: elected November 2021, seated 2022–2025.
const FIRST_PERIOD_START_YEAR = 2022;
const PERIOD_YEARS = 4;

/**
 * The municipal election period that covers `day` (Danish time): from 1 January after a November
 * election (2021, 2025, 2029 …) to 31 December four years later. The migration's column default
 * computes the same, so a membership added without a term gets this one.
 */
export function electionPeriodCovering(day: Date): Term {
  const year = DateTime.fromJSDate(day, { zone: ZONE }).year;
  const start = FIRST_PERIOD_START_YEAR + PERIOD_YEARS * Math.floor((year - FIRST_PERIOD_START_YEAR) / PERIOD_YEARS);
  return { start: `${start}-01-01`, end: `${start + PERIOD_YEARS - 1}-12-31` };
}

const isoDay = (message: string) =>
  z
    .string()
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/, message)
    .refine((value) => DateTime.fromISO(value).isValid && value >= '2000-01-01' && value <= '2100-12-31', message);

/** The fields of the admin's "set term" form. */
export const termFormSchema = z
  .object({
    termStart: isoDay('Skriv en gyldig startdato (ÅÅÅÅ-MM-DD)'),
    termEnd: isoDay('Skriv en gyldig slutdato (ÅÅÅÅ-MM-DD)'),
  })
  .refine((term) => term.termStart <= term.termEnd, { path: ['termEnd'], message: 'Slutdatoen skal ligge efter startdatoen' });

/**
 * Sets the term of a person's seat on a council (administrators only). Ending a term ends access
 * the day after `termEnd`; nothing the person wrote is touched. NOT_FOUND when there is no such seat.
 */
export async function setTermAsAdmin(db: Executor, actor: Actor, userId: number, councilId: number, input: Record<string, unknown>): Promise<Term> {
  assertAdmin(actor);
  const values = parseInput(termFormSchema, input);
  const changed = await setMembershipTerm(db, userId, councilId, { start: values.termStart, end: values.termEnd });
  if (!changed) throw new AppError('NOT_FOUND', 'Personen sidder ikke i rådet');
  return { start: values.termStart, end: values.termEnd };
}

/** One person's seat on a council, as the administration shows it. */
export interface RosterEntry {
  userId: number;
  name: string;
  email: string;
  role: string;
  title: string | null;
  termStart: string;
  termEnd: string;
}

/** Who sits on a council now, who sat before and who starts later (administrators only). */
export interface CouncilRoster {
  current: RosterEntry[];
  former: RosterEntry[];
  upcoming: RosterEntry[];
  /** The soonest end of a term among those sitting now, when anyone sits. */
  nextTermEnd: string | null;
}

/** A roster row as the users repository reads it (listCouncilRoster). */
type RosterRow = Awaited<ReturnType<typeof listCouncilRoster>>[number];

/** Rows of a council's roster sorted into who sits now, who sat before (newest end first) and who starts later. */
export function rosterOf(rows: RosterRow[]): CouncilRoster {
  const entry = (row: RosterRow): RosterEntry => ({
    userId: row.userId,
    name: row.name,
    email: row.email,
    role: row.role,
    title: row.title,
    termStart: row.termStart,
    termEnd: row.termEnd,
  });
  const current = rows.filter((r) => r.current).map(entry);
  return {
    current,
    former: rows
      .filter((r) => r.ended)
      .map(entry)
      .reverse(),
    upcoming: rows.filter((r) => !r.current && !r.ended).map(entry),
    nextTermEnd: current[0]?.termEnd ?? null,
  };
}

/** The council's roster by term (administrators only). */
export async function councilRosterForAdmin(db: Executor, actor: Actor, councilId: number): Promise<CouncilRoster> {
  assertAdmin(actor);
  return rosterOf(await listCouncilRoster(db, councilId));
}
