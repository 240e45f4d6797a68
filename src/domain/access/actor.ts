import type { Executor } from '../../db/database.ts';
import type { Role } from '../../db/types.ts';
import { findUserWithMemberships, type UserCouncil, type UserWithCouncils } from '../../db/repositories/users.ts';

/** Who is asking: the user and their roles, loaded once per request. */
export interface Actor {
  userId: number;
  email: string;
  name: string;
  isAdmin: boolean;
  councils: UserCouncil[];
  /** Whether the user has a confirmed second factor (TOTP); undefined: none. */
  secondFactor?: boolean;
}

/**
 * Loads the actor for a user id, or undefined when the user is gone or disabled: one indexed read
 * of the user with their councils, on every request, so a disabled user or a removed membership
 * takes effect at once in every process.
 */
export async function loadActor(db: Executor, userId: number): Promise<Actor | undefined> {
  return actorOfUser(await findUserWithMemberships(db, userId));
}

/** The actor a user row (with its councils) stands for, or undefined when the user is gone or disabled. */
export function actorOfUser(user: UserWithCouncils | undefined): Actor | undefined {
  if (!user || user.disabled_at) return undefined;
  return {
    userId: user.id,
    email: user.email,
    name: user.name,
    isAdmin: user.is_admin,
    councils: user.councils,
    secondFactor: user.totp_confirmed_at !== null,
  };
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
