import type { Config } from '../config.ts';

/**
 * The address users reach Rådssvar at, for every absolute link that leaves the app (status
 * links, calendar feeds, mails, the start banner): `PUBLIC_URL`, else `http://localhost:PORT`.
 * Never taken from a request's Host or X-Forwarded-* headers, which any client can set.
 */
export function publicBaseUrl(config: Pick<Config, 'publicUrl' | 'port'>): string {
  return config.publicUrl ?? `http://localhost:${config.port}`;
}
