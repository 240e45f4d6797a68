import { expect } from 'chai';
import { sql } from 'kysely';
import fc from 'fast-check';
import Handlebars from 'handlebars';
import type { Express } from 'express';
import { createApp } from '../../src/app.ts';
import { addMeeting } from '../../src/domain/meetings/service.ts';
import { createApiToken, listApiTokensForAdmin } from '../../src/domain/tokens/service.ts';
import { FORM_BODY_LIMIT_BYTES } from '../../src/http/body-limits.ts';
import { loginForm } from '../../src/http/routes/auth.schemas.ts';
import { EVENT_TYPES } from '../../workflows/consultation.machine.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { testDatabase } from '../support/db.ts';
import { tinyPdf } from '../support/documents.ts';
import { makeConsultationInState, makeCouncilWithPeople, makeUser } from '../support/factories.ts';
import { attachTestSamlProvider } from '../support/saml-idp.ts';
import { WebSession } from '../support/web-session.ts';

/**
 * Every form route of the app, with who posts it, the fields its form has and the ids it names.
 * The first test checks this list against the app's router, so a new form cannot be left out.
 */
type Who = 'anonymous' | 'secretary' | 'admin';
interface FormRoute {
  who: Who;
  fields: string[];
  multipart?: boolean;
  /** Fields the page shows again on a refusal, with the id of the element that holds each. */
  kept?: Record<string, string>;
}

/** The council form's fields, the same on creating and on editing a council. */
const COUNCIL_FORM_FIELDS = [
  'slug',
  'name',
  'municipality',
  'referencePrefix',
  'letterheadAddress',
  'letterheadContact',
  'letterheadEmail',
  'dueSoonWorkingDays',
  'reminderWorkingDays',
  'agendaWorkingDays',
  'writtenProcedureQuorumPercent',
  'minutesPublished',
  'removeLogo',
];

