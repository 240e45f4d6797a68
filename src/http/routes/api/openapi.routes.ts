import { Router } from 'express';
import type { AppDeps } from '../../../deps.ts';
import { buildOpenApiDocument, openApiServerUrl } from '../../openapi.ts';

/**
 * GET /api/openapi.json, public: the API's description generated from its zod schemas. The
 * document is the same for every client; nothing of a request (Host, X-Forwarded-*) goes into it.
 */
export function openApiRoutes(deps: AppDeps): Router {
  const router = Router();
  const document = buildOpenApiDocument();
  router.get('/openapi.json', (_req, res) => {
    res.json({ ...document, servers: [{ url: openApiServerUrl(deps.config) }] });
  });
  return router;
}
