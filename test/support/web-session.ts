import { nextCode, rememberSecret, secretOnPage } from './second-factor.ts';

/** A tiny cookie-keeping HTTP client for server-rendered pages: one browser session, no JavaScript. */
export class WebSession {
  private cookies = new Map<string, string>();

  constructor(private readonly baseUrl: string) {}

  /** The Cookie header this session sends. */
  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keepCookies(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const index = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, index).trim(), pair!.slice(index + 1).trim());
    }
  }

  /** A request that does not follow redirects, so tests can see them. */
  async request(path: string, init: Omit<RequestInit, 'headers'> & { headers?: Record<string, string> } = {}) {
    const response = await fetch(this.baseUrl + path, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers ?? {}), cookie: this.cookieHeader() },
    });
    this.keepCookies(response);
    const text = await response.text();
    return { status: response.status, headers: response.headers, text };
  }

  get(path: string) {
    return this.request(path);
  }

  /**
   * Follows a redirect the way a browser does (GET of its Location, the fragment kept for the
   * caller but not sent); fails when the answer is not a redirect.
   */
  async follow(answer: { status: number; headers: Headers }) {
    const location = answer.headers.get('location');
    if (answer.status < 300 || answer.status > 399 || !location) throw new Error(`not a redirect: ${answer.status}`);
    const url = new URL(location, this.baseUrl);
    const page = await this.get(url.pathname + url.search);
    return { ...page, path: url.pathname, hash: url.hash };
  }

  /** Posts a form; the `_csrf` field is taken from `csrfFrom` (a page's HTML) unless given. */
  postForm(path: string, fields: Record<string, string>) {
    return this.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  }

  /** The CSRF token of a page's first form. */
  static csrfToken(html: string): string {
    const match = /name="_csrf" value="([^"]+)"/.exec(html);
    if (!match) throw new Error('no CSRF token on the page');
    return match[1]!;
  }

  /** A new session at `baseUrl`, logged in as `user` through the login form. */
  static async loggedIn(baseUrl: string, user: { email: string; password: string }): Promise<WebSession> {
    const web = new WebSession(baseUrl);
    await web.logIn(user.email, user.password);
    return web;
  }

  /**
   * Logs in through the login form; returns the response to the POST. An administrator then
   * passes the second factor as a person would: the code from their app (test/support/second-factor.ts)
   * on the second step (that POST's response is returned), or, the first time, the set-up.
   */
  async logIn(email: string, password: string) {
    const page = await this.get('/login');
    const answer = await this.postForm('/login', { _csrf: WebSession.csrfToken(page.text), email, password, next: '/' });
    if (answer.status === 303 && answer.headers.get('location') === '/login/second-factor') {
      const step = await this.get('/login/second-factor');
      return this.postForm('/login/second-factor', { _csrf: WebSession.csrfToken(step.text), code: await nextCode(email) });
    }
    if (answer.status === 303) await this.enrolIfAsked(email);
    return answer;
  }

  /** Sets up the second factor when the app asks this login for it (an administrator's first login). */
  async enrolIfAsked(email: string): Promise<void> {
    const page = await this.get('/profile/second-factor');
    const secret = page.status === 200 ? secretOnPage(page.text) : undefined;
    if (!secret) return;
    rememberSecret(email, secret);
    const done = await this.postForm('/profile/second-factor', { _csrf: WebSession.csrfToken(page.text), code: await nextCode(email) });
    if (done.status !== 200 || !done.text.includes('Dine gendannelseskoder')) throw new Error(`second factor set-up failed: ${done.status}`);
  }
}

/** A random address from the benchmarking range (198.18.0.0/15), for a session of its own behind a trusted proxy. */
export function ownAddress(): string {
  return `198.18.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250) + 1}`;
}

/**
 * A session from an address of its own (`X-Forwarded-For`, for an app started with
 * TRUST_PROXY=loopback), so per-address throttles count only this session's requests.
 */
export class WebSessionFromOwnAddress extends WebSession {
  private readonly address = ownAddress();

  override request(path: string, init: Parameters<WebSession['request']>[1] = {}) {
    const headers = { ...init.headers, 'x-forwarded-for': this.address };
    return super.request(path, { ...init, headers });
  }
}
