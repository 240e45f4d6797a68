import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.ts';
import { testDatabase } from '../support/db.ts';
import {
  apiTokenFor,
  deadlineInDays,
  makeConsultation,
  makeConsultationInState,
  makeCouncilWithPeople,
  makeUser,
  unique,
  type WorkflowStop,
} from '../support/factories.ts';
import { sendEvent, type EventDeps } from '../../src/domain/consultations/service.ts';
import { danishDate } from '../../src/domain/time.ts';
import type { Db } from '../../src/db/database.ts';
import { EVENT_TYPES, type UserEventType } from '../../workflows/consultation.machine.ts';
import { workflowDeps } from '../support/fakes.ts';

type Json = any;
type Role = 'secretary' | 'chair' | 'member' | 'staff' | 'admin' | 'outsider';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DANISH_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0[12]:00$/;
const UTC_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('JSON API v1 /api/v1/consultations', () => {
  let app: TestApp;
  let db: Db;
  let deps: EventDeps;
  let people: Awaited<ReturnType<typeof makeCouncilWithPeople>>;
  let prefix: string;
  const tokens = {} as Record<Role, string>;
  let nextYear: number;

  before(async () => {
    app = await startTestApp();
    db = testDatabase().db;
    deps = workflowDeps(db);
    people = await makeCouncilWithPeople(db);
    prefix = people.council.referencePrefix;
    const admin = await makeUser(db, { admin: true, name: 'Administrator' });
    const others = await makeCouncilWithPeople(db);
    for (const [role, email] of [
      ['secretary', people.secretary.email],
      ['chair', people.chair.email],
      ['member', people.member.email],
      ['staff', people.staff.email],
      ['admin', admin.email],
      ['outsider', others.secretary.email],
    ] as const) {
      tokens[role] = await apiTokenFor(db, email);
    }
    nextYear = Number(danishDate(new Date()).slice(0, 4)) + 1;
  });
  after(() => app.close());

  async function api(role: Role, method: string, path: string, body?: unknown, raw?: string) {
    const headers: Record<string, string> = { authorization: `Bearer ${tokens[role]}` };
    if (body !== undefined || raw !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${app.baseUrl}/api/v1${path}`, {
      method,
      headers,
      body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    expect(response.headers.get('content-type'), `${method} ${path}`).to.match(/^application\/json/);
    return { status: response.status, headers: response.headers, body: await response.json() };
  }

  function expectError(response: { status: number; body: Json }, status: number, code: string) {
    expect(response.status, JSON.stringify(response.body)).to.equal(status);
    expect(response.body.error.code).to.equal(code);
    expect(response.body.error.message).to.be.a('string').and.not.equal('');
    expect(response.body.error.details).to.be.an('array');
  }

  const paths = (response: { body: Json }) => (response.body.error.details as { path: string }[]).map((d) => d.path).sort();

  describe('POST /consultations', () => {
    it('answers 201 with the documented JSON, and GET by id gives the same with its timeline', async () => {
      const created = await api('secretary', 'POST', '/consultations', {
        title: 'Udkast til Integrationsstrategi 2026–2029',
        authority: 'Beskæftigelses- og Uddannelsesudvalget, Næstved Kommune',
        authorityReference: '25-012345',
        authorityEmail: 'BU@Naestved.dk',
        deadline: `${nextYear}-03-12T12:00`,
        summary: 'Strategien for de næste fire år.',
        sourceUrl: 'https://www.naestved.dk/hoeringer/integrationsstrategi',
        council: people.council.slug,
      });
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      const c = created.body;
      expect(created.headers.get('location')).to.equal(`/api/v1/consultations/${c.id}`);
      expect(c).to.have.all.keys(
        'id',
        'reference',
        'title',
        'authority',
        'authorityReference',
        'authorityEmail',
        'receivedAt',
        'deadline',
        'summary',
        'sourceUrl',
        'state',
        'version',
        'council',
        'assignee',
        'daysLeft',
        'deadlineStatus',
        'allowedEvents',
        'changesRequested',
        'approval',
        'submission',
        'closingReason',
        'updatedAt',
        'draft',
        'writtenProcedure',
        'timeline',
        'statusUrl',
      );
      expect(c.statusUrl).to.match(/^http:\/\/127\.0\.0\.1:\d+\/status\/[A-Za-z0-9_-]{43}$/);
      expect(c.id).to.match(UUID);
      expect(c.reference).to.match(new RegExp(`^${prefix}-${nextYear - 1}-\\d{4}$`));
      expect(c).to.include({
        title: 'Udkast til Integrationsstrategi 2026–2029',
        authority: 'Beskæftigelses- og Uddannelsesudvalget, Næstved Kommune',
        authorityReference: '25-012345',
        authorityEmail: 'bu@naestved.dk',
        receivedAt: danishDate(new Date()),
        deadline: `${nextYear}-03-12T12:00:00.000+01:00`,
        summary: 'Strategien for de næste fire år.',
        sourceUrl: 'https://www.naestved.dk/hoeringer/integrationsstrategi',
        state: 'assigned',
        version: 2,
        deadlineStatus: 'ok',
        changesRequested: null,
        approval: null,
        submission: null,
        closingReason: null,
        draft: null,
      });
      expect(c.council).to.deep.equal({ slug: people.council.slug, name: people.council.name });
      expect(c.assignee).to.deep.equal({ email: people.secretary.email, name: 'Mette Kjærgaard' });
      expect(c.daysLeft).to.be.a('number').and.satisfy(Number.isInteger).and.be.above(30);
      expect(c.allowedEvents).to.deep.equal(['START_DRAFTING', 'WITHDRAW', 'EXTEND_DEADLINE']);
      expect(c.updatedAt).to.match(UTC_ISO);
      expect(c.timeline.map((t: Json) => [t.type, t.from, t.to, t.actor, t.comment])).to.deep.equal([
        ['REGISTERED', null, 'received', 'Mette Kjærgaard', null],
        ['ASSIGN', 'received', 'assigned', 'Mette Kjærgaard', null],
      ]);
      for (const entry of c.timeline) expect(entry.at).to.match(UTC_ISO);

      const fetched = await api('secretary', 'GET', `/consultations/${c.id}`);
      expect(fetched.status).to.equal(200);
      expect(fetched.body).to.deep.equal(c);
      // Other roles of the council see the same consultation with their own allowed events.
      const asChair = await api('chair', 'GET', `/consultations/${c.id}`);
      expect(asChair.body.allowedEvents).to.deep.equal(['DECLINE']);
      expect((await api('staff', 'GET', `/consultations/${c.id}`)).body.allowedEvents).to.deep.equal([]);
    });

    it('registers without a council as received, with no reference, seen by its creator', async () => {
      const created = await api('secretary', 'POST', '/consultations', {
        title: 'Ikke fordelt',
        authority: 'Region Sjælland',
        deadline: `${nextYear}-02-02`,
      });
      expect(created.status).to.equal(201);
      expect(created.body).to.include({ state: 'received', version: 1, reference: null, council: null, assignee: null, authorityReference: null });
      expect(created.body.allowedEvents).to.deep.equal(['ASSIGN']);
      expectError(await api('chair', 'GET', `/consultations/${created.body.id}`), 404, 'NOT_FOUND');
    });

    it('reads a deadline without offset as Danish time, a bare date as 23:59 that day, and keeps an instant with offset', async () => {
      const y = nextYear;
      const cases: [string, string][] = [
        [`${y}-01-15T09:30`, `${y}-01-15T09:30:00.000+01:00`],
        [`${y}-07-01T09:30`, `${y}-07-01T09:30:00.000+02:00`],
        [`${y}-07-01`, `${y}-07-01T23:59:00.000+02:00`],
        [`${y}-12-24`, `${y}-12-24T23:59:00.000+01:00`],
        [` ${y}-02-03 `, `${y}-02-03T23:59:00.000+01:00`],
        [`${y}-07-01T10:00:00Z`, `${y}-07-01T12:00:00.000+02:00`],
        [`${y}-01-15T12:00:00-05:00`, `${y}-01-15T18:00:00.000+01:00`],
      ];
      for (const [given, expected] of cases) {
        const created = await api('secretary', 'POST', '/consultations', { title: `Frist ${given}`, authority: 'Næstved Kommune', deadline: given });
        expect(created.status, given).to.equal(201);
        expect(created.body.deadline, given).to.equal(expected).and.match(DANISH_ISO);
      }
    });

    it('answers 422 VALIDATION_FAILED with one detail per bad field, and writes nothing', async () => {
      const mine = async () =>
        (await db.selectFrom('consultations').select('id').where('created_by', '=', people.secretary.actor.userId).execute()).length;
      const before = await mine();

      const two = await api('secretary', 'POST', '/consultations', { authority: 'Næstved Kommune', deadline: '32. marts' });
      expectError(two, 422, 'VALIDATION_FAILED');
      expect(paths(two)).to.deep.equal(['deadline', 'title']);
      for (const detail of two.body.error.details) expect(detail.message).to.be.a('string').and.not.equal('');

      const empty = await api('secretary', 'POST', '/consultations', {});
      expectError(empty, 422, 'VALIDATION_FAILED');
      expect(paths(empty)).to.deep.equal(['authority', 'deadline', 'title']);

      const wrongTypes = await api('secretary', 'POST', '/consultations', {
        title: 5,
        authority: ['Næstved'],
        deadline: `${nextYear}-13-01`,
        authorityEmail: 'ikke-en-adresse',
        sourceUrl: 'ftp://example.dk/fil',
        receivedAt: '01-02-2026',
        council: {},
        summary: 'x'.repeat(5001),
      });
      expectError(wrongTypes, 422, 'VALIDATION_FAILED');
      expect(paths(wrongTypes)).to.deep.equal(['authority', 'authorityEmail', 'council', 'deadline', 'receivedAt', 'sourceUrl', 'summary', 'title']);

      const blank = await api('secretary', 'POST', '/consultations', { title: '   ', authority: 'A', deadline: `${nextYear}-01-01` });
      expect(paths(blank)).to.deep.equal(['title']);
      const unknownCouncil = await api('secretary', 'POST', '/consultations', {
        title: 'T',
        authority: 'A',
        deadline: `${nextYear}-01-01`,
        council: 'findes-ikke',
      });
      expectError(unknownCouncil, 422, 'VALIDATION_FAILED');
      expect(paths(unknownCouncil)).to.deep.equal(['council']);
      const farAway = await api('secretary', 'POST', '/consultations', { title: 'T', authority: 'A', deadline: '3000-01-01' });
      expect(paths(farAway)).to.deep.equal(['deadline']);
      const nul = await api('secretary', 'POST', '/consultations', { title: 'T\u0000', authority: 'A', deadline: `${nextYear}-01-01` });
      expectError(nul, 422, 'VALIDATION_FAILED');
      expect(paths(nul)).to.deep.equal(['title']);
      const yearZero = await api('secretary', 'POST', '/consultations', {
        title: 'T',
        authority: 'A',
        deadline: `${nextYear}-01-01`,
        receivedAt: '0000-01-01',
      });
      expect(paths(yearZero)).to.deep.equal(['receivedAt']);

      expect(await mine()).to.equal(before);
    });

    it('answers malformed JSON with 400 MALFORMED_REQUEST, and a member with 403', async () => {
      expectError(await api('secretary', 'POST', '/consultations', undefined, '{"title": "Halv'), 400, 'MALFORMED_REQUEST');
      expectError(await api('secretary', 'POST', '/consultations', undefined, '"bare en streng"'), 400, 'MALFORMED_REQUEST');
      expectError(await api('secretary', 'POST', '/consultations', undefined, "{'title': 'enkelt-citat'}"), 400, 'MALFORMED_REQUEST');
      const valid = { title: 'T', authority: 'A', deadline: `${nextYear}-01-01` };
      expectError(await api('member', 'POST', '/consultations', valid), 403, 'FORBIDDEN');
      expectError(await api('chair', 'POST', '/consultations', valid), 403, 'FORBIDDEN');
    });
  });

  describe('GET /consultations', () => {
    let listPeople: Awaited<ReturnType<typeof makeCouncilWithPeople>>;
    let token: string;
    let expectedOrder: string[];
    let drafting: string[];
    const tag = `liste${unique()}`;

    before(async () => {
      listPeople = await makeCouncilWithPeople(db);
      token = await apiTokenFor(db, listPeople.secretary.email);
      const ids: { id: string; deadline: Date }[] = [];
      for (const [i, days] of [9, 2, 30, 14, 2, 60].entries()) {
        const c = await makeConsultation(deps, listPeople.secretary.actor, {
          council: listPeople.council.slug,
          deadline: deadlineInDays(days, new Date('2026-06-01T10:00:00Z')),
          title: i % 2 === 0 ? `Høring ${tag} nr. ${i}` : `Anden høring nr. ${i}`,
        });
        ids.push({ id: c.id, deadline: c.deadline });
        if (i < 2) await sendEvent(deps, listPeople.secretary.actor, c.id, { type: 'START_DRAFTING', version: c.version });
      }
      drafting = ids
        .slice(0, 2)
        .map((c) => c.id)
        .sort();
      expectedOrder = [...ids].sort((a, b) => a.deadline.getTime() - b.deadline.getTime() || (a.id < b.id ? -1 : 1)).map((c) => c.id);
    });

    async function list(query: string) {
      const response = await fetch(`${app.baseUrl}/api/v1/consultations${query}`, { headers: { authorization: `Bearer ${token}` } });
      return { status: response.status, body: await response.json() };
    }

    it('lists soonest deadline first and pages with limit and cursor', async () => {
      const all = await list(`?council=${listPeople.council.slug}`);
      expect(all.status).to.equal(200);
      expect(all.body.items.map((i: Json) => i.id)).to.deep.equal(expectedOrder);
      expect(all.body.nextCursor).to.equal(null);
      for (const item of all.body.items) {
        expect(item).not.to.have.property('timeline');
        expect(item.council).to.deep.equal({ slug: listPeople.council.slug, name: listPeople.council.name });
        expect(item.deadline).to.match(DANISH_ISO);
        expect(item.deadlineStatus).to.equal('overdue');
      }
      // The secretary's only council: the same list without the filter.
      expect((await list('')).body.items.map((i: Json) => i.id)).to.deep.equal(expectedOrder);

      for (const limit of [1, 2, 4, 6]) {
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const page: { status: number; body: Json } = await list(
            `?council=${listPeople.council.slug}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
          );
          expect(page.status).to.equal(200);
          expect(page.body.items.length).to.be.at.most(limit);
          seen.push(...page.body.items.map((i: Json) => i.id));
          cursor = page.body.nextCursor;
        } while (cursor && seen.length < 100);
        expect(seen, `limit ${limit}`).to.deep.equal(expectedOrder);
      }
    });

    it('filters by state, council and q', async () => {
      const ids = async (query: string) => {
        const response = await list(query);
        expect(response.status, JSON.stringify(response.body)).to.equal(200);
        return (response.body.items as Json[]).map((i) => i.id).sort();
      };
      expect(await ids('?state=drafting')).to.deep.equal(drafting);
      expect(await ids('?state=drafting,assigned')).to.deep.equal([...expectedOrder].sort());
      expect(await ids('?state=%20drafting%20,')).to.deep.equal(drafting);
      expect(await ids('?state=submitted')).to.deep.equal([]);
      expect(await ids(`?q=${tag}`)).to.have.length(3);
      expect(await ids(`?q=${tag.toUpperCase()}&state=drafting`)).to.have.length(1);
      expect(await ids(`?council=${people.council.slug}`)).to.deep.equal([]);
      expect(await ids('?council=findes-ikke')).to.deep.equal([]);
    });

    it('answers 422 VALIDATION_FAILED for a bad state, limit or cursor, and says what is wrong with a limit', async () => {
      const outOfRange = 'limit skal være mellem 1 og 200';
      for (const [query, path, message] of [
        ['?state=bogus', 'state'],
        ['?state=drafting,kladde', 'state'],
        ['?state=a&state=b', 'state'],
        ['?limit=0', 'limit', outOfRange],
        ['?limit=-3', 'limit', outOfRange],
        ['?limit=201', 'limit', outOfRange],
        ['?limit=to', 'limit', 'limit skal være et tal'],
        ['?limit=1.5', 'limit', 'limit skal være et helt tal'],
        ['?cursor=ikke-en-markoer', 'cursor'],
        [`?q=${'x'.repeat(201)}`, 'q'],
        ['?q=%00', 'q'],
      ] as const) {
        const response = await list(query);
        expectError(response, 422, 'VALIDATION_FAILED');
        expect(response.body.error.details.length, query).to.be.at.least(1);
        for (const detail of response.body.error.details) expect(detail.path.split('.')[0], query).to.equal(path);
        if (message) expect(response.body.error.details, query).to.deep.equal([{ path, message }]);
      }
    });
  });

  describe('every answer about a consultation', () => {
    it('has the same fields whichever operation gave it, the status link only for those who may see it', async () => {
      const created = await api('secretary', 'POST', '/consultations', {
        title: 'Samme felter overalt',
        authority: 'Kommunen',
        deadline: `${nextYear}-05-01`,
        council: people.council.slug,
      });
      const id: string = created.body.id;
      const started = await api('secretary', 'POST', `/consultations/${id}/events`, { type: 'START_DRAFTING', version: created.body.version });
      const saved = await api('secretary', 'PUT', `/consultations/${id}/draft`, { body: 'Rådet støtter.', version: started.body.version });
      const fetched = await api('secretary', 'GET', `/consultations/${id}`);
      const listed = (await api('secretary', 'GET', `/consultations?q=${encodeURIComponent('Samme felter overalt')}`)).body.items;
      const answers = { created, started, saved, fetched };
      for (const [name, answer] of Object.entries(answers)) {
        expect(answer.status, name).to.be.oneOf([200, 201]);
        expect(Object.keys(answer.body).sort(), name).to.deep.equal(Object.keys(fetched.body).sort());
        expect(answer.body.statusUrl, name)
          .to.equal(created.body.statusUrl)
          .and.match(/\/status\/[A-Za-z0-9_-]{43}$/);
      }
      // A list item is the same without the draft, the written procedure and the timeline.
      expect(listed).to.have.length(1);
      const withoutDetails = Object.keys(fetched.body).filter((key) => !['draft', 'writtenProcedure', 'timeline'].includes(key));
      expect(Object.keys(listed[0]).sort()).to.deep.equal(withoutDetails.sort());
      expect(listed[0].statusUrl).to.equal(created.body.statusUrl);

      // A member sees the consultation, not its status link; municipal staff neither its link nor its internals.
      for (const role of ['member', 'staff'] as const) {
        const asRole = await api(role, 'GET', `/consultations/${id}`);
        expect(asRole.body, role).not.to.have.property('statusUrl');
        const item = (await api(role, 'GET', `/consultations?q=${encodeURIComponent('Samme felter overalt')}`)).body.items[0];
        expect(item, role).not.to.have.property('statusUrl');
      }
      expect((await api('staff', 'GET', `/consultations/${id}`)).body).not.to.have.any.keys('draft', 'changesRequested');
    });
  });

  describe('PUT /consultations/{id}/draft', () => {
    it('saves a new version (200), refuses a stale version (409), bad input (422), the wrong state (422), a chair (403) and strangers (404)', async () => {
      const c = await makeConsultationInState(deps, people, 'drafting');
      const saved = await api('secretary', 'PUT', `/consultations/${c.id}/draft`, { body: 'Rådet støtter forslaget.', version: c.version });
      expect(saved.status).to.equal(200);
      expect(saved.body.version).to.equal(c.version + 1);
      expect(saved.body.draft).to.include({ number: 1, body: 'Rådet støtter forslaget.', savedBy: 'Mette Kjærgaard' });
      expect(saved.body.draft.savedAt).to.match(UTC_ISO);
      expect(saved.body.timeline.at(-1)).to.include({ type: 'SAVE_DRAFT', from: 'drafting', to: 'drafting' });
      // The version may come as a string, as from a form.
      const again = await api('secretary', 'PUT', `/consultations/${c.id}/draft`, { body: 'Anden udgave', version: String(saved.body.version) });
      expect(again.status).to.equal(200);
      expect(again.body.draft.number).to.equal(2);

      const stale = await api('secretary', 'PUT', `/consultations/${c.id}/draft`, { body: 'Gammel', version: saved.body.version });
      expectError(stale, 409, 'STALE_VERSION');
      expect(stale.body.error.currentVersion).to.equal(again.body.version);

      const noBody = await api('secretary', 'PUT', `/consultations/${c.id}/draft`, { version: again.body.version });
      expectError(noBody, 422, 'VALIDATION_FAILED');
      expect(paths(noBody)).to.deep.equal(['body']);
      const bad = await api('secretary', 'PUT', `/consultations/${c.id}/draft`, { body: 42, version: 'ny' });
      expect(paths(bad)).to.deep.equal(['body', 'version']);
      expectError(await api('secretary', 'PUT', `/consultations/${c.id}/draft`, undefined, '{body:'), 400, 'MALFORMED_REQUEST');

      expectError(await api('chair', 'PUT', `/consultations/${c.id}/draft`, { body: 'Formanden', version: again.body.version }), 403, 'FORBIDDEN');
      expectError(await api('outsider', 'PUT', `/consultations/${c.id}/draft`, { body: 'Fremmed', version: again.body.version }), 404, 'NOT_FOUND');
      expectError(await api('secretary', 'PUT', '/consultations/ikke-en-uuid/draft', { body: 'x', version: 1 }), 404, 'NOT_FOUND');
      expectError(
        await api('secretary', 'PUT', '/consultations/00000000-0000-4000-8000-000000000000/draft', { body: 'x', version: 1 }),
        404,
        'NOT_FOUND',
      );

      const assigned = await makeConsultationInState(deps, people, 'assigned');
      expectError(
        await api('secretary', 'PUT', `/consultations/${assigned.id}/draft`, { body: 'For tidligt', version: assigned.version }),
        422,
        'TRANSITION_NOT_ALLOWED',
      );

      const final = await api('secretary', 'GET', `/consultations/${c.id}`);
      expect(final.body.version).to.equal(again.body.version);
      expect(final.body.draft).to.include({ number: 2, body: 'Anden udgave' });
    });
  });

  describe('POST /consultations/{id}/events', () => {
    it('answers 200, 409, 422 (transition and validation), 403 and 404 with stable codes', async () => {
      const c = await makeConsultationInState(deps, people, 'assigned');
      const path = `/consultations/${c.id}/events`;
      const started = await api('secretary', 'POST', path, { type: 'START_DRAFTING', version: c.version });
      expect(started.status).to.equal(200);
      expect(started.body).to.include({ state: 'drafting', version: c.version + 1 });
      expect(started.body.timeline.at(-1)).to.include({ type: 'START_DRAFTING', from: 'assigned', to: 'drafting', actor: 'Mette Kjærgaard' });
      const v = started.body.version;

      const stale = await api('secretary', 'POST', path, { type: 'WITHDRAW', version: c.version, reason: 'For sent' });
      expectError(stale, 409, 'STALE_VERSION');
      expect(stale.body.error.currentVersion).to.equal(v);
      const notNow = await api('chair', 'POST', path, { type: 'APPROVE', version: v, basis: 'chair_decision' });
      expectError(notNow, 422, 'TRANSITION_NOT_ALLOWED');
      expect(notNow.body.error.details).to.deep.equal([]);
      const unknown = await api('secretary', 'POST', path, { type: 'PUBLISH', version: v });
      expectError(unknown, 422, 'VALIDATION_FAILED');
      expect(paths(unknown)).to.deep.equal(['type']);
      const noComment = await api('chair', 'POST', path, { type: 'REQUEST_CHANGES', version: v });
      expect(paths(noComment)).to.deep.equal(['comment']);
      const noVersion = await api('secretary', 'POST', path, { type: 'EXTEND_DEADLINE', deadline: 'i morgen' });
      expect(paths(noVersion)).to.deep.equal(['deadline', 'version']);
      expectError(await api('secretary', 'POST', path, undefined, 'type=START_DRAFTING'), 400, 'MALFORMED_REQUEST');
      expectError(await api('member', 'POST', path, { type: 'DECLINE', version: v, reason: 'Nej' }), 403, 'FORBIDDEN');
      expectError(await api('staff', 'POST', path, { type: 'WITHDRAW', version: v, reason: 'Nej' }), 403, 'FORBIDDEN');
      expectError(await api('chair', 'POST', path, { type: 'SUBMIT_FOR_APPROVAL', version: v }), 403, 'FORBIDDEN');
      expectError(await api('outsider', 'POST', path, { type: 'WITHDRAW', version: v, reason: 'Nej' }), 404, 'NOT_FOUND');
      expectError(await api('secretary', 'POST', '/consultations/123/events', { type: 'WITHDRAW', version: 1, reason: 'Nej' }), 404, 'NOT_FOUND');

      const extended = await api('secretary', 'POST', path, {
        type: 'EXTEND_DEADLINE',
        version: v,
        deadline: `${nextYear + 1}-01-10`,
        note: 'Aftalt med forvaltningen',
      });
      expect(extended.status).to.equal(200);
      expect(extended.body).to.include({ state: 'drafting', version: v + 1, deadline: `${nextYear + 1}-01-10T23:59:00.000+01:00` });
      expect(extended.body.timeline.at(-1)).to.include({
        type: 'EXTEND_DEADLINE',
        from: 'drafting',
        to: 'drafting',
        comment: 'Aftalt med forvaltningen',
      });
    });
  });

  describe('allowedEvents is exactly what succeeds for the user', () => {
    // Each role's allowed events per stop; `null` means the role does not see the consultation at all.
    const expected: Record<WorkflowStop, Record<Exclude<Role, 'outsider'>, UserEventType[] | null>> = {
      received: { secretary: ['ASSIGN'], chair: null, member: null, staff: null, admin: ['ASSIGN', 'WITHDRAW'] },
      assigned: { secretary: ['START_DRAFTING', 'WITHDRAW', 'EXTEND_DEADLINE'], chair: ['DECLINE'], member: [], staff: [], admin: ['WITHDRAW'] },
      drafting: { secretary: ['WITHDRAW', 'EXTEND_DEADLINE'], chair: ['DECLINE'], member: [], staff: [], admin: ['WITHDRAW'] },
      drafted: { secretary: ['SUBMIT_FOR_APPROVAL', 'WITHDRAW', 'EXTEND_DEADLINE'], chair: ['DECLINE'], member: [], staff: [], admin: ['WITHDRAW'] },
      awaiting_approval: {
        secretary: ['WITHDRAW', 'EXTEND_DEADLINE', 'START_WRITTEN_PROCEDURE'],
        chair: ['REQUEST_CHANGES', 'APPROVE', 'START_WRITTEN_PROCEDURE'],
        member: [],
        staff: [],
        admin: ['WITHDRAW'],
      },
      approved: { secretary: ['SUBMIT', 'WITHDRAW', 'EXTEND_DEADLINE'], chair: ['SUBMIT'], member: [], staff: [], admin: ['WITHDRAW'] },
      submitted: { secretary: [], chair: [], member: [], staff: [], admin: [] },
    };

    function validEvent(type: UserEventType, version: number): Record<string, unknown> {
      switch (type) {
        case 'ASSIGN':
          return { type, version, council: people.council.slug };
        case 'REQUEST_CHANGES':
          return { type, version, comment: 'Uddyb afsnit 2' };
        case 'APPROVE':
          return { type, version, basis: 'written_procedure' };
        case 'SUBMIT':
          return { type, version, channel: 'portal' };
        case 'DECLINE':
        case 'WITHDRAW':
          return { type, version, reason: 'Begrundelse' };
        case 'EXTEND_DEADLINE':
          return { type, version, deadline: deadlineInDays(120) };
        case 'START_WRITTEN_PROCEDURE':
          return { type, version, closesAt: deadlineInDays(5) };
        case 'CANCEL_WRITTEN_PROCEDURE':
          return { type, version, reason: 'Mødet tager sagen' };
        default:
          return { type, version };
      }
    }

    for (const stop of Object.keys(expected) as WorkflowStop[]) {
      it(`in ${stop}`, async () => {
        const c = await makeConsultationInState(deps, people, stop);
        let succeeded = 0;
        for (const role of Object.keys(expected[stop]) as Exclude<Role, 'outsider'>[]) {
          const seen = await api(role, 'GET', `/consultations/${c.id}`);
          const want = expected[stop][role];
          if (want === null) {
            expectError(seen, 404, 'NOT_FOUND');
            continue;
          }
          expect(seen.status).to.equal(200);
          const allowed = seen.body.allowedEvents as UserEventType[];
          expect(allowed, `${role} in ${stop}`).to.deep.equal(want);
          for (const type of EVENT_TYPES) {
            if (allowed.includes(type)) {
              // On a fresh consultation in the same state, since it changes this one.
              const fresh = await makeConsultationInState(deps, people, stop);
              const sent = await api(role, 'POST', `/consultations/${fresh.id}/events`, validEvent(type, fresh.version));
              expect(sent.status, `${role} ${type} in ${stop}: ${JSON.stringify(sent.body)}`).to.equal(200);
              expect(sent.body.version).to.equal(fresh.version + 1);
              succeeded++;
            } else {
              const sent = await api(role, 'POST', `/consultations/${c.id}/events`, validEvent(type, c.version));
              expect([403, 422], `${role} ${type} in ${stop}`).to.include(sent.status);
              expect(['FORBIDDEN', 'TRANSITION_NOT_ALLOWED']).to.include(sent.body.error.code);
            }
          }
        }
        expect(succeeded).to.equal(Object.values(expected[stop]).reduce((n, list) => n + (list?.length ?? 0), 0));
        const after = await api('admin', 'GET', `/consultations/${c.id}`);
        expect(after.body).to.include({ state: c.state, version: c.version });
      });
    }
  });
});
