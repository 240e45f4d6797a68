import { expect } from 'chai';
import fc from 'fast-check';
import { parse as parseQueryString } from 'node:querystring';
import { startTestApp, type TestApp } from '../support/app.ts';
import { testDatabase } from '../support/db.ts';
import { apiTokenFor, makeConsultationInState, makeCouncilWithPeople, type WorkflowStop } from '../support/factories.ts';
import { eventSchema, newConsultationSchema, saveDraftSchema } from '../../src/domain/consultations/schemas.ts';
import { EARLIEST_PAST_DAY, type EventDeps } from '../../src/domain/consultations/service.ts';
import type { ErrorCode } from '../../src/domain/errors.ts';
import { submissionMailAddress } from '../../src/domain/mail/submission.ts';
import { danishDate } from '../../src/domain/time.ts';
import { JSON_BODY_LIMIT_BYTES } from '../../src/http/body-limits.ts';
import { listConsultationsQuery } from '../../src/http/routes/api/consultations.schemas.ts';
import { EVENT_ROLES } from '../../src/domain/consultations/policy.ts';
import { APPROVAL_BASES, EVENT_TYPES, STATES, SUBMISSION_CHANNELS, type UserEventType } from '../../workflows/consultation.machine.ts';
import { workflowDeps } from '../support/fakes.ts';

type Json = any;
type Who = 'secretary' | 'chair' | 'member';

/** Every stable code and the status it must come with. */
const STATUS_OF: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 422,
  MALFORMED_REQUEST: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  STALE_VERSION: 409,
  TRANSITION_NOT_ALLOWED: 422,
  RECIPIENT_ADDRESS_MISSING: 422,
  NOT_A_VOTER: 403,
  WRITTEN_PROCEDURE_CLOSED: 409,
  NO_VOTERS: 422,
  TOO_MANY_REQUESTS: 429,
  CSRF_FAILED: 403,
  RENDER_FAILED: 503,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL: 500,
};

const RUNS = { numRuns: 100 };
// The council's slug is only known at run time; the query generator uses this marker in its place.
const SLUG = '<<council-slug>>';
const BODY_LIMIT = JSON_BODY_LIMIT_BYTES;
const DEADLINE_YEARS_AHEAD = 5;

// ---- Generators ------------------------------------------------------------------------------

/** Nested junk: arrays and objects inside each other, up to a few hundred levels. */
const deepNest = fc.tuple(fc.integer({ min: 1, max: 400 }), fc.boolean(), fc.jsonValue({ maxDepth: 1 })).map(([depth, asArray, leaf]) => {
  let value: unknown = leaf;
  for (let i = 0; i < depth; i++) value = asArray ? [value] : { title: value };
  return value;
});

const nastyStrings = fc.constantFrom(
  '',
  ' ',
  '\t\n',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff\ud800',
  '\u202eevil',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🏳️‍🌈',
  'Ærø Øster Åby',
  'null',
  'undefined',
  '0',
  '-1',
  '1e309',
  'NaN',
  'true',
  '{}',
  '[]',
  '<script>alert(1)</script>',
  "'; drop table consultations; --",
  '%',
  '_',
  '\\',
  '../../etc/passwd',
  '__proto__',
  'constructor',
);

/** Strings of every kind, including some too long for any field and a few over the body limit. */
const anyString = fc.oneof(
  { weight: 3, arbitrary: fc.string() },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 2, arbitrary: nastyStrings },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 250_000 }).map((n) => 'ø'.repeat(n)) },
  { weight: 1, arbitrary: fc.integer({ min: BODY_LIMIT - 100_000, max: BODY_LIMIT + 100_000 }).map((n) => 'x'.repeat(n)) },
);

/** A value of any JSON type at all. */
const junk: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.anything({ maxDepth: 3 }) },
  { weight: 3, arbitrary: anyString },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(-0)) },
  { weight: 1, arbitrary: fc.array(fc.jsonValue(), { maxLength: 5 }) },
  { weight: 1, arbitrary: deepNest },
);

/** Mostly a plausible value, sometimes junk. */
const field = (plausible: fc.Arbitrary<unknown>) => fc.oneof({ weight: 3, arbitrary: plausible }, { weight: 1, arbitrary: junk });

