import { Router } from 'express';
import type { AppDeps } from '../../../deps.ts';
import { buildOpenApiDocument } from '../../openapi.ts';

/** GET /api/openapi.json, public: the API's description generated from its zod schemas. */
export function openApiRoutes(deps: AppDeps): Router {
  const router = Router();
  let document: ReturnType<typeof buildOpenApiDocument> | undefined;
  router.get('/openapi.json', (req, res) => {
    document ??= buildOpenApiDocument(deps.config.publicUrl ?? `${req.protocol}://${req.get('host')}`);
    res.json(document);
  });
  return router;
}