const FORM_ROUTES: Record<string, FormRoute> = {
  'POST /login': { who: 'anonymous', fields: ['email', 'password', 'next'], kept: { email: 'email' } },
  'POST /logout': { who: 'anonymous', fields: [] },
  // The municipality's SAML answer (the app here has a provider): without the browser's request
  // cookie every body ends on the login page; signed answers are tested in sso-saml.test.ts.
  'POST /login/saml/acs': { who: 'anonymous', fields: ['SAMLResponse', 'RelayState'] },
  // No password came first: every body ends on the login page.
  'POST /login/second-factor': { who: 'anonymous', fields: ['code'] },
  // The secretary is no administrator: the second factor's pages are a 404 for them.
  'POST /profile/second-factor': { who: 'secretary', fields: ['code'] },
  'POST /profile/second-factor/recovery-codes': { who: 'secretary', fields: ['code'] },
  'POST /consultations/new': {
    who: 'secretary',
    multipart: true,
    fields: [
      'title',
      'authority',
      'authorityReference',
      'authorityEmail',
      'receivedAt',
      'deadlineDate',
      'deadlineTime',
      'summary',
      'sourceUrl',
      'council',
    ],
    kept: {
      title: 'title',
      authority: 'authority',
      authorityReference: 'authorityReference',
      authorityEmail: 'authorityEmail',
      summary: 'summary',
      sourceUrl: 'sourceUrl',
    },
  },
  'POST /consultations/:id/events': {
    who: 'secretary',
    fields: [
      'type',
      'version',
      'comment',
      'reason',
      'note',
      'basis',
      'meetingDate',
      'channel',
      'recipient',
      'submittedAt',
      'deadline',
      'council',
      'assignee',
      'notPublicReason',
    ],
  },
  'POST /consultations/:id/publication': { who: 'secretary', fields: ['public', 'reason'] },
  'POST /consultations/:id/outcome': { who: 'secretary', fields: ['outcome', 'note', 'url'] },
  // The consultation did not arrive by itself: every body ends in a refusal beside the page.
  'POST /consultations/:id/intake': { who: 'secretary', fields: ['deadline', 'version'] },
  'POST /feed-suggestions/:id/accept': { who: 'secretary', fields: [] },
  'POST /feed-suggestions/:id/dismiss': { who: 'secretary', fields: [] },
  'POST /consultations/:id/draft': { who: 'secretary', fields: ['body', 'version'], kept: { body: 'body' } },
  'POST /consultations/:id/comments': { who: 'secretary', fields: ['body'], kept: { body: 'comment-body' } },
  'POST /consultations/:id/status-link': { who: 'secretary', fields: [] },
  // The secretary is no voter: every body ends in a refusal, never a 5xx.
  'POST /consultations/:id/written-procedure/vote': { who: 'secretary', fields: ['vote', 'comment'] },
  'POST /vote/:token': { who: 'anonymous', fields: ['vote', 'comment'] },
  'POST /profile/reminders': { who: 'secretary', fields: ['remind'] },
  'POST /profile/calendar': { who: 'secretary', fields: ['council'] },
  'POST /profile/listing': { who: 'secretary', fields: ['council', 'listed', 'organisation'] },
  'POST /councils/:slug/public-page': { who: 'secretary', fields: ['description', 'email'] },
  'POST /councils/:slug/annual-report/sections': {
    who: 'secretary',
    fields: ['year', 'foreword', 'themes', 'activities'],
    kept: { foreword: 'foreword', themes: 'themes', activities: 'activities' },
  },
  'POST /councils/:slug/annual-report/publish': { who: 'secretary', fields: ['year'] },
  'POST /profile/password': { who: 'secretary', fields: ['currentPassword', 'newPassword', 'confirmPassword'] },
  'POST /password/forgot': { who: 'anonymous', fields: ['email'], kept: { email: 'email' } },
  'POST /password/reset/:token': { who: 'anonymous', fields: ['newPassword', 'confirmPassword'] },
  'POST /reminders/unsubscribe/:token': { who: 'anonymous', fields: ['List-Unsubscribe'] },
  'POST /r/:slug/abonner': { who: 'anonymous', fields: ['email'], kept: { email: 'email' } },
  'POST /abonnement/bekraeft/:token': { who: 'anonymous', fields: [] },
  'POST /abonnement/afmeld/:token': { who: 'anonymous', fields: ['List-Unsubscribe'] },
  'POST /councils/:slug/meetings': { who: 'secretary', fields: ['date', 'time', 'place', 'note'], kept: { place: 'place', note: 'note' } },
  'POST /councils/:slug/meetings/:id/delete': { who: 'secretary', fields: [] },
  'POST /councils/:slug/meetings/:meetingId/agenda/refresh': { who: 'secretary', fields: [] },
  'POST /councils/:slug/meetings/:meetingId/agenda/send': { who: 'secretary', fields: [] },
  'POST /councils/:slug/meetings/:meetingId/agenda/items': {
    who: 'secretary',
    fields: ['title', 'body'],
    kept: { title: 'item-title', body: 'item-body' },
  },
  'POST /councils/:slug/meetings/:meetingId/agenda/consultations': { who: 'secretary', fields: ['consultationId'] },
  'POST /councils/:slug/meetings/:meetingId/agenda/items/:itemId/move': { who: 'secretary', fields: ['direction'] },
  'POST /councils/:slug/meetings/:meetingId/agenda/items/:itemId/remove': { who: 'secretary', fields: [] },
  'POST /councils/:slug/meetings/:meetingId/agenda/items/:itemId/restore': { who: 'secretary', fields: [] },
  'POST /councils/:slug/meetings/:meetingId/minutes/items/:itemId': { who: 'secretary', fields: ['outcome', 'comment'] },
  'POST /councils/:slug/meetings/:meetingId/minutes/finalise': { who: 'secretary', fields: [] },
  'POST /admin/councils': {
    who: 'admin',
    multipart: true,
    fields: COUNCIL_FORM_FIELDS,
    kept: { name: 'name', municipality: 'municipality' },
  },
  'POST /admin/councils/:councilId': {
    who: 'admin',
    multipart: true,
    fields: COUNCIL_FORM_FIELDS,
  },
  'POST /admin/councils/:councilId/meetings': { who: 'admin', fields: ['date', 'time', 'place'] },
  'POST /admin/councils/:councilId/meetings/:meetingId/delete': { who: 'admin', fields: [] },
  // The test first, while no mailbox is stored (a saved random one would be dialled).
  'POST /admin/councils/:councilId/intake/mailbox/test': { who: 'admin', fields: [] },
  'POST /admin/councils/:councilId/intake/mailbox': {
    who: 'admin',
    fields: ['host', 'port', 'tls', 'username', 'password', 'folder', 'afterProcessing', 'processedFolder', 'enabled'],
    kept: { username: 'mailbox-username' },
  },
  'POST /admin/councils/:councilId/intake/mailbox/delete': { who: 'admin', fields: [] },
  'POST /admin/councils/:councilId/intake/feed': {
    who: 'admin',
    fields: ['url', 'keywords', 'authorities', 'enabled'],
    kept: { keywords: 'feed-keywords' },
  },
  'POST /admin/councils/:councilId/intake/feed/delete': { who: 'admin', fields: [] },
  'POST /admin/users': { who: 'admin', fields: ['email', 'name', 'password', 'isAdmin'], kept: { name: 'name', email: 'email' } },
  'POST /admin/users/:userId/disable': { who: 'admin', fields: [] },
  'POST /admin/users/:userId/memberships': { who: 'admin', fields: ['councilId', 'role', 'title'] },
  // Before the delete below, which takes the seat away.
  'POST /admin/users/:userId/memberships/:councilId/term': { who: 'admin', fields: ['termStart', 'termEnd'] },
  'POST /admin/users/:userId/memberships/:councilId/delete': { who: 'admin', fields: [] },
  'POST /admin/users/:userId/tokens': { who: 'admin', fields: ['name'] },
  'POST /admin/users/:userId/tokens/:tokenId/revoke': { who: 'admin', fields: [] },
  'POST /admin/users/:userId/second-factor/reset': { who: 'admin', fields: [] },
  'POST /admin/sso/domains': { who: 'admin', fields: ['domain', 'createUsers', 'requireSso'], kept: { domain: 'sso-domain' } },
  'POST /admin/sso/domains/:domain/delete': { who: 'admin', fields: [] },
};

