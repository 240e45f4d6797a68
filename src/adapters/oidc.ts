import * as client from 'openid-client';
import { SignOnRejected, type IdentityProvider, type PendingSignOn } from '../domain/auth/single-sign-on.ts';

/*
 * The municipality's OpenID Connect provider through openid-client: discovery from the issuer,
 * the authorization code flow with PKCE (S256), state and nonce, and the ID token checked by the
 * library (signature against the provider's published keys, issuer, audience, expiry, nonce). Discovery
 * runs on the first login, not at boot, so a provider that is down does not stop Rådssvar; a
 * failed discovery is tried again at the next login.
 */

/** The provider's settings (OIDC_* in the configuration). */
export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  label: string;
}

/** The {@link IdentityProvider} over OpenID Connect. */
export function oidcIdentityProvider(settings: OidcSettings): IdentityProvider {
  let configuration: Promise<client.Configuration> | undefined;
  const configured = () => {
    const issuer = new URL(settings.issuer);
    // Plain http only for a provider on this machine (tests, a local test provider); the configuration refuses it in production.
    // The ID token's signature is checked against the provider's published keys too, not only
    // trusted for having come over TLS from the token endpoint (openid-client's default).
    const execute = [client.enableNonRepudiationChecks, ...(issuer.protocol === 'http:' ? [client.allowInsecureRequests] : [])];
    configuration ??= client
      .discovery(issuer, settings.clientId, settings.clientSecret, undefined, { execute, timeout: 20 })
      .catch((error: unknown) => {
        configuration = undefined;
        throw error;
      });
    return configuration;
  };
  return {
    label: settings.label,
    async startSignOn(redirectUri, next) {
      const config = await configured();
      const pending: PendingSignOn = {
        state: client.randomState(),
        nonce: client.randomNonce(),
        codeVerifier: client.randomPKCECodeVerifier(),
        next,
      };
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid email profile',
        response_type: 'code',
        code_challenge: await client.calculatePKCECodeChallenge(pending.codeVerifier),
        code_challenge_method: 'S256',
        state: pending.state,
        nonce: pending.nonce,
      });
      return { url: url.href, pending };
    },
    async finishSignOn(callbackUrl, pending) {
      const config = await configured();
      let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
      try {
        tokens = await client.authorizationCodeGrant(config, callbackUrl, {
          pkceCodeVerifier: pending.codeVerifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        });
      } catch (error) {
        throw new SignOnRejected(error instanceof Error ? error.message : 'the provider’s answer was refused');
      }
      const idClaims = tokens.claims();
      if (!idClaims || !tokens.id_token) throw new SignOnRejected('no ID token');
      // Providers that keep the ID token small give the e-mail at the UserInfo endpoint, for the same subject.
      const claims: Record<string, unknown> =
        typeof idClaims.email === 'string'
          ? idClaims
          : { ...(await client.fetchUserInfo(config, tokens.access_token, idClaims.sub)), sub: idClaims.sub };
      return {
        email: typeof claims.email === 'string' ? claims.email : undefined,
        emailVerified: claims.email_verified === true,
        name: typeof claims.name === 'string' ? claims.name : undefined,
        idToken: tokens.id_token,
      };
    },
    async logoutUrl(idToken, postLogoutRedirectUri) {
      const config = await configured();
      if (!config.serverMetadata().end_session_endpoint) return undefined;
      return client.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: postLogoutRedirectUri }).href;
    },
  };
}
