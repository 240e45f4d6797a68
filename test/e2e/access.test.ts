import { expect } from 'chai';
import { useTestApp } from '../support/app.ts';
import { testDatabase } from '../support/db.ts';
import { deadlineInDays, makeConsultation, makeConsultationInState, makeCouncilWithPeople, makeUser, unique } from '../support/factories.ts';
import { WebSession } from '../support/web-session.ts';
import { createApiToken } from '../../src/domain/tokens/service.ts';
import { saveDraft, sendEvent } from '../../src/domain/consultations/service.ts';
import { addDraftComment } from '../../src/domain/consultations/comments.ts';

describe('councils never see each other’s data', () => {
  const app = useTestApp();

  it('lists only the user’s own councils’ consultations and hides the others’ (web and API)', async () => {
    const { db } = testDatabase();
    const naestved = await makeCouncilWithPeople(db);
    const vordingborg = await makeCouncilWithPeople(db);
    const deps = { db, clock: () => new Date() };
    const ours = await makeConsultation(deps, naestved.secretary.actor, { council: naestved.council.slug, title: 'Vores høring om sprogcentret' });
    const theirs = await makeConsultation(deps, vordingborg.secretary.actor, { council: vordingborg.council.slug, title: 'Deres fortrolige høring' });

    const web = new WebSession(app.baseUrl);
    await web.logIn(naestved.secretary.email, naestved.secretary.password);
    const queue = await web.get('/');
    expect(queue.text).to.include('Vores høring om sprogcentret');
    expect(queue.text).not.to.include('Deres fortrolige høring');
    const filtered = await web.get(`/?council=${vordingborg.council.slug}&state=all`);
    expect(filtered.text).not.to.include('Deres fortrolige høring');

    const { token } = await createApiToken(db, { email: naestved.secretary.email });
    const auth = { authorization: `Bearer ${token}` };
    const foreign = await fetch(`${app.baseUrl}/api/v1/consultations/${theirs.id}`, { headers: auth });
    expect(foreign.status).to.equal(404);
    expect(((await foreign.json()) as { error: { code: string } }).error.code).to.equal('NOT_FOUND');
    const missing = await fetch(`${app.baseUrl}/api/v1/consultations/00000000-0000-4000-8000-000000000000`, { headers: auth });
    expect(missing.status).to.equal(404);
    const own = await fetch(`${app.baseUrl}/api/v1/consultations/${ours.id}`, { headers: auth });
    expect(own.status).to.equal(200);
    const list = (await (await fetch(`${app.baseUrl}/api/v1/consultations?limit=200`, { headers: auth })).json()) as { items: { id: string }[] };
    expect(list.items.map((i) => i.id))
      .to.include(ours.id)
      .and.not.include(theirs.id);
  });

  it('refuses the API without a valid token', async () => {
    expect((await fetch(`${app.baseUrl}/api/v1/consultations`)).status).to.equal(401);
    const bad = await fetch(`${app.baseUrl}/api/v1/consultations`, { headers: { authorization: 'Bearer rs_forkert' } });
    expect(bad.status).to.equal(401);
    expect(((await bad.json()) as { error: { code: string } }).error.code).to.equal('UNAUTHENTICATED');
  });
});