/** The routes of the app's router for one method outside the JSON API, as "POST /mount/path". */
function routesOf(app: Express, method: 'get' | 'post'): string[] {
  const found: string[] = [];
  type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] }; rawPath?: unknown };
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        if (layer.route.methods[method]) found.push(`${method.toUpperCase()} ${prefix}${layer.route.path}`);
      } else if (layer.handle?.stack) {
        const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
        walk(layer.handle.stack, prefix + mount);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return found.filter((route) => !route.includes(' /api/'));
}

// ---- Generators ------------------------------------------------------------------------------

const nasty = fc.constantFrom(
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\u202eevil',
  '\ud800',
  '0',
  '-1',
  '1e309',
  'NaN',
  'true',
  'on',
  '[]',
  '{}',
  '<script>alert(1)</script>',
  "'; drop table consultations; --",
  '__proto__',
  '../../etc/passwd',
  '2026-12-01T12:00+25:00',
  '9999-12-31',
  '0000-01-01',
  '2026-02-30',
  '25:61',
  '1234567890123',
  'mette@example.dk',
  'https://hoeringsportalen.dk/x',
  'chair_decision',
  'email',
  'secretary',
);

/** Any text a hand-made request might carry, including over-long and invisible characters. */
const hostileText = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 3, arbitrary: nasty },
  { weight: 1, arbitrary: fc.constantFrom(...EVENT_TYPES) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 20 }).map(String) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 30_000 }).map((n) => 'ø'.repeat(n)) },
);

