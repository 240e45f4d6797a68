import type { RequestHandler } from 'express';
import { mayActorRegister } from '../../domain/consultations/policy.ts';
import { mayActorSeeOverview } from '../../domain/consultations/overview.ts';

/** Which header links the logged-in user gets: registering for secretaries and admins, the overview for staff. */
export const navLinks: RequestHandler = (_req, res, next) => {
  const actor = res.locals.actor;
  if (actor) {
    res.locals.navRegister = mayActorRegister(actor);
    res.locals.navOverview = mayActorSeeOverview(actor);
  }
  next();
};
