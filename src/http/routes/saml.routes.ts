import { Router, type NextFunction, type Request, type Response } from 'express';
import { parse as parseCookies, serialize as serializeCookie } from 'cookie';
import { z } from 'zod';
import type { AppDeps } from '../../deps.ts';
import { SAML_REQUEST_VALIDITY_MS, userForIdentity } from '../../domain/auth/single-sign-on.ts';
import { notFound } from '../../domain/errors.ts';
import { publicBaseUrl } from '../../domain/public-url.ts';
import { SAML_PATHS } from '../../adapters/saml.ts';
import { loginQuery, safeNextPath } from './auth.schemas.ts';
import { renderLogin } from './auth.routes.ts';
import { refuseSignOn, startSignedOnSession } from './sso.routes.ts';

/** The cookie that binds a SAML request to the browser it was sent with. */
const REQUEST_COOKIE = 'raadssvar_saml_request';
const REQUEST_COOKIE_PATH = '/login/saml';

/**
 * The provider posts its answer from its own site, and a browser sends a SameSite=Lax cookie (the
 * session's) with no cross-site POST: the request's cookie is SameSite=None, which browsers accept
 * only when Secure. Over plain http (a developer's machine, with the provider on the same site) it
 * is Lax.
 */
function requestCookie(deps: AppDeps, value: string, maxAgeSeconds: number): string {
  const secure = publicBaseUrl(deps.config).startsWith('https:');
  return serializeCookie(REQUEST_COOKIE, value, {
    httpOnly: true,
    path: REQUEST_COOKIE_PATH,
    maxAge: maxAgeSeconds,
    secure,
    sameSite: secure ? 'none' : 'lax',
  });
}

/** The posted answer: the base64 SAMLResponse (a signed response is a few kilobytes) and the RelayState it was sent with. */
const assertionForm = z.object({
  SAMLResponse: z.string().min(1).max(200_000),
  RelayState: z.string().max(2000).optional(),
});

/**
 * The municipality's login over SAML 2.0 (KOMBIT's Adgangsstyring, AD FS): off to the provider with
 * an AuthnRequest whose id is kept in the shared ledger and in a cookie of this browser, and back:
 * the posted assertion checked by node-saml, its request taken once, the person found by the
 * asserted e-mail and a new session logged in as them. Every refusal is the login page with the
 * reason in Danish (the detail in the log, never the assertion); none is a 5xx.
 */
export function samlRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get(SAML_PATHS.metadata, (_req: Request, res: Response) => {
    if (!deps.samlProvider) throw notFound();
    res.type('application/samlmetadata+xml').send(deps.samlProvider.metadata());
  });
  router.get('/login/saml', async (req: Request, res: Response) => {
    const provider = deps.samlProvider;
    if (!provider) throw notFound();
    const after = loginQuery.parse(req.query).next;
    let start: Awaited<ReturnType<typeof provider.startSignOn>>;
    try {
      start = await provider.startSignOn(after);
    } catch (error) {
      deps.logger.warn({ err: error }, 'SAML identity provider unavailable');
      return renderLogin(deps, res, { error: 'Kommunens login svarer ikke lige nu. Prøv igen om lidt, eller log ind med adgangskode.' }, 503);
    }
    res.setHeader('Set-Cookie', requestCookie(deps, start.requestId, SAML_REQUEST_VALIDITY_MS / 1000));
    res.redirect(303, start.url);
  });
  router.post(SAML_PATHS.assertionConsumerService, async (req: Request, res: Response, next: NextFunction) => {
    const provider = deps.samlProvider;
    if (!provider) throw notFound();
    const requestId = parseCookies(req.headers.cookie ?? '')[REQUEST_COOKIE];
    res.setHeader('Set-Cookie', requestCookie(deps, '', 0));
    const posted = assertionForm.safeParse(req.body ?? {});
    if (!posted.success) return renderLogin(deps, res, { error: 'Svaret fra kommunens login var ikke et login-svar. Prøv igen.' }, 400);
    if (!requestId) return renderLogin(deps, res, { error: 'Login med kommunens login blev ikke gennemført. Prøv igen.' }, 400);
    const after = safeNextPath.parse(posted.data.RelayState);
    try {
      const identity = await provider.finishSignOn(posted.data.SAMLResponse, requestId);
      const userId = await userForIdentity(deps, identity);
      startSignedOnSession(req, res, next, userId, { samlSession: identity.session }, after);
    } catch (error) {
      refuseSignOn(deps, res, error, 'SAML');
    }
  });
  // The provider's LogoutResponse comes back here once the person is logged out there too; the
  // session in Rådssvar ended before the browser went there.
  router.get(SAML_PATHS.singleLogoutService, (_req: Request, res: Response) => {
    if (!deps.samlProvider) throw notFound();
    res.redirect(303, '/login');
  });
  return router;
}
