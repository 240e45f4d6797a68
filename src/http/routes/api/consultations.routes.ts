import { Router, type Response } from 'express';
import type { AppDeps } from '../../../deps.ts';
import {
  getConsultation,
  listConsultations,
  registerConsultation,
  saveDraft,
  sendEvent,
  type ConsultationDetails,
} from '../../../domain/consultations/service.ts';
import { castVote } from '../../../domain/written-procedure/service.ts';
import { statusUrlsForViews } from '../../../domain/consultations/status-links.ts';
import { parseInput } from '../../../domain/validation.ts';
import { actorOf } from '../../middleware/actor.ts';
import { consultationJson, consultationSummaryJson, type ConsultationJson, type ConsultationPageJson } from '../../presenters/consultation-json.ts';
import { consultationIdParams, listConsultationsQuery } from './consultations.schemas.ts';

/** JSON API v1 for consultations. Bearer authentication is applied by the caller. */
export function consultationApiRoutes(deps: AppDeps): Router {
  const router = Router();
  // Every answer about one consultation, whichever operation gave it: the same fields, with the
  // status link for those who may see it.
  const present = async (res: Response, consultation: ConsultationDetails): Promise<ConsultationJson> =>
    consultationJson(consultation, await statusUrlsForViews(deps, actorOf(res), [consultation]));

  router.get('/consultations', async (req, res) => {
    const query = parseInput(listConsultationsQuery, req.query);
    const page = await listConsultations(deps, actorOf(res), query);
    const urls = await statusUrlsForViews(deps, actorOf(res), page.items);
    const body: ConsultationPageJson = { items: page.items.map((item) => consultationSummaryJson(item, urls)), nextCursor: page.nextCursor };
    res.json(body);
  });
  router.post('/consultations', async (req, res) => {
    const created = await registerConsultation(deps, actorOf(res), req.body);
    res
      .status(201)
      .location(`/api/v1/consultations/${created.id}`)
      .json(await present(res, created));
  });
  router.get('/consultations/:id', async (req, res) => {
    const { id } = parseInput(consultationIdParams, req.params);
    res.json(await present(res, await getConsultation(deps, actorOf(res), id)));
  });
  router.put('/consultations/:id/draft', async (req, res) => {
    const { id } = parseInput(consultationIdParams, req.params);
    res.json(await present(res, await saveDraft(deps, actorOf(res), id, req.body)));
  });
  router.post('/consultations/:id/events', async (req, res) => {
    const { id } = parseInput(consultationIdParams, req.params);
    res.json(await present(res, await sendEvent(deps, actorOf(res), id, req.body)));
  });
  router.post('/consultations/:id/written-procedure/votes', async (req, res) => {
    const { id } = parseInput(consultationIdParams, req.params);
    res.json(await present(res, await castVote(deps, actorOf(res), id, req.body)));
  });
  return router;
}
