import { Router } from 'express';
import type { AppDeps } from '../../deps.ts';
import { AppError } from '../../domain/errors.ts';
import { search } from '../../domain/search/service.ts';
import { actorOf, requireLogin } from '../middleware/actor.ts';
import { fieldErrors } from '../forms.ts';
import { presentSearchPage, searchKindChoices } from '../presenters/search.ts';
import { searchQuery } from './search.schemas.ts';

/** The search page: everything the user may see, by words, with filters and pages. */
export function searchRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/search', requireLogin, async (req, res) => {
    const query = searchQuery.parse(req.query);
    const actor = actorOf(res);
    let page;
    let error: AppError | undefined;
    try {
      page = await search(deps, actor, query);
    } catch (caught) {
      if (!(caught instanceof AppError) || caught.code !== 'VALIDATION_FAILED') throw caught;
      error = caught;
    }
    res.status(error ? 422 : 200).render('pages/search', {
      title: query.q ? `Søgning: ${query.q}` : 'Søg',
      query,
      kinds: searchKindChoices(query.kind),
      councils: actor.councils.map((c) => ({ slug: c.slug, name: c.name, selected: query.council === c.slug })),
      results: page ? presentSearchPage(page, query) : undefined,
      error: error?.message,
      fieldErrors: fieldErrors(error),
    });
  });
  return router;
}
