import { z } from 'zod';
import { formField } from '../forms.ts';

/** A numeric id in the path; anything else is a 404 rather than a database error. */
const id = z.coerce.number().int().positive().max(2_147_483_647);

export const councilParams = z.object({ councilId: id });
export const meetingParams = z.object({ councilId: id, meetingId: id });
export const userParams = z.object({ userId: id });
export const membershipParams = z.object({ userId: id, councilId: id });
export const tokenParams = z.object({ userId: id, tokenId: id });

// The forms are only shaped here (strings in, strings out); the domain services validate them
// with their Danish messages, so the API, the CLI and the pages share one set of rules.
const text = formField().optional();
const checkbox = z
  .unknown()
  .optional()
  .transform((value) => value === '1' || value === 'on' || value === 'true');

export const councilForm = z.object({
  slug: text,
  name: text,
  municipality: text,
  referencePrefix: text,
  letterheadAddress: text,
  letterheadContact: text,
  letterheadEmail: text,
  dueSoonWorkingDays: text,
  reminderWorkingDays: text,
  agendaWorkingDays: text,
  writtenProcedureQuorumPercent: text,
  minutesPublished: checkbox,
  removeLogo: checkbox,
});
export type CouncilForm = z.output<typeof councilForm>;

export const meetingForm = z.object({ date: text, time: text, place: text });
export const userForm = z.object({ email: text, name: text, password: text, isAdmin: checkbox });
export const membershipForm = z.object({ councilId: text, role: text, title: text });
export const tokenForm = z.object({ name: text });

/** The admin's "set term" form on a seat (dates as the date inputs send them, YYYY-MM-DD). */
export const termForm = z.object({ termStart: text, termEnd: text });
