import type { Config } from '../../config.ts';
import type { Executor } from '../../db/database.ts';
import { findCouncilById } from '../../db/repositories/councils.ts';
import { listOptedOutCouncilIds, setOptOuts } from '../../db/repositories/reminders.ts';
import { findUserById } from '../../db/repositories/users.ts';
import { AppError } from '../errors.ts';
import { signedPairToken, verifiedSignedPair } from '../tokens/signed-pair.ts';
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

const PURPOSE = 'raadssvar-reminder-unsubscribe:v1';

/** The single-purpose token that switches `councilId`'s reminders off for `userId`. */
export function unsubscribeToken(secret: string, userId: number, councilId: number): string {
  return signedPairToken(secret, PURPOSE, userId, councilId);
}

/** The absolute address of the unsubscribe link, for List-Unsubscribe and the mail's own link. */
export function unsubscribeUrl(config: UnsubscribeConfig, userId: number, councilId: number): string {
  return `${publicBaseUrl(config)}/reminders/unsubscribe/${unsubscribeToken(config.sessionSecret, userId, councilId)}`;
}

/** What the unsubscribe page tells the person who followed the link. */
export interface UnsubscribeLinkView {
  councilName: string;
  /** True when that council's reminders are already off for the user. */
  alreadyOff: boolean;
}

async function openLink(deps: { db: Executor; config: UnsubscribeConfig }, token: string) {
  const pair = verifiedSignedPair(deps.config.sessionSecret, PURPOSE, token);
  const [user, council] = pair ? await Promise.all([findUserById(deps.db, pair.first), findCouncilById(deps.db, pair.second)]) : [];
  if (!pair || !user || !council) throw new AppError('NOT_FOUND', UNSUBSCRIBE_LINK_INVALID_MESSAGE);
  return { userId: pair.first, councilId: pair.second, councilName: council.name };
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