/** A body as pairs: known fields, the CSRF field, odd keys; any of them missing or repeated. */
function bodyPairs(fields: string[]) {
  const key = fc.oneof(
    ...(fields.length ? [{ weight: 6, arbitrary: fc.constantFrom(...fields) }] : []),
    { weight: 1, arbitrary: fc.constantFrom('_csrf', 'type', 'version', 'body', '__proto__', 'constructor', 'a[b]', 'email[]') },
    { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
  );
  return fc.array(fc.tuple(key, hostileText), { maxLength: 12 });
}

/** How the body travels: mostly as the form would send it, sometimes not at all like it. */
const encodings = fc.oneof(
  { weight: 8, arbitrary: fc.constant('form' as const) },
  { weight: 1, arbitrary: fc.constantFrom('no-csrf', 'json', 'text', 'empty', 'other-encoding', 'huge') },
);

const pathValues = fc.oneof(
  { weight: 6, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constantFrom('abc', '-1', '0', '99999999999999', '1.5', '%00', 'x'.repeat(300), '%E2%80%AE', '..%2F..') },
);

/** Files for the multipart forms: none, a real PDF under an odd name, or bytes of no known type. */
const files = fc.array(
  fc.tuple(
    fc.oneof(
      fc.constant('høring.pdf'),
      hostileText.map((name) => `${name}.pdf`),
    ),
    fc.boolean(),
  ),
  { maxLength: 2 },
);

function escaped(value: string): string {
  return Handlebars.escapeExpression(value);
}

/** The value of the input or the text of the textarea with this id, as the page holds it. */
function shownValue(page: string, id: string): string | undefined {
  const input = new RegExp(`<input id="${id}"[^>]* value="([^"]*)"`).exec(page);
  if (input) return input[1];
  return new RegExp(`<textarea id="${id}"[^>]*>([^<]*)</textarea>`).exec(page)?.[1];
}

/** What was typed is on the page again: each kept field sent once, as the server received it. */
function expectTypedKept(form: FormRoute, sent: [string, string][], page: string, context: string): void {
  for (const [field, id] of Object.entries(form.kept ?? {})) {
    const values = sent.filter(([key]) => key === field).map(([, value]) => Buffer.from(value, 'utf8').toString('utf8'));
    if (values.length !== 1 || (form.multipart && /[\r\n]/.test(values[0]!))) continue;
    const shown = shownValue(page, id);
    if (shown === undefined) continue;
    // A value kept across a redirect travels in the session, whose jsonb cannot hold NUL: it comes
    // back as U+FFFD (sessions.ts), which is also what an HTML parser would make of it.
    const asStored = values[0]!.replaceAll('\u0000', '\ufffd');
    const accepted = [values[0]!, values[0]!.trim(), asStored, asStored.trim()].map(escaped);
    expect(accepted, `${field} kept\n${context}`).to.include(shown);
  }
}

// ---- The tests -------------------------------------------------------------------------------

describe('form properties: random and hostile bodies on every form route never give a 5xx', function () {
  this.timeout(600_000);
  let app: TestApp;
  const sessions = {} as Record<Exclude<Who, 'anonymous'>, WebSession>;
  const csrf = {} as Record<Exclude<Who, 'anonymous'>, string>;
  const ids: Record<string, string> = {};
  let secretaryEmail = '';

  before(async () => {
    app = await startTestApp();
    attachTestSamlProvider(app.deps, testDatabase().db);
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const admin = await makeUser(db, { admin: true, name: 'Administrator' });
    const other = await makeUser(db, { council: people.council, role: 'member', name: 'Kasper Prøve' });
    const consultation = await makeConsultationInState(app.deps, people, 'drafted');
    const meeting = await addMeeting(app.deps, people.secretary.actor, people.council.slug, {
      date: `${new Date().getUTCFullYear() + 1}-02-03`,
      time: '17:00',
      place: 'Rådhuset',
    });
    await createApiToken(db, { email: other.email });
    const [token] = await listApiTokensForAdmin(db, admin.actor, other.actor.userId);
    Object.assign(ids, {
      id: consultation.id,
      slug: people.council.slug,
      councilId: String(people.council.id),
      meetingId: String(meeting.id),
      userId: String(other.actor.userId),
      tokenId: String(token!.id),
      // No document, feed or status link has these: the pages answer 404.
      docId: '1',
      domain: 'ukendt-domaene.dk',
      year: '2026',
      itemId: '1',
      token: 'cal_ikke-en-rigtig-noegle-men-lang-nok',
    });
    secretaryEmail = people.secretary.email;
    for (const [who, user] of [
      ['secretary', people.secretary],
      ['admin', admin],
    ] as const) {
      sessions[who] = new WebSession(app.baseUrl);
      await sessions[who].logIn(user.email, user.password);
      csrf[who] = WebSession.csrfToken((await sessions[who].get('/profile')).text);
    }
  });
  after(async () => {
    // The wrong current passwords and reset requests above count against 127.0.0.1 in the login
    // and reset throttles; later test files log in and reset from the same address.
    await sql`delete from login_throttle`.execute(testDatabase().db);
    await app?.close();
  });

  it('lists every form route the router has, and no other', () => {
    expect(routesOf(createApp(app.deps), 'post').sort()).to.deep.equal(Object.keys(FORM_ROUTES).sort());
  });

  for (const [route, form] of Object.entries(FORM_ROUTES)) {
    it(`${route}: a 2xx or 3xx, the form again or an error page with its message — never a 5xx`, async () => {
      const [, pattern] = route.split(' ') as [string, string];
      await fc.assert(
        fc.asyncProperty(
          bodyPairs(form.fields),
          encodings,
          fc.array(pathValues, { minLength: 3, maxLength: 3 }),
          files,
          async (pairs, encoding, odd, chosenFiles) => {
            let oddIndex = 0;
            const path = pattern.replace(/:(\w+)/g, (_match, name: string) => odd[oddIndex++] ?? encodeURIComponent(ids[name]!));
            const { web, token } = await sessionFor(form.who);
            let sent = pairs;
            if (route === 'POST /login') sent = neverAFailedLogin(pairs);
            const request = buildRequest(form, encoding, [['_csrf', token], ...sent], chosenFiles, token);
            const response = await web.request(path, request);
            const context = `${route} as ${path} (${encoding}): ${JSON.stringify(sent).slice(0, 400)}\n→ ${response.status} ${response.text.slice(0, 300)}`;
            expect(response.status, context).to.be.below(500);
            if (response.status === 303 && /^\/consultations\/[^/?#]+#formular-/.test(response.headers.get('location') ?? '')) {
              // A refused form of the consultation page comes back to the page (Post/Redirect/Get).
              const back = await web.follow(response);
              expect(back.status, context).to.equal(200);
              expect(back.text, context).to.match(/class="error-summary"|class="alert alert-error"/);
              if (encoding === 'form') expectTypedKept(form, sent, back.text, context);
              return;
            }
            if (response.status < 400) return;
            expect(response.headers.get('content-type'), context).to.match(/^text\/html/);
            const formAgain = /class="alert alert-error"|class="field-error"/.test(response.text);
            const errorPage = /<h1>(Der opstod en fejl|Siden findes ikke)<\/h1>/.test(response.text);
            expect(formAgain || errorPage, context).to.equal(true);
            if (encoding !== 'form' || !formAgain || ![409, 422].includes(response.status)) return;
            expectTypedKept(form, sent, response.text, context);
          },
        ),
        { numRuns: 30 },
      );
    });
  }

  it('answers every page the router has, with random query strings and odd ids, without a 5xx', async () => {
    const pages = routesOf(createApp(app.deps), 'get');
    const unknownParams = pages.flatMap((route) => [...route.matchAll(/:(\w+)/g)].map((m) => m[1]!)).filter((name) => !(name in ids));
    expect(unknownParams, 'every path parameter has a value to try').to.deep.equal([]);
    const queryKey = fc.oneof(
      fc.constantFrom('q', 'state', 'council', 'mine', 'due', 'after', 'before', 'from', 'to', 'ok', 'saved', 'next', 'registered'),
      fc.string({ maxLength: 6 }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...pages),
        fc.array(
          fc.tuple(
            queryKey,
            hostileText.filter((v) => v.length < 3000),
          ),
          { maxLength: 6 },
        ),
        fc.array(pathValues, { minLength: 3, maxLength: 3 }),
        async (route, query, odd) => {
          let oddIndex = 0;
          const path = route.slice('GET '.length).replace(/:(\w+)/g, (_match, name: string) => odd[oddIndex++] ?? encodeURIComponent(ids[name]!));
          const web = path.startsWith('/admin') ? sessions.admin : sessions.secretary;
          // The preview is a real Chromium render each time: its query is ignored, its id is what varies.
          fc.pre(!path.endsWith('/preview.pdf') || query.length === 0);
          const response = await web.get(`${path}?${new URLSearchParams(query).toString()}`);
          expect(response.status, `GET ${path}?${new URLSearchParams(query).toString().slice(0, 300)}\n→ ${response.text.slice(0, 300)}`).to.be.below(
            500,
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  /** The session that posts a route; someone anonymous gets a fresh one with the login page's token. */
  async function sessionFor(who: Who): Promise<{ web: WebSession; token: string }> {
    if (who !== 'anonymous') {
      // A random body may have logged the user out or renewed things: stay logged in for the next run.
      return { web: sessions[who], token: csrf[who] };
    }
    const web = new WebSession(app.baseUrl);
    return { web, token: WebSession.csrfToken((await web.get('/login')).text) };
  }

  /**
   * A login body that cannot count as a failed login: the address throttle is shared with every
   * other test of the run, so a body that would reach the password check gets a second e-mail,
   * which the form refuses before any check.
   */
  function neverAFailedLogin(pairs: [string, string][]): [string, string][] {
    const parsed = loginForm.safeParse(Object.fromEntries(pairs));
    const emails = pairs.filter(([key]) => key === 'email').length;
    if (emails === 1 && parsed.success && parsed.data.email && parsed.data.password) return [...pairs, ['email', secretaryEmail]];
    return pairs;
  }

  function buildRequest(
    form: FormRoute,
    encoding: string,
    pairs: [string, string][],
    chosenFiles: [string, boolean][],
    token: string,
  ): RequestInit & { headers?: Record<string, string> } {
    const withoutCsrf = pairs.slice(1);
    const urlencoded = (body: [string, string][]) => ({
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(body).toString(),
    });
    switch (encoding) {
      case 'no-csrf':
        return urlencoded(withoutCsrf);
      case 'json':
        return {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-csrf-token': token },
          body: JSON.stringify(Object.fromEntries(withoutCsrf)),
        };
      case 'text':
        return {
          method: 'POST',
          headers: { 'content-type': 'text/plain', 'x-csrf-token': token },
          body: new URLSearchParams(withoutCsrf).toString(),
        };
      case 'empty':
        return { method: 'POST', headers: { 'x-csrf-token': token } };
      case 'huge':
        return urlencoded([...pairs, ['body', 'x'.repeat(FORM_BODY_LIMIT_BYTES)]]);
      case 'other-encoding':
        return form.multipart ? urlencoded(pairs) : { method: 'POST', body: multipartBody(pairs, chosenFiles) };
      default:
        return form.multipart ? { method: 'POST', body: multipartBody(pairs, chosenFiles) } : urlencoded(pairs);
    }
  }

  function multipartBody(pairs: [string, string][], chosenFiles: [string, boolean][]): FormData {
    const body = new FormData();
    for (const [key, value] of pairs) body.append(key, value);
    for (const [name, isPdf] of chosenFiles) {
      const bytes = isPdf ? tinyPdf() : Buffer.from('ikke et dokument');
      body.append(pairs.length % 2 ? 'documents' : 'logo', new Blob([new Uint8Array(bytes)], { type: 'application/pdf' }), name);
    }
    return body;
  }
});
