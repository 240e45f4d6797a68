import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/database.ts';
import { findCouncilById } from '../../db/repositories/councils.ts';
import { findPublicCouncil } from '../../db/repositories/public-pages.ts';
import {
  confirmSubscriptionByToken,
  deleteSubscription,
  findOpenConfirmation,
  subscriptionExists,
  upsertPendingSubscription,
} from '../../db/repositories/subscriptions.ts';
import { sha256Hex } from '../auth/digest.ts';
import type { LoginThrottle } from '../auth/throttle.ts';
import { AppError, notFound } from '../errors.ts';
import { QUEUES, type Jobs } from '../jobs/jobs.ts';
import { composeMail } from '../mail/templates.ts';
import { publicBaseUrl } from '../public-url.ts';
import type { Clock } from '../time.ts';
import { emailSchema, parseInput } from '../validation.ts';
import { signedPairToken, verifiedSignedPair } from '../tokens/signed-pair.ts';

/*
 * E-mail subscriptions to a council's public page, by double opt-in: the visitor gives an address,
 * a link is mailed to it, and only following that link (a button: link scanners follow GETs)
 * subscribes it. Until then the address gets nothing more, and a pending row is purged when its
 * link expires. The page says the same whatever the address's state, so it tells no one whether
 * an address is subscribed. Each announcement carries a one-click unsubscribe (RFC 8058), an HMAC
 * over the subscription like the reminders' link; unsubscribing deletes the address.
 */

/** How long a mailed confirmation link works. */
export const SUBSCRIPTION_CONFIRM_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** What the page says after a request, whatever the address's state. */
export const SUBSCRIPTION_REQUESTED_MESSAGE =
  'Tak. Vi har sendt en mail med et link til adressen. Klik på linket for at bekræfte, at du vil have besked. Linket virker i 7 dage.';

/** The words for a confirmation link that is unknown, used or expired. */
export const CONFIRM_LINK_INVALID_MESSAGE = 'Linket virker ikke. Det kan være brugt eller udløbet; du kan bede om et nyt på rådets side.';

/** The words for an unsubscribe link that is not one of ours. */
export const SUBSCRIPTION_UNSUBSCRIBE_INVALID_MESSAGE = 'Linket til at afmelde virker ikke. Skriv til rådet, hvis du vil afmeldes.';

/** The form on /r/:slug/abonner. */
export const subscribeSchema = z.object({ email: emailSchema });

export interface SubscriptionDeps {
  db: Db;
  clock: Clock;
  config: Pick<Config, 'publicUrl' | 'port' | 'sessionSecret'>;
  throttle: LoginThrottle;
  jobs: Jobs;
}

/** A council as the subscription pages name it. */
export interface SubscriptionCouncil {
  slug: string;
  name: string;
}

/** The council of /r/:slug/abonner; NOT_FOUND when there is none. */
export async function subscriptionCouncil(deps: Pick<SubscriptionDeps, 'db'>, slug: string): Promise<SubscriptionCouncil> {
  const council = await findPublicCouncil(deps.db, slug);
  if (!council) throw notFound('Rådet findes ikke');
  return { slug: council.slug, name: council.name };
}

/**
 * A visitor asks for the council's mails at `input.email`: throttled per e-mail and per address
 * (TOO_MANY_REQUESTS), VALIDATION_FAILED for a malformed e-mail. Keeps the request with a new
 * single-use link (only its SHA-256) and queues the confirmation mail in the same transaction.
 * An address that is already subscribed gets a link too, which confirms it again: the answer and
 * the work are the same either way.
 */
export async function requestSubscription(deps: SubscriptionDeps, slug: string, input: unknown, address: string): Promise<SubscriptionCouncil> {
  const { email } = parseInput(subscribeSchema, input);
  const council = await findPublicCouncil(deps.db, slug);
  if (!council) throw notFound('Rådet findes ikke');
  await deps.throttle.consumeSubscribeRequest(email, address);
  const token = `ab_${randomBytes(32).toString('base64url')}`;
  const now = deps.clock();
  const mail = composeMail(
    'subscription-confirm',
    { to: email, subject: `Bekræft, at du vil have besked fra ${council.name}`, automatic: true },
    {
      councilName: council.name,
      confirmUrl: `${publicBaseUrl(deps.config)}/abonnement/bekraeft/${token}`,
      pageUrl: `${publicBaseUrl(deps.config)}/r/${encodeURIComponent(council.slug)}`,
    },
  );
  await deps.db.transaction().execute(async (tx) => {
    await upsertPendingSubscription(tx, {
      councilId: council.id,
      email,
      tokenHash: sha256Hex(token),
      expiresAt: new Date(now.getTime() + SUBSCRIPTION_CONFIRM_TTL_MS),
      now,
    });
    await deps.jobs.enqueue(QUEUES.mail, mail, { tx });
  });
  return { slug: council.slug, name: council.name };
}