describe('municipal staff never see the council’s internals (role matrix)', function () {
  // Four draft previews are rendered by Chromium.
  this.timeout(120_000);
  const app = useTestApp();

  const DRAFT_V1 = 'Første udkast om sprogcentret i Næstved.';
  const DRAFT_V2 = 'Andet udkast: rådet savner tolkebistand.';
  const DRAFT_V3 = 'Tredje udkast: rådet bakker op, men savner tolkebistand og sprogcentret.';
  const MEMBER_COMMENT = 'Husk at nævne Fælleskontoret for flygtninge.';
  const CHAIR_COMMENT = 'Skærp afsnittet om tolkebistand før vi sender.';
  const INTERNAL_TEXTS = [DRAFT_V1, DRAFT_V2, DRAFT_V3, MEMBER_COMMENT, CHAIR_COMMENT];

  type Who = 'secretary' | 'chair' | 'member' | 'admin' | 'staff' | 'staffOfOtherCouncil' | 'otherCouncilSecretary';
  // What each role gets on a consultation of the council: the internals, the facts only, or nothing (404).
  const EXPECTED: Record<Who, 'internals' | 'facts' | 'nothing'> = {
    secretary: 'internals',
    chair: 'internals',
    member: 'internals',
    admin: 'internals',
    staff: 'facts',
    // Same municipality, another council: the overview lists it, the page does not exist for them.
    staffOfOtherCouncil: 'nothing',
    otherCouncilSecretary: 'nothing',
  };

  let people: Awaited<ReturnType<typeof makeCouncilWithPeople>>;
  let users: Record<Who, { email: string; password: string }>;
  let consultationId: string;
  let title: string;

  before(async () => {
    const { db } = testDatabase();
    people = await makeCouncilWithPeople(db);
    const other = await makeCouncilWithPeople(db);
    const admin = await makeUser(db, { admin: true, name: 'Administrator' });
    users = {
      secretary: people.secretary,
      chair: people.chair,
      member: people.member,
      admin,
      staff: people.staff,
      staffOfOtherCouncil: other.staff,
      otherCouncilSecretary: other.secretary,
    };
    const deps = app.deps;
    const sec = people.secretary.actor;
    title = `Udkast til Integrationsstrategi ${unique()}`;
    let c = await makeConsultationInState(deps, people, 'drafting', { title });
    c = await saveDraft(deps, sec, c.id, { body: DRAFT_V1, version: c.version });
    c = await saveDraft(deps, sec, c.id, { body: DRAFT_V2, version: c.version });
    await addDraftComment(deps, people.member.actor, c.id, { body: MEMBER_COMMENT });
    c = await sendEvent(deps, sec, c.id, { type: 'SUBMIT_FOR_APPROVAL', version: c.version });
    c = await sendEvent(deps, people.chair.actor, c.id, { type: 'REQUEST_CHANGES', version: c.version, comment: CHAIR_COMMENT });
    c = await saveDraft(deps, sec, c.id, { body: DRAFT_V3, version: c.version });
    c = await sendEvent(deps, sec, c.id, {
      type: 'EXTEND_DEADLINE',
      version: c.version,
      deadline: deadlineInDays(40),
      note: 'Forlænget efter aftale med udvalget',
    });
    consultationId = c.id;
  });

  const who = Object.keys(EXPECTED) as Who[];
  for (const role of who) {
    const expected = EXPECTED[role];
    it(`${role}: the page, its diff, the preview PDF and the API give ${expected}`, async () => {
      const web = new WebSession(app.baseUrl);
      await web.logIn(users[role].email, users[role].password);
      const path = `/consultations/${consultationId}`;
      const page = await web.get(path);
      const diff = await web.get(`${path}?from=1&to=3`);
      const preview = await web.request(`${path}/preview.pdf`);
      const { token } = await createApiToken(testDatabase().db, { email: users[role].email });
      const apiResponse = await fetch(`${app.baseUrl}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
      const json = (await apiResponse.json()) as Record<string, any>;

      if (expected === 'nothing') {
        for (const response of [page, diff, preview]) expect(response.status).to.equal(404);
        expect(apiResponse.status).to.equal(404);
        return;
      }
      expect(page.status).to.equal(200);
      expect(apiResponse.status).to.equal(200);
      if (expected === 'internals') {
        expect(page.text).to.include(DRAFT_V3).and.include(MEMBER_COMMENT).and.include(CHAIR_COMMENT).and.include('id="versioner"');
        expect(page.text).to.include(`href="${path}/preview.pdf"`);
        expect(diff.text).to.include('Forskelle fra version 1 til version 3');
        expect(preview.status).to.equal(200);
        expect(preview.headers.get('content-type')).to.equal('application/pdf');
        expect(json.draft).to.include({ number: 3, body: DRAFT_V3 });
        expect(json.changesRequested).to.equal(CHAIR_COMMENT);
        expect(json.timeline.map((e: { comment: string | null }) => e.comment)).to.include(CHAIR_COMMENT);
        expect(json.timeline.filter((e: { type: string }) => e.type === 'SAVE_DRAFT')).to.have.length(3);
        return;
      }
      // Staff: the facts, the state, the deadline and the timeline of states, nothing the council wrote or said.
      for (const text of INTERNAL_TEXTS) {
        expect(page.text, text).to.not.include(text);
        expect(diff.text, text).to.not.include(text);
        expect(JSON.stringify(json), text).to.not.include(text);
      }
      expect(page.text).to.include(title).and.include('Under udarbejdelse').and.include('Forlænget efter aftale med udvalget');
      expect(page.text)
        .to.not.include('id="versioner"')
        .and.not.include('id="kommentarer"')
        .and.not.include('preview.pdf')
        .and.not.include('Forskelle');
      expect(preview.status).to.equal(404);
      // The status link is the council's to hand out, not the municipality's.
      expect(page.text).to.not.include('/status/');
      expect(json).to.not.have.property('statusUrl');
      expect(json).to.not.have.property('draft');
      expect(json).to.not.have.property('changesRequested');
      expect(json.state).to.equal('drafting');
      const types = json.timeline.map((e: { type: string }) => e.type);
      expect(types).to.include.members(['REGISTERED', 'ASSIGN', 'START_DRAFTING', 'SUBMIT_FOR_APPROVAL', 'REQUEST_CHANGES', 'EXTEND_DEADLINE']);
      expect(types).to.not.include('SAVE_DRAFT');
      expect(json.timeline.find((e: { type: string }) => e.type === 'REQUEST_CHANGES').comment).to.equal(null);
      const list = (await (
        await fetch(`${app.baseUrl}/api/v1/consultations?limit=200`, { headers: { authorization: `Bearer ${token}` } })
      ).json()) as {
        items: Array<Record<string, unknown>>;
      };
      const listed = list.items.find((item) => item.id === consultationId)!;
      expect(listed).to.not.have.property('changesRequested');
    });
  }

  it('staff get the submitted letter, and still no draft or comments', async () => {
    const submitted = await makeConsultationInState(app.deps, people, 'submitted');
    const web = new WebSession(app.baseUrl);
    await web.logIn(people.staff.email, people.staff.password);
    const path = `/consultations/${submitted.id}`;
    const page = await web.get(path);
    expect(page.text).to.include(`href="${path}/response.pdf"`).and.not.include('savner sprogcentret');
    const letter = await web.request(`${path}/response.pdf`);
    expect(letter.status).to.equal(200);
    expect(letter.headers.get('content-type')).to.equal('application/pdf');
  });
});
