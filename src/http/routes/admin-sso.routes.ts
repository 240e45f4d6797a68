import { Router, type Response } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../../deps.ts';
import { removeSsoDomainAsAdmin, saveSsoDomainAsAdmin, ssoDomainsForAdmin } from '../../domain/auth/single-sign-on.ts';
import type { AppError } from '../../domain/errors.ts';
import { notFound } from '../../domain/errors.ts';
import { publicBaseUrl } from '../../domain/public-url.ts';
import { actorOf } from '../middleware/actor.ts';
import { csrfProtection } from '../middleware/csrf.ts';
import { fieldErrors, formError, typedFields } from '../forms.ts';
import { samlSettingsView } from '../presenters/sign-on.ts';

const domainParams = z.object({ domain: z.string().min(1).max(253) });

/**
 * The administration of the municipality's login: which providers are configured (from OIDC_* and
 * SAML_* in the configuration; no secret or private key is ever shown), the addresses to register with it, and
 * the e-mail domains with their two choices. Mounted inside the administration, behind its admin check.
 */
export function adminSsoRoutes(deps: AppDeps): Router {
  const router = Router();
  const render = async (res: Response, state: { notice?: string; values?: Record<string, string>; error?: AppError } = {}) => {
    const base = publicBaseUrl(deps.config);
    res.status(state.error?.httpStatus ?? 200).render('pages/admin/sso', {
      title: 'Kommunens login (SSO)',
      provider: deps.config.oidc ? { issuer: deps.config.oidc.issuer, clientId: deps.config.oidc.clientId, label: deps.config.oidc.label } : null,
      redirectUri: `${base}/login/sso/callback`,
      postLogoutUri: `${base}/login`,
      saml: samlSettingsView(deps.config.saml, base),
      domains: await ssoDomainsForAdmin(deps, actorOf(res)),
      values: state.values ?? {},
      error: state.error?.message,
      fieldErrors: fieldErrors(state.error),
      notice: state.notice,
    });
  };
  router.get('/sso', async (req, res) => {
    const ok = req.query.ok === 'gemt' ? 'Domænet er gemt.' : req.query.ok === 'fjernet' ? 'Domænet er fjernet.' : undefined;
    await render(res, { notice: ok });
  });
  router.post('/sso/domains', csrfProtection, async (req, res) => {
    try {
      await saveSsoDomainAsAdmin(deps, actorOf(res), req.body ?? {});
      res.redirect(303, '/admin/sso?ok=gemt');
    } catch (error) {
      await render(res, { values: typedFields(req.body), error: formError(error) });
    }
  });
  router.post('/sso/domains/:domain/delete', csrfProtection, async (req, res) => {
    const parsed = domainParams.safeParse(req.params);
    if (!parsed.success) throw notFound();
    await removeSsoDomainAsAdmin(deps, actorOf(res), parsed.data.domain);
    res.redirect(303, '/admin/sso?ok=fjernet');
  });
  return router;
}
