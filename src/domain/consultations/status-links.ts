import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { Executor } from '../../db/database.ts';
import { findConsultationRow } from '../../db/repositories/consultations.ts';
import {
  findConsultationByStatusToken,
  insertMissingStatusLinks,
  listConsultationsWithoutStatusLink,
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

/** Creates the status link of a newly registered consultation (inside its registering transaction). */
export async function createStatusLink(db: Executor, secret: string, consultationId: string): Promise<void> {
  await insertMissingStatusLinks(db, [newLink(secret, consultationId)]);
}

/**
 * Creates the links of consultations registered before every registration made one, a batch at a
 * time; returns how many it created. Run at boot, after the migrations: the links are derived
 * under the server secret, which migrations do not have.
 */
export async function createMissingStatusLinks(db: Executor, secret: string): Promise<number> {
  let created = 0;
  let afterId: string | null = null;
  for (;;) {
    const ids: string[] = await listConsultationsWithoutStatusLink(db, afterId, 1000);
    if (ids.length === 0) return created;
    await insertMissingStatusLinks(
      db,
      ids.map((id) => newLink(secret, id)),
    );
    created += ids.length;
    afterId = ids[ids.length - 1]!;
  }
}

/**
 * The absolute status URLs of the given consultations. Only reads: every consultation got its link
 * when it was registered. The caller passes only consultations whose links the actor may see.
 */
export async function statusUrlsFor(deps: StatusLinkDeps, consultationIds: string[]): Promise<Map<string, string>> {
  const links = await listStatusLinks(deps.db, consultationIds);
  return new Map(links.map((l) => [l.consultation_id, statusUrlOfNonce(deps.config, l.nonce)]));
}

/** The absolute status URL of a link's stored nonce. */
export function statusUrlOfNonce(config: StatusLinkDeps['config'], nonce: string): string {
  return `${publicBaseUrl(config)}/status/${tokenFor(config.sessionSecret, nonce)}`;
}

/** The status URL of one consultation for an actor who may see it, else null. */
export async function statusUrlFor(
  deps: StatusLinkDeps,
  actor: Actor,
  row: { id: string; council_id: number | null; created_by: number | null },
): Promise<string | null> {
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
  return statusUrlOfNonce(deps.config, link.nonce);
}

/** The public facts behind a status token; NOT_FOUND for an unknown or replaced token. */
export async function publicStatus(deps: StatusLinkDeps, token: string) {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) throw notFound();
  const row = await findConsultationByStatusToken(deps.db, sha256(token));
  if (!row) throw notFound();
  return {
    title: row.title,
    authority: row.authority,
    state: row.state,
    deadline: row.deadline,
    councilName: row.councilName,
    /** The council's public page (/r/:slug), which the status page links to. */
    councilPagePath: row.councilSlug ? `/r/${encodeURIComponent(row.councilSlug)}` : null,
    updatedAt: row.updated_at,
  };
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
  return statusUrlsFor(
    deps,
    allowed.map((v) => v.id),
  );
}
