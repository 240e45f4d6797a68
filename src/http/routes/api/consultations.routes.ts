import { Router } from 'express';
import type { AppDeps } from '../../../deps.ts';
import { getConsultation, listConsultations, registerConsultation, saveDraft, sendEvent } from '../../../domain/consultations/service.ts';
import { statusUrlsForViews } from '../../../domain/consultations/status-links.ts';
import { parseInput } from '../../../domain/validation.ts';
import { actorOf } from '../../middleware/actor.ts';
import { consultationJson } from '../../presenters/consultation-json.ts';
import { consultationIdParams, listConsultationsQuery } from './consultations.schemas.ts';

/** JSON API v1 for consultations. Bearer authentication is applied by the caller. */
export function consultationApiRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/consultations', async (req, res) => {
    const query = parseInput(listConsultationsQuery, req.query);
    const page = await listConsultations(deps, actorOf(res), query);
    res.json({ items: page.items.map((item) => consultationJson(item)), nextCursor: page.nextCursor });
  });
  router.post('/consultations', async (req, res) => {
    const created = await registerConsultation(deps, actorOf(res), req.body);
    const urls = await statusUrlsForViews(deps, actorOf(res), [created]);
    res.status(201).location(`/api/v1/consultations/${created.id}`).json(consultationJson(created, urls));
  });
  router.get('/consultations/:id', async (req, res) => {
    const { id } = parseInput(consultationIdParams, req.params);
    const consultation = await getConsultation(deps, actorOf(res), id);
    res.json(consultationJson(consultation, await statusUrlsForViews(deps, actorOf(res), [consultation])));
  });
  router.put('/consultations/:id/draft', async (req, res) => {
    const { id } = parseInput(consultationIdParams, req.params);
    res.json(consultationJson(await saveDraft(deps, actorOf(res), id, req.body)));
  });
  router.post('/consultations/:id/events', async (req, res) => {
    const { id } = parseInput(consultationIdParams, req.params);
    res.json(consultationJson(await sendEvent(deps, actorOf(res), id, req.body)));
  });
  return router;
}
