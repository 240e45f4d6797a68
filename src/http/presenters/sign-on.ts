import { X509Certificate } from 'node:crypto';
import type { SamlConfig } from '../../config.ts';
import type { AppDeps } from '../../deps.ts';
import { samlEndpoints, SAML_PATHS } from '../../adapters/saml.ts';

/** A button of the login page for one of the municipality's logins. */
export interface SignOnButton {
  label: string;
  href: string;
}

/** The login page's buttons for the configured municipal logins (OpenID Connect, SAML), each coming back to `next`. */
export function signOnButtons(deps: Pick<AppDeps, 'identityProvider' | 'samlProvider'>, next = '/'): SignOnButton[] {
  const query = new URLSearchParams({ next }).toString();
  return [
    ...(deps.identityProvider ? [{ label: deps.identityProvider.label, href: `/login/sso?${query}` }] : []),
    ...(deps.samlProvider ? [{ label: deps.samlProvider.label, href: `/login/saml?${query}` }] : []),
  ];
}

/** The SAML settings as an administrator checks them against the provider's: addresses, attributes and certificate fingerprints, never a key. */
export function samlSettingsView(settings: SamlConfig | undefined, publicBase: string) {
  const endpoints = samlEndpoints(publicBase);
  return {
    configured: Boolean(settings),
    entityId: endpoints.entityId,
    metadataUrl: `${publicBase}${SAML_PATHS.metadata}`,
    assertionConsumerService: endpoints.assertionConsumerService,
    singleLogoutService: endpoints.singleLogoutService,
    ...(settings
      ? {
          entryPoint: settings.entryPoint,
          idpIssuer: settings.idpIssuer,
          logoutUrl: settings.logoutUrl,
          emailAttribute: settings.emailAttribute,
          nameAttribute: settings.nameAttribute,
          label: settings.label,
          idpFingerprints: settings.idpCerts.map((pem) => new X509Certificate(pem).fingerprint256),
          signingFingerprint: settings.signing ? new X509Certificate(settings.signing.cert).fingerprint256 : undefined,
        }
      : {}),
  };
}