const isoDate = fc
  .date({ min: new Date('1890-01-01T00:00:00Z'), max: new Date('2035-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

/** Deadlines in many notations, mostly within the accepted range. */
const deadline = fc.oneof(
  fc
    .date({ min: new Date(Date.now() - 2 * 365 * 86_400_000), max: new Date(Date.now() + 4 * 365 * 86_400_000), noInvalidDate: true })
    .chain((d) =>
      fc.constantFrom(d.toISOString(), d.toISOString().slice(0, 10), d.toISOString().slice(0, 16), `${d.toISOString().slice(0, 19)}+02:00`),
    ),
  fc.constantFrom('2400-01-01', '9999-12-31', '-010000-01-01', '0000-01-01', '2026-02-30', '2026-13-01', '12-03-2026', 'i morgen', '2026-W10-3'),
);

const text = (max: number) => fc.oneof(fc.string({ minLength: 1, maxLength: max }), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }));

/** Serialises as JSON like a client would; `undefined` at the top sends `null`. */
function serialise(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

/** True when a U+0000 occurs in any string in the value. */
function hasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(hasNul);
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) return Object.values(value).some(hasNul);
  return false;
}

/** The string as PostgreSQL stores it: UTF-8, so a lone surrogate becomes U+FFFD. */
function asStored(value: string): string {
  return Buffer.from(value, 'utf8').toString('utf8');
}

function deadlineInRange(date: Date): boolean {
  const latest = new Date();
  latest.setUTCFullYear(latest.getUTCFullYear() + DEADLINE_YEARS_AHEAD);
  return date.getTime() >= Date.UTC(1900, 0, 1) && date.getTime() <= latest.getTime() - 60_000;
}

/** The latest day a received or submitted date may name: tomorrow in Denmark (one day's grace). */
function latestPastDay(): string {
  return danishDate(new Date(Date.now() + 86_400_000));
}

/** A day the app takes as one that has come (received, submitted, approved at): from 1990 until tomorrow's grace. */
function isPastDay(day: string): boolean {
  return day >= EARLIEST_PAST_DAY && day <= latestPastDay();
}

function deadlineNearEdge(date: Date): boolean {
  const latest = new Date();
  latest.setUTCFullYear(latest.getUTCFullYear() + DEADLINE_YEARS_AHEAD);
  return Math.abs(date.getTime() - latest.getTime()) < 120_000;
}

// ---- The tests -------------------------------------------------------------------------------

