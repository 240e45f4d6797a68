import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Config } from '../../config.ts';
import type { Executor } from '../../db/database.ts';
import { findCouncilById } from '../../db/repositories/councils.ts';
import { listOptedOutCouncilIds, setOptOuts } from '../../db/repositories/reminders.ts';
import { findUserById } from '../../db/repositories/users.ts';
import { AppError } from '../errors.ts';
import { publicBaseUrl } from '../public-url.ts';

/*
 * The one-click unsubscribe link of a reminder (RFC 8058): /reminders/unsubscribe/<user>-<council>-<mac>,
 * where mac is an HMAC-SHA-256 over the pair, keyed with SESSION_SECRET and a purpose label of its
 * own, so the token is good for this one thing only. An HMAC rather than a stored random token:
 * switching reminders off is harmless, idempotent and undone on the profile, so there is nothing
 * to revoke one link at a time, and every reminder ever mailed keeps a working link without a
 * table that grows with each mail. Changing SESSION_SECRET invalidates the links already mailed.
 */

/** What every link that is not one of ours answers: the same whether or not the user or council exists. */
export const UNSUBSCRIBE_LINK_INVALID_MESSAGE = 'Linket til at stoppe påmindelser virker ikke. Du kan vælge dine påmindelser på din profil.';

type UnsubscribeConfig = Pick<Config, 'publicUrl' | 'port' | 'sessionSecret'>;

function mac(secret: string, userId: number, councilId: number): Buffer {
  return createHmac('sha256', secret).update(`raadssvar-reminder-unsubscribe:v1:${userId}:${councilId}`).digest();
}

/** The single-purpose token that switches `councilId`'s reminders off for `userId`. */
export function unsubscribeToken(secret: string, userId: number, councilId: number): string {
  return `${userId}-${councilId}-${mac(secret, userId, councilId).toString('base64url')}`;
}

/** The absolute address of the unsubscribe link, for List-Unsubscribe and the mail's own link. */
export function unsubscribeUrl(config: UnsubscribeConfig, userId: number, councilId: number): string {
  return `${publicBaseUrl(config)}/reminders/unsubscribe/${unsubscribeToken(config.sessionSecret, userId, councilId)}`;
}

/** The pair a token stands for, or undefined when it is not a token we made (compared in constant time). */
function verifiedPair(secret: string, token: string): { userId: number; councilId: number } | undefined {
  const match = /^([1-9]\d{0,9})-([1-9]\d{0,9})-([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return undefined;
  const userId = Number(match[1]);
  const councilId = Number(match[2]);
  const given = Buffer.from(match[3]!, 'base64url');
  const expected = mac(secret, userId, councilId);
  return given.length === expected.length && timingSafeEqual(given, expected) ? { userId, councilId } : undefined;
}

/** What the unsubscribe page tells the person who followed the link. */
export interface UnsubscribeLinkView {
  councilName: string;
  /** True when that council's reminders are already off for the user. */
  alreadyOff: boolean;
}

async function openLink(deps: { db: Executor; config: UnsubscribeConfig }, token: string) {
  const pair = verifiedPair(deps.config.sessionSecret, token);
  const [user, council] = pair ? await Promise.all([findUserById(deps.db, pair.userId), findCouncilById(deps.db, pair.councilId)]) : [];
  if (!pair || !user || !council) throw new AppError('NOT_FOUND', UNSUBSCRIBE_LINK_INVALID_MESSAGE);
  return { ...pair, councilName: council.name };
}

/** For the page behind the link (GET): which council it is about. Changes nothing: link scanners follow GETs. NOT_FOUND for a bad token. */
export async function describeUnsubscribeLink(deps: { db: Executor; config: UnsubscribeConfig }, token: string): Promise<UnsubscribeLinkView> {
  const link = await openLink(deps, token);
  const off = await listOptedOutCouncilIds(deps.db, link.userId);
  return { councilName: link.councilName, alreadyOff: off.includes(link.councilId) };
}

/**
 * The one-click POST (RFC 8058) or the page's button: switches the council's reminders off for
 * the link's user. Needs no session or CSRF token, only the link's own token; NOT_FOUND for a bad one.
 */
export async function unsubscribeWithLink(deps: { db: Executor; config: UnsubscribeConfig }, token: string): Promise<UnsubscribeLinkView> {
  const link = await openLink(deps, token);
  await setOptOuts(deps.db, link.userId, [], [link.councilId]);
  return { councilName: link.councilName, alreadyOff: true };
}
