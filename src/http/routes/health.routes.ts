import { Router } from 'express';
import type { AppDeps } from '../../deps.ts';
import { isDatabaseHealthy } from '../../domain/health/service.ts';

/** GET /healthz: 200 when the database answers, 503 otherwise. */
export function healthRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/healthz', async (_req, res) => {
    const healthy = await isDatabaseHealthy(deps.db);
    res.status(healthy ? 200 : 503).json({ status: healthy ? 'ok' : 'unavailable' });
  });
  return router;
}
