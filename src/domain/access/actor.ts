import type { DataVersions } from '../../db/change-feed.ts';
import { VersionedCache } from '../../db/versioned-cache.ts';
import type { Executor } from '../../db/database.ts';
import type { Role } from '../../db/types.ts';
import { findUserWithMemberships, type UserCouncil } from '../../db/repositories/users.ts';

/** Who is asking: the user and their roles, loaded once per request. */
export interface Actor {
  userId: number;
  email: string;
  name: string;
  isAdmin: boolean;
  councils: UserCouncil[];
}

/** Loads the actor for a user id, or undefined when the user is gone or disabled. */
export async function loadActor(db: Executor, userId: number): Promise<Actor | undefined> {
  const user = await findUserWithMemberships(db, userId);
  if (!user || user.disabled_at) return undefined;
  return { userId: user.id, email: user.email, name: user.name, isAdmin: user.is_admin, councils: user.councils };
}

/** The actor's role in a council, or undefined when they do not sit on it. */
export function roleIn(actor: Actor, councilId: number | null | undefined): Role | undefined {
  if (councilId == null) return undefined;
  return actor.councils.find((c) => c.councilId === councilId)?.role;
}

/** Ids of the councils whose data the actor may read. */
export function readableCouncilIds(actor: Actor): number[] {
  return actor.councils.map((c) => c.councilId);
}

/** How long a cached actor is trusted without any notification, as a last resort (ms). */
const ACTOR_CACHE_TTL_MS = 60_000;

/**
 * loadActor with a per-process cache, for the one lookup nearly every request makes. A copy is
 * used only while `versions` says neither the user, their memberships nor any council changed
 * since it was read (see src/db/change-feed.ts); without live change notifications every call
 * reads the database. Cached actors are frozen: callers share them.
 */
export function cachedActorLoader(db: Executor, versions: DataVersions, max = 10_000): (userId: number) => Promise<Actor | undefined> {
  // null stands for "no such actor", which is worth caching too.
  const cache = new VersionedCache<number, Actor | null>(versions, { max, ttlMs: ACTOR_CACHE_TTL_MS });
  return async (userId) => {
    const actor = await cache.get(userId, `user:${userId}`, async () => {
      const loaded = await loadActor(db, userId);
      return loaded ? deepFreeze(loaded) : null;
    });
    return actor ?? undefined;
  };
}

function deepFreeze<T extends object>(value: T): T {
  for (const inner of Object.values(value)) if (inner && typeof inner === 'object') deepFreeze(inner);
  return Object.freeze(value);
}