/** The council a confirmation link is for, while it is open (GET: changes nothing); NOT_FOUND otherwise. */
export async function openSubscriptionConfirmation(deps: Pick<SubscriptionDeps, 'db' | 'clock'>, token: string): Promise<SubscriptionCouncil> {
  const open = await findOpenConfirmation(deps.db, sha256Hex(token), deps.clock());
  if (!open) throw new AppError('NOT_FOUND', CONFIRM_LINK_INVALID_MESSAGE);
  return { slug: open.councilSlug, name: open.councilName };
}

/**
 * Confirms a subscription with its mailed link: the consent, timed now. The link is used up in the
 * same statement; NOT_FOUND (CONFIRM_LINK_INVALID_MESSAGE) for a link that is unknown, used or expired.
 */
export async function confirmSubscription(deps: Pick<SubscriptionDeps, 'db' | 'clock'>, token: string): Promise<SubscriptionCouncil> {
  const confirmed = await confirmSubscriptionByToken(deps.db, sha256Hex(token), deps.clock());
  const council = confirmed && (await findCouncilById(deps.db, confirmed.councilId));
  if (!council) throw new AppError('NOT_FOUND', CONFIRM_LINK_INVALID_MESSAGE);
  return { slug: council.slug, name: council.name };
}

const UNSUBSCRIBE_PURPOSE = 'raadssvar-public-unsubscribe:v1';

/** The absolute one-click unsubscribe address of a subscription, for List-Unsubscribe and the mail itself. */
export function subscriptionUnsubscribeUrl(config: SubscriptionDeps['config'], subscriptionId: number, councilId: number): string {
  return `${publicBaseUrl(config)}/abonnement/afmeld/${signedPairToken(config.sessionSecret, UNSUBSCRIBE_PURPOSE, subscriptionId, councilId)}`;
}

/** What the unsubscribe page says: which council, and whether the address is already off its list. */
export interface SubscriptionUnsubscribeView {
  councilName: string;
  councilSlug: string;
  alreadyOff: boolean;
}

async function openUnsubscribeLink(deps: Pick<SubscriptionDeps, 'db' | 'config'>, token: string) {
  const pair = verifiedSignedPair(deps.config.sessionSecret, UNSUBSCRIBE_PURPOSE, token);
  const council = pair ? await findCouncilById(deps.db, pair.second) : undefined;
  if (!pair || !council) throw new AppError('NOT_FOUND', SUBSCRIPTION_UNSUBSCRIBE_INVALID_MESSAGE);
  return { id: pair.first, councilId: pair.second, council };
}

/** For the page behind the link (GET): changes nothing, since link scanners follow GETs. NOT_FOUND for a link not ours. */
export async function describeSubscriptionUnsubscribe(
  deps: Pick<SubscriptionDeps, 'db' | 'config'>,
  token: string,
): Promise<SubscriptionUnsubscribeView> {
  const link = await openUnsubscribeLink(deps, token);
  const exists = await subscriptionExists(deps.db, link.id, link.councilId);
  return { councilName: link.council.name, councilSlug: link.council.slug, alreadyOff: !exists };
}

/**
 * The one-click POST (RFC 8058) or the page's button: ends the subscription and deletes the
 * address. Idempotent; needs no session or CSRF token, only the link's own. NOT_FOUND for a link not ours.
 */
export async function unsubscribeSubscription(deps: Pick<SubscriptionDeps, 'db' | 'config'>, token: string): Promise<SubscriptionUnsubscribeView> {
  const link = await openUnsubscribeLink(deps, token);
  await deleteSubscription(deps.db, link.id, link.councilId);
  return { councilName: link.council.name, councilSlug: link.council.slug, alreadyOff: true };
}
