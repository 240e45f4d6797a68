import { Router } from 'express';
import type { AppDeps } from '../../deps.ts';
import { calendarFeedForToken } from '../../domain/calendar/service.ts';
import { notFound } from '../../domain/errors.ts';
import { isNotModified } from '../presenters/conditional.ts';
import { calendarFeedParams } from './calendar.schemas.ts';

/**
 * The secret iCalendar feeds. Calendar programs fetch them without a session or cookies, so this
 * router is mounted before the session middleware; the token in the address is the only key.
 * A conditional request (If-None-Match, or else If-Modified-Since) whose copy is still current
 * gets 304 with the same ETag and Last-Modified and no body.
 */
export function calendarFeedRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/calendar/:token.ics', async (req, res) => {
    const parsed = calendarFeedParams.safeParse(req.params);
    if (!parsed.success) throw notFound('Kalenderen findes ikke');
    const feed = await calendarFeedForToken(deps, parsed.data.token);
    res.set({
      ETag: feed.etag,
      'Last-Modified': feed.lastModified.toUTCString(),
      'Content-Type': 'text/calendar; charset=utf-8',
      'Content-Disposition': 'inline; filename="raadssvar.ics"',
      'Cache-Control': 'private, no-cache',
      'Referrer-Policy': 'no-referrer',
    });
    if (isNotModified(req, feed)) return void res.status(304).end();
    res.send(feed.body);
  });
  return router;
}
