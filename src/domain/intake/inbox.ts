import type { Db } from '../../db/database.ts';
import { findFailedMail, listFailedMails, listPendingSuggestions } from '../../db/repositories/intake.ts';
import { roleIn, type Actor } from '../access/actor.ts';
import { notFound } from '../errors.ts';

/*
 * What arrived by itself and waits for a person: the hearings Høringsportalen's watch suggested
 * and the mails the intake could not read. Only a council's secretary decides on them (an admin
 * sits on the councils they are secretary of like anyone else), so only they see them.
 */

/** The councils whose arrivals the actor handles: where they are the secretary. */
function handledCouncils(actor: Actor): number[] {
  return actor.councils.filter((c) => c.role === 'secretary').map((c) => c.councilId);
}

/** The suggestions and unreadable mails waiting for the actor, as the queue shows them. */
export async function intakeInboxFor(deps: { db: Db }, actor: Actor) {
  const councils = handledCouncils(actor);
  if (councils.length === 0) return { suggestions: [], failedMails: [] };
  const [suggestions, failedMails] = await Promise.all([listPendingSuggestions(deps.db, councils), listFailedMails(deps.db, councils)]);
  return { suggestions, failedMails };
}

/**
 * A mail the intake could not read, as the bytes it arrived with, so the secretary can open it in
 * a mail program and register the consultation by hand. Its council's secretary or an admin only;
 * anyone else gets the same 404 as for a mail that does not exist.
 */
export async function failedMailSource(deps: { db: Db }, actor: Actor, id: number): Promise<{ subject: string | null; raw: Buffer }> {
  const mail = await findFailedMail(deps.db, id);
  if (!mail || mail.raw === null || !(actor.isAdmin || roleIn(actor, mail.council_id) === 'secretary')) throw notFound('Mailen findes ikke');
  return { subject: mail.subject, raw: mail.raw };
}