describe('JSON API properties: arbitrary input never gives a 5xx', function () {
  // Mail goes through pg-boss workers and a real SMTP server (or many HTTP round trips): generous on a busy machine.
  this.timeout(300_000);
  let app: TestApp;
  let deps: EventDeps;
  let people: Awaited<ReturnType<typeof makeCouncilWithPeople>>;
  const tokens = {} as Record<Who, string>;

  before(async () => {
    app = await startTestApp();
    const { db } = testDatabase();
    deps = workflowDeps(db);
    people = await makeCouncilWithPeople(db);
    tokens.secretary = await apiTokenFor(db, people.secretary.email);
    tokens.chair = await apiTokenFor(db, people.chair.email);
    tokens.member = await apiTokenFor(db, people.member.email);
  });
  after(() => app.close());

  async function send(who: Who, method: string, path: string, body?: string) {
    const response = await fetch(`${app.baseUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens[who]}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body,
    });
    const raw = await response.text();
    expect(response.headers.get('content-type'), raw.slice(0, 300)).to.match(/^application\/json/);
    return { status: response.status, body: JSON.parse(raw) };
  }

  /** A 4xx with `{error: {code, message, details}}`, a known code matching the status, details for validation. */
  function expectClientError(response: { status: number; body: Json }, context: string): string {
    const where = `${context}\n→ ${response.status} ${JSON.stringify(response.body).slice(0, 500)}`;
    expect(response.status, where).to.be.within(400, 499);
    const error = response.body?.error;
    expect(error, where).to.be.an('object');
    expect(Object.keys(STATUS_OF), where).to.include(error.code);
    expect(STATUS_OF[error.code as ErrorCode], where).to.equal(response.status);
    expect(error.message, where).to.be.a('string').and.not.equal('');
    expect(error.details, where).to.be.an('array');
    if (error.code === 'VALIDATION_FAILED') {
      expect(error.details, where).to.have.lengthOf.above(0);
      for (const detail of error.details) {
        expect(detail, where).to.have.all.keys('path', 'message');
        expect(detail.path, where).to.be.a('string');
        expect(detail.message, where).to.be.a('string').and.not.equal('');
      }
    }
    return error.code as string;
  }

  function describeInput(text: string) {
    return text.length > 300 ? `${text.slice(0, 300)}… (${text.length} chars)` : text;
  }

  // Consultations the event and draft properties act on, one per stop, replaced once changed.
  const cache = new Map<WorkflowStop, { id: string; version: number; draftNumber: number }>();
  async function consultationAt(stop: WorkflowStop) {
    let entry = cache.get(stop);
    if (!entry) {
      const c = await makeConsultationInState(deps, people, stop);
      entry = { id: c.id, version: c.version, draftNumber: c.draft?.number ?? 0 };
      cache.set(stop, entry);
    }
    return entry;
  }

  describe('POST /consultations', () => {
    it('refuses arbitrary JSON values with a 4xx and a stable code', async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.anything(), fc.object(), fc.jsonValue(), deepNest, junk), async (value) => {
          const body = serialise(value);
          fc.pre(!newConsultationSchema.safeParse(JSON.parse(body)).success);
          const response = await send('secretary', 'POST', '/consultations', body);
          const code = expectClientError(response, describeInput(body));
          if (Buffer.byteLength(body) <= BODY_LIMIT && body.startsWith('{')) expect(code).to.equal('VALIDATION_FAILED');
        }),
        RUNS,
      );
    });

    it('answers records of the right fields with wrong, odd or valid values: 201 exactly when valid', async () => {
      const records = fc.record(
        {
          title: field(text(300)),
          authority: field(text(300)),
          authorityReference: field(fc.option(text(100))),
          authorityEmail: field(fc.constantFrom('', null, 'bu@naestved.dk', 'BU@Naestved.DK ', 'ikke@', '@')),
          receivedAt: field(isoDate),
          deadline: field(deadline),
          summary: field(fc.option(text(5000))),
          sourceUrl: field(fc.oneof(fc.webUrl(), fc.constantFrom('', 'ftp://x.dk', 'javascript:alert(1)', 'http://'))),
          council: field(fc.constantFrom(people.council.slug, ` ${people.council.slug} `, '', null, 'findes-ikke')),
        },
        { requiredKeys: [] },
      );
      await fc.assert(
        fc.asyncProperty(records, async (value) => {
          const body = serialise(value);
          const context = describeInput(body);
          const response = await send('secretary', 'POST', '/consultations', body);
          if (Buffer.byteLength(body) > BODY_LIMIT) {
            expect(expectClientError(response, context)).to.equal('PAYLOAD_TOO_LARGE');
            return;
          }
          const parsed = newConsultationSchema.safeParse(JSON.parse(body));
          if (!parsed.success) {
            expect(expectClientError(response, context)).to.equal('VALIDATION_FAILED');
            const fields = new Set(parsed.error.issues.map((issue) => String(issue.path[0])));
            for (const detail of response.body.error.details) expect(fields, context).to.include(detail.path.split('.')[0]);
            return;
          }
          const values = parsed.data;
          fc.pre(!deadlineNearEdge(values.deadline));
          const refusal = hasNul(values)
            ? 'nul'
            : !deadlineInRange(values.deadline)
              ? 'deadline'
              : values.receivedAt && !isPastDay(values.receivedAt)
                ? 'receivedAt'
                : values.council !== null && values.council !== people.council.slug
                  ? 'council'
                  : null;
          if (refusal) {
            expect(expectClientError(response, context)).to.equal('VALIDATION_FAILED');
            if (refusal !== 'nul')
              expect(
                response.body.error.details.map((d: Json) => d.path),
                context,
              ).to.deep.equal([refusal]);
            return;
          }
          expect(response.status, `${context}\n→ ${JSON.stringify(response.body).slice(0, 500)}`).to.equal(201);
          expect(response.body).to.include({
            title: asStored(values.title),
            authority: asStored(values.authority),
            state: values.council ? 'assigned' : 'received',
            version: values.council ? 2 : 1,
          });
          expect(new Date(response.body.deadline).getTime()).to.equal(values.deadline.getTime());
        }),
        RUNS,
      );
    });
  });

  describe('POST /consultations/{id}/events', () => {
    it('refuses arbitrary JSON values with a 4xx and a stable code', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom<WorkflowStop>('assigned', 'drafted', 'awaiting_approval'),
          fc.constantFrom<Who>('secretary', 'chair'),
          fc.oneof(fc.anything(), fc.object(), deepNest, junk),
          async (stop, who, value) => {
            const body = serialise(value);
            fc.pre(!eventSchema.safeParse(JSON.parse(body)).success);
            const c = await consultationAt(stop);
            const response = await send(who, 'POST', `/consultations/${c.id}/events`, body);
            const code = expectClientError(response, describeInput(body));
            if (Buffer.byteLength(body) <= BODY_LIMIT && body.startsWith('{')) expect(code).to.equal('VALIDATION_FAILED');
          },
        ),
        RUNS,
      );
    });

    it('answers events with random types, versions and payloads: 200 only for a valid event at the current version', async () => {
      const version = fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom('current', 'current-as-string', 'stale', 'ahead') },
        { weight: 1, arbitrary: junk.map((value) => ({ junk: value })) },
      );
      const events = fc.record(
        {
          type: fc.oneof(
            { weight: 5, arbitrary: fc.constantFrom(...EVENT_TYPES) },
            { weight: 1, arbitrary: fc.constantFrom('SAVE_DRAFT', 'REGISTERED', 'start_drafting', ' APPROVE', '') },
            { weight: 1, arbitrary: junk },
          ),
          version,
          comment: field(text(50)),
          reason: field(text(50)),
          note: field(fc.option(text(50))),
          basis: field(fc.constantFrom(...APPROVAL_BASES)),
          meetingDate: field(isoDate),
          channel: field(fc.constantFrom(...SUBMISSION_CHANNELS)),
          recipient: field(fc.option(text(50))),
          submittedAt: field(isoDate),
          deadline: field(deadline),
          council: field(fc.constantFrom(people.council.slug, 'findes-ikke')),
          assignee: field(fc.constantFrom(people.secretary.email, people.chair.email, people.member.email, 'ukendt@example.dk', '')),
        },
        { requiredKeys: ['type', 'version'] },
      );
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom<WorkflowStop>('received', 'assigned', 'drafting', 'drafted', 'awaiting_approval', 'approved', 'submitted'),
          fc.constantFrom<Who>('secretary', 'chair', 'member'),
          events,
          async (stop, who, generated) => {
            const c = await consultationAt(stop);
            const v = generated.version;
            const sentVersion =
              typeof v === 'object'
                ? v.junk
                : v === 'current'
                  ? c.version
                  : v === 'current-as-string'
                    ? String(c.version)
                    : v === 'stale'
                      ? c.version - 1
                      : c.version + 1;
            const body = serialise({ ...generated, version: sentVersion });
            const context = `${who} in ${stop} (v${c.version}): ${describeInput(body)}`;
            const before = await send(who, 'GET', `/consultations/${c.id}`);
            const response = await send(who, 'POST', `/consultations/${c.id}/events`, body);
            if (response.status === 200) {
              cache.delete(stop);
              const parsed = eventSchema.safeParse(JSON.parse(body));
              expect(parsed.success, context).to.equal(true);
              expect(parsed.data!.version, context).to.equal(c.version);
              expect(before.body.allowedEvents, context).to.include(parsed.data!.type);
              expect(response.body.version, context).to.equal(c.version + 1);
              expect(response.body.timeline.at(-1).type, context).to.equal(parsed.data!.type);
              return;
            }
            const code = expectClientError(response, context);
            // The body parser refuses an oversized body before anything looks at the consultation.
            if (Buffer.byteLength(body) > BODY_LIMIT) {
              expect(code, context).to.equal('PAYLOAD_TOO_LARGE');
              return;
            }
            if (before.status === 404) {
              expect(code, context).to.equal('NOT_FOUND');
              return;
            }
            // A role that may never send this event type hears 403 before any detail of the payload.
            const sentType = (JSON.parse(body) as { type?: unknown }).type;
            const knownType = typeof sentType === 'string' && (EVENT_TYPES as readonly string[]).includes(sentType);
            // An unassigned consultation (received) belongs to no council, so no council role counts there.
            const roleMaySend = (type: UserEventType) => stop !== 'received' && EVENT_ROLES[type].roles.includes(who);
            if (knownType && sentType !== 'ASSIGN' && !roleMaySend(sentType as UserEventType)) {
              expect(code, context).to.equal('FORBIDDEN');
              return;
            }
            const parsed = eventSchema.safeParse(JSON.parse(body));
            if (!parsed.success || hasNul(parsed.data)) {
              expect(code, context).to.equal('VALIDATION_FAILED');
              return;
            }
            expect(['FORBIDDEN', 'STALE_VERSION', 'TRANSITION_NOT_ALLOWED', 'VALIDATION_FAILED', 'RECIPIENT_ADDRESS_MISSING'], context).to.include(
              code,
            );
            if (code === 'RECIPIENT_ADDRESS_MISSING') {
              // Only a SUBMIT by e-mail with no address typed (the test consultations have no authority e-mail).
              expect(
                parsed.data.type === 'SUBMIT' && parsed.data.channel === 'email' && !submissionMailAddress(parsed.data.recipient, null),
                context,
              ).to.equal(true);
              expect(
                response.body.error.details.map((d: { path: string }) => d.path),
                context,
              ).to.deep.equal(['recipient']);
            }
            if (code === 'STALE_VERSION') {
              expect(parsed.data.version, context).not.to.equal(c.version);
              expect(response.body.error.currentVersion, context).to.equal(c.version);
            }
            if (code === 'VALIDATION_FAILED') {
              // A valid shape is refused only for an unknown council or assignee, a deadline out of range, or a submission or meeting date to come or before 1990.
              expect(['ASSIGN', 'EXTEND_DEADLINE', 'SUBMIT', 'APPROVE'], context).to.include(parsed.data.type);
              for (const detail of response.body.error.details)
                expect(['council', 'assignee', 'deadline', 'submittedAt', 'meetingDate'], context).to.include(detail.path);
              if (parsed.data.type === 'SUBMIT') expect(isPastDay(parsed.data.submittedAt!), context).to.equal(false);
              if (parsed.data.type === 'APPROVE') expect(isPastDay(parsed.data.meetingDate!), context).to.equal(false);
            }
            // Refused: nothing changed.
            const after = await send(who, 'GET', `/consultations/${c.id}`);
            expect(after.body.version, context).to.equal(c.version);
          },
        ),
        RUNS,
      );
    });
  });

  describe('PUT /consultations/{id}/draft', () => {
    it('refuses arbitrary JSON values with a 4xx and a stable code', async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.anything(), fc.object(), deepNest, junk), async (value) => {
          const body = serialise(value);
          fc.pre(!saveDraftSchema.safeParse(JSON.parse(body)).success);
          const c = await consultationAt('drafting');
          const response = await send('secretary', 'PUT', `/consultations/${c.id}/draft`, body);
          const code = expectClientError(response, describeInput(body));
          if (Buffer.byteLength(body) <= BODY_LIMIT && body.startsWith('{')) expect(code).to.equal('VALIDATION_FAILED');
        }),
        RUNS,
      );
    });

    it('answers drafts of any text and version: a new version exactly when valid and current', async () => {
      const drafts = fc.record(
        {
          body: fc.oneof({ weight: 3, arbitrary: anyString }, { weight: 1, arbitrary: junk }),
          version: fc.oneof(
            { weight: 4, arbitrary: fc.constantFrom('current', 'current-as-string', 'stale', 'ahead') },
            { weight: 1, arbitrary: junk.map((value) => ({ junk: value })) },
          ),
        },
        { requiredKeys: [] },
      );
      await fc.assert(
        fc.asyncProperty(fc.constantFrom<Who>('secretary', 'secretary', 'secretary', 'chair'), drafts, async (who, generated) => {
          const c = await consultationAt('drafting');
          const v = generated.version;
          const sentVersion =
            v === undefined
              ? undefined
              : typeof v === 'object'
                ? v.junk
                : v === 'current'
                  ? c.version
                  : v === 'current-as-string'
                    ? String(c.version)
                    : v === 'stale'
                      ? c.version - 1
                      : c.version + 1;
          const body = serialise({ ...generated, version: sentVersion });
          const context = `${who} (v${c.version}): ${describeInput(body)}`;
          const response = await send(who, 'PUT', `/consultations/${c.id}/draft`, body);
          if (Buffer.byteLength(body) > BODY_LIMIT) {
            expect(expectClientError(response, context)).to.equal('PAYLOAD_TOO_LARGE');
            return;
          }
          const parsed = saveDraftSchema.safeParse(JSON.parse(body));
          const expected =
            !parsed.success || hasNul(parsed.data)
              ? 'VALIDATION_FAILED'
              : who !== 'secretary'
                ? 'FORBIDDEN'
                : parsed.data.version !== c.version
                  ? 'STALE_VERSION'
                  : 'saved';
          if (expected !== 'saved') {
            expect(expectClientError(response, context)).to.equal(expected);
            return;
          }
          expect(response.status, `${context}\n→ ${JSON.stringify(response.body).slice(0, 300)}`).to.equal(200);
          expect(response.body.version).to.equal(c.version + 1);
          expect(response.body.draft.number).to.equal(c.draftNumber + 1);
          expect(response.body.draft.body).to.equal(parsed.success ? asStored(parsed.data.body) : undefined);
          c.version += 1;
          c.draftNumber += 1;
        }),
        RUNS,
      );
    });
  });

  describe('GET /consultations', () => {
    const keys = fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom('state', 'council', 'q', 'limit', 'cursor') },
      { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
    );
    const values = fc.oneof(
      fc.constantFrom(...STATES),
      fc.subarray([...STATES]).map((states) => states.join(',')),
      fc.integer({ min: -5, max: 300 }).map(String),
      fc.constantFrom('', '1.5', '1e2', '0x10', ' 7 ', 'Infinity', SLUG),
      fc.string(),
      fc.string({ unit: 'binary', maxLength: 30 }),
      fc.string({ unit: 'grapheme', maxLength: 30 }),
      nastyStrings,
      fc.jsonValue().map((value) => Buffer.from(serialise(value)).toString('base64url')),
      fc
        .tuple(fc.date({ noInvalidDate: true }), fc.uuid())
        .map(([d, id]) => Buffer.from(JSON.stringify([d.toISOString(), id])).toString('base64url')),
    );

    it('answers random query strings with 200 or 422 VALIDATION_FAILED, as the query schema says', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.tuple(keys, values), { maxLength: 6 }), async (pairs) => {
          const search = new URLSearchParams(pairs.map(([k, v]) => [k, v === SLUG ? people.council.slug : v])).toString();
          const response = await send('secretary', 'GET', `/consultations?${search}`);
          const context = `?${search}`;
          const parsed = listConsultationsQuery.safeParse(parseQueryString(search));
          if (!parsed.success || hasNul(parsed.data)) {
            expect(expectClientError(response, context)).to.equal('VALIDATION_FAILED');
            return;
          }
          if (response.status !== 200) {
            // A well-formed query is refused only for a cursor that is not one of ours.
            expect(expectClientError(response, context)).to.equal('VALIDATION_FAILED');
            expect(response.body.error.details.map((d: Json) => d.path)).to.deep.equal(['cursor']);
            expect(parsed.data.cursor, context).to.be.a('string');
            return;
          }
          expect(response.body).to.have.all.keys('items', 'nextCursor');
          expect(response.body.items).to.be.an('array');
          expect(response.body.items.length).to.be.at.most(parsed.data.limit ?? 50);
          for (const item of response.body.items) {
            // An empty state list (e.g. `state=%09`) is no filter at all.
            if (parsed.data.state?.length) expect(parsed.data.state, context).to.include(item.state);
            if (parsed.data.council) expect(item.council?.slug, context).to.equal(parsed.data.council);
          }
        }),
        RUNS,
      );
    });

    it('answers raw, unencoded query strings and odd ids without a 5xx', async () => {
      await fc.assert(
        fc.asyncProperty(fc.string({ unit: 'binary-ascii', maxLength: 60 }), async (raw) => {
          const response = await send('secretary', 'GET', `/consultations?${raw}`);
          if (response.status !== 200) expect(expectClientError(response, `?${raw}`)).to.equal('VALIDATION_FAILED');
        }),
        RUNS,
      );
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.string({ unit: 'grapheme', minLength: 1, maxLength: 120 }),
            fc.uuid(),
            nastyStrings.filter((s) => !/[\ud800-\udfff]/.test(s)),
          ),
          fc.constantFrom('', '/events', '/draft'),
          async (id, suffix) => {
            fc.pre(id.trim() !== '' && id !== '.' && id !== '..');
            const method = suffix === '' ? 'GET' : suffix === '/draft' ? 'PUT' : 'POST';
            const body = suffix === '' ? undefined : serialise({ type: 'START_DRAFTING', body: 'x', version: 1 });
            const response = await send('secretary', method, `/consultations/${encodeURIComponent(id)}${suffix}`, body);
            expect(['NOT_FOUND', 'VALIDATION_FAILED'], id).to.include(expectClientError(response, `${method} ${id}${suffix}`));
          },
        ),
        RUNS,
      );
    });
  });
});
