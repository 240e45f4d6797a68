import { Router } from 'express';
import type { AppDeps } from '../../../deps.ts';
import { search } from '../../../domain/search/service.ts';
import { actorOf } from '../../middleware/actor.ts';
import { searchJson } from '../../presenters/search-json.ts';
import { searchQuery } from '../search.schemas.ts';

/** GET /api/v1/search: the search of /search as JSON. Bearer authentication is applied by the caller. */
export function searchApiRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/search', async (req, res) => {
    res.json(searchJson(await search(deps, actorOf(res), searchQuery.parse(req.query))));
  });
  return router;
}
