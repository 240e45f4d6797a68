import { expect } from 'chai';
import { insertMeeting } from '../../src/db/repositories/meetings.ts';
import { refreshAgenda } from '../../src/domain/meetings/agenda.ts';
import { useTestApp } from '../support/app.ts';
import { expectInOrder, fetchPdfText } from '../support/pdf-text.ts';
import { deadlineInDays, makeConsultationInState, makeCouncilWithPeople, makeUser } from '../support/factories.ts';
import { WebSession } from '../support/web-session.ts';

describe('agenda pages and PDF', function () {
  this.timeout(180_000);
  const app = useTestApp();

  async function logIn(user: { email: string; password: string }) {
    const web = new WebSession(app.baseUrl);
    await web.logIn(user.email, user.password);
    return web;
  }

  async function world() {
    const people = await makeCouncilWithPeople(app.deps.db);
    const meeting = await insertMeeting(app.deps.db, {
      councilId: people.council.id,
      startsAt: new Date(Date.now() + 12 * 86_400_000),
      place: 'Rådhuset, mødelokale 2',
    });
    const treated = await makeConsultationInState(app.deps, people, 'drafted', {
      title: 'Udkast til Integrationsstrategi 2026–2029',
      deadline: deadlineInDays(30),
    });
    const decided = await makeConsultationInState(app.deps, people, 'approved', {
      title: 'Handleplan for sprogcentret',
      deadline: deadlineInDays(5),
    });
    const path = `/councils/${people.council.slug}/meetings/${meeting.id}/agenda`;
    return { people, meeting, treated, decided, path };
  }

  it('the secretary builds the agenda on the page: refresh, a free item (refused without a title), move, take off and put back', async () => {
    const { people, path } = await world();
    const web = await logIn(people.secretary);
    let page = await web.get(path);
    expect(page.status).to.equal(200);
    expect(page.text).to.include('Dagsordenen har endnu ingen punkter').and.include('2 nye punkter kan komme på');

    let answer = await web.postForm(`${path}/refresh`, { _csrf: WebSession.csrfToken(page.text) });
    expect(answer.status).to.equal(303);
    page = await web.follow(answer);
    expect(page.text).to.include('Dagsordenen er opdateret.');
    expect(page.text).to.include('1. Orientering om formandsbeslutning: Handleplan for sprogcentret');
    expect(page.text).to.include('2. Udkast til Integrationsstrategi 2026–2029').and.include('savner sprogcentret');

    const refused = await web.postForm(`${path}/items`, { _csrf: WebSession.csrfToken(page.text), title: ' ', body: 'Nyt fra *formanden*' });
    expect(refused.status).to.equal(422);
    expect(refused.text).to.include('Skriv en overskrift til punktet').and.include('Nyt fra *formanden*');

    answer = await web.postForm(`${path}/items`, {
      _csrf: WebSession.csrfToken(page.text),
      title: 'Eventuelt',
      body: 'Nyt fra **formanden** <script>alert(1)</script>',
    });
    page = await web.follow(answer);
    expect(page.text).to.include('3. Eventuelt').and.include('<strong>formanden</strong>');
    expect(page.text).to.not.include('<script>alert(1)');

    const itemId = (n: number) => new RegExp(`<li class="agenda-item" id="punkt-(\\d+)">\\s*<h3>${n}\\.`).exec(page.text)![1]!;
    const free = itemId(3);
    answer = await web.postForm(`${path}/items/${free}/move`, { _csrf: WebSession.csrfToken(page.text), direction: 'up' });
    page = await web.follow(answer);
    expect(page.text).to.include('2. Eventuelt').and.include('3. Udkast til Integrationsstrategi');
    const badMove = await web.postForm(`${path}/items/${free}/move`, { _csrf: WebSession.csrfToken(page.text), direction: 'sideways' });
    expect(badMove.status).to.equal(422);

    answer = await web.postForm(`${path}/items/${free}/remove`, { _csrf: WebSession.csrfToken(page.text) });
    page = await web.follow(answer);
    expect(page.text).to.not.include('. Eventuelt</h3>');
    expect(page.text).to.include('Taget af dagsordenen');
    answer = await web.postForm(`${path}/items/${free}/restore`, { _csrf: WebSession.csrfToken(page.text) });
    page = await web.follow(answer);
    expect(page.text).to.include('3. Eventuelt');
    // No CSRF token, no change.
    expect((await web.postForm(`${path}/refresh`, {})).status).to.equal(403);
  });

  it('members and staff read it without the forms (staff without the drafts); other councils and strangers get 404', async () => {
    const { people, meeting, path } = await world();
    await refreshAgenda(app.deps, people.secretary.actor, people.council.slug, meeting.id);
    const member = await logIn(people.member);
    const forMember = await member.get(path);
    expect(forMember.status).to.equal(200);
    expect(forMember.text).to.include('savner sprogcentret');
    expect(forMember.text).to.not.include('Opdatér med nye punkter');
    expect((await member.postForm(`${path}/refresh`, { _csrf: WebSession.csrfToken(forMember.text) })).status).to.equal(403);
    const staff = await logIn(people.staff);
    const forStaff = await staff.get(path);
    expect(forStaff.status).to.equal(200);
    expect(forStaff.text).to.include('Udkast til Integrationsstrategi');
    expect(forStaff.text).to.not.include('savner sprogcentret');
    expect((await staff.get(`/councils/${people.council.slug}/agendas`)).text).to.include(`/meetings/${meeting.id}/agenda`);

    const other = await makeCouncilWithPeople(app.deps.db);
    for (const user of [other.secretary, await makeUser(app.deps.db)]) {
      const web = await logIn(user);
      expect((await web.get(path)).status).to.equal(404);
      expect((await web.get(`${path}.pdf`)).status).to.equal(404);
      expect((await web.get(`/councils/${people.council.slug}/agendas`)).status).to.equal(404);
    }
    const secretary = await logIn(people.secretary);
    expect((await secretary.get(`/councils/${people.council.slug}/meetings`)).text).to.include(`/meetings/${meeting.id}/agenda`);
    expect((await secretary.get(`/councils/${other.council.slug}/meetings/${meeting.id}/agenda`)).status).to.equal(404);
  });

  it('the agenda PDF (real Chromium) holds its items in their order, in the letterhead', async () => {
    const { people, meeting, path } = await world();
    await refreshAgenda(app.deps, people.secretary.actor, people.council.slug, meeting.id);
    const web = await logIn(people.chair);
    const page = await web.get(path);
    await web.postForm(`${path}/items`, {
      _csrf: WebSession.csrfToken(page.text),
      title: 'Eventuelt: temadag i foråret',
      body: '- Besøg på **sprogcentret**',
    });
    const flat = await fetchPdfText(app.baseUrl, `${path}.pdf`, web);
    expect(flat).to.include(people.council.name).and.include('Dagsorden for mødet');
    expectInOrder(flat, [
      '1. Orientering om formandsbeslutning: Handleplan for sprogcentret',
      '2. Udkast til Integrationsstrategi 2026–2029',
      'savner sprogcentret',
      '3. Eventuelt: temadag i foråret',
      'Besøg på sprogcentret',
    ]);
  });
});
