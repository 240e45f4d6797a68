import { expect } from 'chai';
import { insertMeeting } from '../../src/db/repositories/meetings.ts';
import { refreshAgenda } from '../../src/domain/meetings/agenda.ts';
import { useTestApp } from '../support/app.ts';
import { expectInOrder, fetchPdfText } from '../support/pdf-text.ts';
import { deadlineInDays, makeConsultationInState, makeCouncilWithPeople, makeUser } from '../support/factories.ts';
import { WebSession } from '../support/web-session.ts';

describe('minutes pages and PDF', function () {
  this.timeout(180_000);
  const app = useTestApp();

  const logIn = (user: { email: string; password: string }) => WebSession.loggedIn(app.baseUrl, user);

  /** A meeting that begins a moment after its agenda is built: a chair decision to note, a response awaiting approval, a draft. */
  async function world() {
    const people = await makeCouncilWithPeople(app.deps.db);
    const decided = await makeConsultationInState(app.deps, people, 'approved', {
      title: 'Handleplan for sprogcentret',
      deadline: deadlineInDays(5),
    });
    const awaiting = await makeConsultationInState(app.deps, people, 'awaiting_approval', {
      title: 'Forslag til lov om ændring af integrationsloven',
      deadline: deadlineInDays(40),
    });
    const drafting = await makeConsultationInState(app.deps, people, 'drafted', {
      title: 'Udkast til Integrationsstrategi 2026–2029',
      deadline: deadlineInDays(30),
    });
    const meeting = await insertMeeting(app.deps.db, { councilId: people.council.id, startsAt: new Date(Date.now() + 1500), place: 'Rådhuset' });
    expect(await refreshAgenda(app.deps, people.secretary.actor, people.council.slug, meeting.id)).to.equal(3);
    while (Date.now() <= meeting.starts_at.getTime()) await new Promise((resolve) => setTimeout(resolve, 100));
    const path = `/councils/${people.council.slug}/meetings/${meeting.id}/minutes`;
    return { people, meeting, decided, awaiting, drafting, path };
  }

  const itemId = (html: string, n: number) => new RegExp(`<li class="agenda-item" id="punkt-(\\d+)">\\s*<h3>${n}\\.`).exec(html)![1]!;

  it('the secretary records each outcome (refusals keep what was typed), finalises, and the PDF holds the items and outcomes', async () => {
    const { people, decided, awaiting, path } = await world();
    const web = await logIn(people.secretary);
    const agenda = await web.get(path.replace(/minutes$/, 'agenda'));
    expect(agenda.text).to.include(`href="${path}"`);
    let page = await web.get(path);
    expect(page.status).to.equal(200);
    expect(page.text).to.include('1. Orientering om formandsbeslutning: Handleplan for sprogcentret').and.include('Godkend og arkivér referatet');

    // Sending back without a comment is refused; the choice stays.
    // Consultations by deadline: the draft (30 days) is item 2, the response awaiting approval (40 days) item 3.
    const awaitingItem = itemId(page.text, 3);
    let refused = await web.postForm(`${path}/items/${awaitingItem}`, { _csrf: WebSession.csrfToken(page.text), outcome: 'sent_back', comment: ' ' });
    expect(refused.status).to.equal(422);
    expect(refused.text).to.include('Skriv mødets kommentarer til sekretæren');
    expect(refused.text).to.match(new RegExp(`id="outcome-${awaitingItem}-sent_back" name="outcome" value="sent_back" checked`));
    // Approving a draft that was never sent for approval is refused; the comment typed stays.
    const draftItem = itemId(page.text, 2);
    refused = await web.postForm(`${path}/items/${draftItem}`, {
      _csrf: WebSession.csrfToken(page.text),
      outcome: 'approved',
      comment: 'Flot arbejde',
    });
    expect(refused.status).to.equal(422);
    expect(refused.text).to.include('kun godkende et høringssvar, der er sendt til godkendelse').and.include('>Flot arbejde</textarea>');

    let answer = await web.postForm(`${path}/items/${awaitingItem}`, { _csrf: WebSession.csrfToken(page.text), outcome: 'approved', comment: '' });
    expect(answer.status).to.equal(303);
    page = await web.follow(answer);
    expect(page.text).to.include('Beslutningen er ført til referat.').and.include('<strong>Beslutning:</strong> Godkendt');
    const consultation = await web.get(`/consultations/${awaiting.id}`);
    expect(consultation.text).to.include('Godkendt');

    await web.postForm(`${path}/items/${itemId(page.text, 1)}`, { _csrf: WebSession.csrfToken(page.text), outcome: 'noted', comment: '' });
    answer = await web.postForm(`${path}/items/${draftItem}`, {
      _csrf: WebSession.csrfToken(page.text),
      outcome: 'postponed',
      comment: 'Tages op igen i marts',
    });
    page = await web.follow(answer);
    expect(page.text).to.include('Taget til efterretning').and.include('Udsat').and.include('Tages op igen i marts');
    // The chair's decision noted by the meeting is on its timeline, in Danish.
    expect((await web.get(`/consultations/${decided.id}`)).text).to.include('<strong>Taget til efterretning på rådets møde</strong>');
    // No CSRF token, no change.
    expect((await web.postForm(`${path}/finalise`, {})).status).to.equal(403);

    answer = await web.postForm(`${path}/finalise`, { _csrf: WebSession.csrfToken(page.text) });
    expect(answer.status).to.equal(303);
    page = await web.follow(answer);
    expect(page.text).to.include('Referatet er godkendt og arkiveret.').and.include('Hent referatet som PDF');
    expect(page.text).to.not.include('Før til referat');

    const flat = await fetchPdfText(app.baseUrl, `${path}.pdf`, web);
    expect(flat).to.include(people.council.name).and.include('Referat af mødet');
    expectInOrder(flat, [
      '1. Orientering om formandsbeslutning: Handleplan for sprogcentret',
      'Taget til efterretning',
      '2. Udkast til Integrationsstrategi 2026–2029',
      'Udsat',
      'Tages op igen i marts',
      '3. Forslag til lov om ændring af integrationsloven',
      'Godkendt',
    ]);
  });

  it('a member reads the minutes without forms and cannot record; another council and strangers get 404', async () => {
    const { people, path } = await world();
    const secretary = await logIn(people.secretary);
    const page = await secretary.get(path);
    await secretary.postForm(`${path}/items/${itemId(page.text, 1)}`, {
      _csrf: WebSession.csrfToken(page.text),
      outcome: 'noted',
      comment: 'Orienteringen blev taget til efterretning',
    });

    const member = await logIn(people.member);
    const forMember = await member.get(path);
    expect(forMember.status).to.equal(200);
    expect(forMember.text).to.include('Orienteringen blev taget til efterretning').and.include('Ikke ført til referat endnu');
    expect(forMember.text).to.not.include('Før til referat').and.not.include('Godkend og arkivér referatet');
    const csrf = WebSession.csrfToken(forMember.text);
    expect((await member.postForm(`${path}/items/${itemId(forMember.text, 3)}`, { _csrf: csrf, outcome: 'approved' })).status).to.equal(403);
    expect((await member.postForm(`${path}/finalise`, { _csrf: csrf })).status).to.equal(403);
    // Not archived yet: no PDF.
    expect((await member.get(`${path}.pdf`)).status).to.equal(404);

    const other = await makeCouncilWithPeople(app.deps.db);
    for (const user of [other.secretary, await makeUser(app.deps.db)]) {
      const web = await logIn(user);
      expect((await web.get(path)).status).to.equal(404);
      expect((await web.get(`${path}.pdf`)).status).to.equal(404);
      const token = WebSession.csrfToken((await web.get('/profile')).text);
      expect((await web.postForm(`${path}/finalise`, { _csrf: token })).status).to.equal(404);
    }
  });
});
