import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import Provider from 'oidc-provider';

/*
 * A real OpenID provider for the single sign-on tests: npm's oidc-provider, in this process on a
 * loopback port, with one client (Rådssvar), PKCE required and RP-initiated logout. The person
 * "typing their credentials" at the provider is whoever the test chose (`signInAs`): the
 * interaction pages finish the login for them. In front of it sits a pass-through proxy that, when
 * a test asks, rewrites the ID token of the token response — another audience, an expiry in the
 * past, or a signature by a key the provider never published — so the tests see Rådssvar refuse it.
 */

/** How the next token response's ID token is spoilt, if at all. */
export type Tampering = 'none' | 'wrong-audience' | 'expired' | 'bad-signature';

export interface OidcServer {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The claims of the person who logs in at the provider next. */
  signInAs(claims: { sub: string; email?: string; email_verified?: boolean; name?: string }): void;
  tamperNextToken(how: Tampering): void;
  /** Follows the provider's pages from its authorization URL to the redirect back to Rådssvar; returns that URL. */
  authorize(url: string): Promise<URL>;
  /** The logout requests the provider received (their query strings). */
  logouts: URLSearchParams[];
  stop(): Promise<void>;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Starts the provider for a Rådssvar whose public base URL is `appBaseUrl`. */
export async function startOidcServer(appBaseUrl: string): Promise<OidcServer> {
  const front = createServer();
  const frontPort = await listen(front);
  const issuer = `http://127.0.0.1:${frontPort}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey: JWK = { ...(await exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const strangerKey = (await generateKeyPair('RS256')).privateKey;
  const clientId = 'raadssvar';
  const clientSecret = `hemmelighed-${Math.random().toString(36).slice(2)}-${Date.now()}`;
  let person: { sub: string; email?: string; email_verified?: boolean; name?: string } = { sub: 'nobody' };
  let tampering: Tampering = 'none';
  const logouts: URLSearchParams[] = [];

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [`${appBaseUrl}/login/sso/callback`],
        post_logout_redirect_uris: [`${appBaseUrl}/login`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: ['oidc-test-cookie-key'] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ ...person, sub }) }),
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: true, logoutSource: (ctx, form) => void (ctx.body = `<!doctype html>${form}`) },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    pkce: { required: () => true },
  });
  provider.on('end_session.success', (ctx: { oidc?: { params?: Record<string, unknown> } }) => {
    logouts.push(new URLSearchParams(Object.entries(ctx.oidc?.params ?? {}).map(([k, v]) => [k, String(v)])));
  });
  const providerCallback = provider.callback();

  // The provider's own server, behind the front one.
  const interact = async (req: IncomingMessage, res: ServerResponse) => {
    // The person logs in and agrees: login first, then consent for the scopes asked.
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === 'login') {
      return void (await provider.interactionFinished(req, res, { login: { accountId: person.sub } }, { mergeWithLastSubmission: false }));
    }
    const grant = new provider.Grant({ accountId: details.session!.accountId, clientId });
    grant.addOIDCScope('openid email profile');
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  };
  const inner = createServer((req: IncomingMessage, res: ServerResponse) => {
    const answered = req.url?.startsWith('/interaction/') ? interact(req, res) : providerCallback(req, res);
    void Promise.resolve(answered).catch(() => res.writeHead(500).end());
  });
  const innerPort = await listen(inner);

  const forward = async (req: IncomingMessage, res: ServerResponse) => {
    const payload = await body(req);
    const forwarded = httpRequest(
      { host: '127.0.0.1', port: innerPort, path: req.url, method: req.method, headers: req.headers },
      (answer) => void answerWith(answer).catch(() => res.writeHead(502).end()),
    );
    const answerWith = async (answer: IncomingMessage) => {
      let bytes = await body(answer);
      const how = tampering;
      if (req.url?.startsWith('/token') && how !== 'none' && answer.statusCode === 200) {
        tampering = 'none';
        const json = JSON.parse(bytes.toString('utf8')) as { id_token: string };
        const claims = decodeJwt(json.id_token);
        const now = Math.floor(Date.now() / 1000);
        const changed = {
          ...claims,
          ...(how === 'wrong-audience' ? { aud: 'en-anden-tjeneste' } : {}),
          ...(how === 'expired' ? { iat: now - 7200, exp: now - 3600 } : {}),
        };
        const key = how === 'bad-signature' ? strangerKey : privateKey;
        json.id_token = await new SignJWT(changed).setProtectedHeader({ alg: 'RS256', kid: 'test-key' }).sign(key);
        bytes = Buffer.from(JSON.stringify(json));
      }
      const headers = { ...answer.headers, 'content-length': String(bytes.length) };
      res.writeHead(answer.statusCode ?? 502, headers).end(bytes);
    };
    forwarded.on('error', () => res.writeHead(502).end());
    forwarded.end(payload);
  };
  front.on('request', (req: IncomingMessage, res: ServerResponse) => void forward(req, res).catch(() => res.writeHead(502).end()));

  const jar = new Map<string, string>();
  const fetchKeepingCookies = async (url: URL) => {
    const response = await fetch(url, { redirect: 'manual', headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const index = pair!.indexOf('=');
      jar.set(pair!.slice(0, index).trim(), pair!.slice(index + 1).trim());
    }
    return response;
  };

  return {
    issuer,
    clientId,
    clientSecret,
    logouts,
    signInAs(claims) {
      person = claims;
    },
    tamperNextToken(how) {
      tampering = how;
    },
    async authorize(url) {
      let next = new URL(url);
      for (let hop = 0; hop < 10; hop += 1) {
        if (next.origin !== issuer) return next;
        const response = await fetchKeepingCookies(next);
        const location = response.headers.get('location');
        if (!location) throw new Error(`the provider answered ${response.status} at ${next.pathname}: ${(await response.text()).slice(0, 300)}`);
        next = new URL(location, next);
      }
      throw new Error('too many redirects at the provider');
    },
    async stop() {
      await new Promise((resolve) => front.close(resolve));
      await new Promise((resolve) => inner.close(resolve));
    },
  };
}
