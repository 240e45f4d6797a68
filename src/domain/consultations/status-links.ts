import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { Executor } from '../../db/database.ts';
import { findConsultationRow } from '../../db/repositories/consultations.ts';
import {
  findConsultationByStatusToken,
  insertMissingStatusLinks,
  listStatusLinks,
  upsertStatusLink,
} from '../../db/repositories/consultation-extras.ts';
import { roleIn, type Actor } from '../access/actor.ts';
import { forbidden, notFound } from '../errors.ts';
import type { Clock } from '../time.ts';
import { publicBaseUrl } from '../public-url.ts';
import { mayActorSee } from './policy.ts';

/** What status links need: the database and the server secret the tokens are derived under. */
export interface StatusLinkDeps {
  db: Executor;
  clock: Clock;
  config: { publicUrl: string | undefined; port: number; sessionSecret: string };
}

// The token is HMAC(secret, nonce): only the nonce and the token's SHA-256 are stored, so the
// database alone never gives a working link, yet the secretary can be shown the link again.
function tokenFor(secret: string, nonce: string): string {
  return createHmac('sha256', secret).update(`raadssvar-status-link:${nonce}`).digest('base64url');
}

function sha256(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function newLink(secret: string, consultationId: string) {
  const nonce = randomBytes(18).toString('base64url');
  return { consultationId, nonce, tokenSha256: sha256(tokenFor(secret, nonce)) };
}

/** True when the actor may see and hand out a consultation's status link: its secretary or chair, an admin, or whoever registered it while unassigned. */
export function mayActorSeeStatusLink(actor: Actor, row: { council_id: number | null; created_by: number | null }): boolean {
  if (actor.isAdmin) return true;
  if (row.council_id === null) return row.created_by === actor.userId;
  const role = roleIn(actor, row.council_id);
  return role === 'secretary' || role === 'chair';
}

/**
 * The absolute status URLs of the given consultations, creating links for those that have none.
 * The caller passes only consultations whose links the actor may see.
 */
export async function statusUrlsFor(deps: StatusLinkDeps, consultationIds: string[]): Promise<Map<string, string>> {
  const secret = deps.config.sessionSecret;
  let links = await listStatusLinks(deps.db, consultationIds);
  const missing = consultationIds.filter((id) => !links.some((l) => l.consultation_id === id));
  if (missing.length > 0) {
    await insertMissingStatusLinks(deps.db, missing.map((id) => newLink(secret, id)));
    links = await listStatusLinks(deps.db, consultationIds);
  }
  return new Map(links.map((l) => [l.consultation_id, `${publicBaseUrl(deps.config)}/status/${tokenFor(secret, l.nonce)}`]));
}

/** The status URL of one consultation for an actor who may see it, else null. */
export async function statusUrlFor(deps: StatusLinkDeps, actor: Actor, row: { id: string; council_id: number | null; created_by: number | null }): Promise<string | null> {
  if (!mayActorSeeStatusLink(actor, row)) return null;
  return (await statusUrlsFor(deps, [row.id])).get(row.id) ?? null;
}

/** Replaces a consultation's status link; the old link stops working at once. Secretaries of its council and admins. */
export async function renewStatusLink(deps: StatusLinkDeps, actor: Actor, id: string): Promise<string> {
  const row = /^[0-9a-f-]{36}$/i.test(id) ? await findConsultationRow(deps.db, id) : undefined;
  if (!row || !mayActorSee(actor, row)) throw notFound('Høringen findes ikke');
  const isSecretary = row.council_id === null ? row.created_by === actor.userId : roleIn(actor, row.council_id) === 'secretary';
  if (!actor.isAdmin && !isSecretary) throw forbidden('Kun rådets sekretær kan forny statuslinket');
  const link = newLink(deps.config.sessionSecret, id);
  await upsertStatusLink(deps.db, link);
  return `${publicBaseUrl(deps.config)}/status/${tokenFor(deps.config.sessionSecret, link.nonce)}`;
}

/** The public facts behind a status token; NOT_FOUND for an unknown or replaced token. */
export async function publicStatus(deps: StatusLinkDeps, token: string) {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) throw notFound();
  const row = await findConsultationByStatusToken(deps.db, sha256(token));
  if (!row) throw notFound();
  return { title: row.title, authority: row.authority, state: row.state, deadline: row.deadline, councilName: row.councilName, updatedAt: row.updated_at };
}

/**
 * Status URLs for consultations the actor already sees (as listed or fetched), only those whose
 * link the actor may see. An unassigned consultation is visible to a non-admin only when they
 * registered it, so they may see its link too.
 */
export async function statusUrlsForViews(
  deps: StatusLinkDeps,
  actor: Actor,
  views: { id: string; council: { id: number } | null }[],
): Promise<Map<string, string>> {
  const allowed = views.filter((v) => {
    if (actor.isAdmin || v.council === null) return true;
    const role = roleIn(actor, v.council.id);
    return role === 'secretary' || role === 'chair';
  });
  return statusUrlsFor(deps, allowed.map((v) => v.id));
}
