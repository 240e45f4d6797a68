import { expect } from 'chai';
import { getConsultation, sendEvent } from '../../src/domain/consultations/service.ts';
import { toDanishDateTimeLocal, toDanishIso } from '../../src/domain/time.ts';
import { proposedProcedureClose } from '../../src/domain/written-procedure/times.ts';
import { issueVoteToken } from '../../src/domain/written-procedure/vote-links.ts';
import { useTestApp } from '../support/app.ts';
import { testDatabase } from '../support/db.ts';
import { workflowDeps } from '../support/fakes.ts';
import { deadlineInDays, makeConsultationInState, makeConsultationInWrittenProcedure, makeCouncilWithPeople } from '../support/factories.ts';
import { WebSession } from '../support/web-session.ts';

describe('the vote page of a written procedure (/vote/:token)', function () {
  this.timeout(120_000);
  const app = useTestApp();
  const db = () => testDatabase().db;

  /** A council whose consultation is in a written procedure, and a vote link for its member. */
  async function procedureWithLink() {
    const deps = workflowDeps(db());
    const people = await makeCouncilWithPeople(db());
    const { c, closesAt, procedureNumber } = await makeConsultationInWrittenProcedure(deps, people, {
      title: 'Høring om Integrationsstrategi 2026–2029',
    });
    const token = await issueVoteToken(db(), { consultationId: c.id, procedureNumber, userId: people.member.actor.userId }, closesAt);
    return { deps, people, c, token, closesAt, procedureNumber };
  }

  it('GET shows the draft and three choices without a session; POST casts the vote, on the timeline, and shows the count', async () => {
    const { deps, people, c, token } = await procedureWithLink();
    const visitor = new WebSession(app.baseUrl);
    const page = await visitor.get(`/vote/${token}`);
    expect(page.status).to.equal(200);
    expect(page.headers.get('cache-control')).to.equal('no-store');
    expect(page.text).to.include('<html lang="da"').and.include('Høring om Integrationsstrategi 2026–2029').and.include('savner sprogcentret');
    expect(page.text).to.include('Til Birgitte Sørensen');
    for (const value of ['agree', 'disagree', 'abstain']) expect(page.text).to.include(`name="vote" value="${value}"`);
    expect(page.text).to.include(`action="/vote/${token}"`);

    // CSRF as for every form: without the page's token the vote is refused.
    const forged = await new WebSession(app.baseUrl).postForm(`/vote/${token}`, { vote: 'agree' });
    expect(forged.status).to.equal(403);

    // A vote against needs a reason: the form again, with the message beside the comment.
    const csrf = WebSession.csrfToken(page.text);
    const refused = await visitor.postForm(`/vote/${token}`, { _csrf: csrf, vote: 'disagree', comment: '' });
    expect(refused.status).to.equal(422);
    expect(refused.text).to.include('id="vote-comment-fejl"').and.include('value="disagree" checked');

    const voted = await visitor.postForm(`/vote/${token}`, { _csrf: csrf, vote: 'agree', comment: 'Fint udkast.' });
    expect(voted.status).to.equal(200);
    expect(voted.text)
      .to.include('Din stemme er registreret')
      .and.match(/For: <strong>1<\/strong>/);
    expect(voted.text).to.match(/Har ikke stemt: <strong>1<\/strong>/);

    // A changed vote: the last one counts.
    const changed = await visitor.postForm(`/vote/${token}`, { _csrf: csrf, vote: 'abstain' });
    expect(changed.text)
      .to.match(/Hverken for eller imod: <strong>1<\/strong>/)
      .and.match(/For: <strong>0<\/strong>/);

    const seen = await getConsultation(deps, people.secretary.actor, c.id);
    const votes = seen.timeline.filter((t) => t.type === 'CAST_VOTE');
    expect(votes.map((t) => t.actor)).to.deep.equal(['Birgitte Sørensen', 'Birgitte Sørensen']);
    expect(seen.writtenProcedure!.voters.find((v) => v.name === 'Birgitte Sørensen')).to.deep.include({ hasVoted: true, vote: 'abstain' });
  });

  it('an expired, unknown or replaced link gives a Danish 404 page, without a stack or the consultation', async () => {
    const { deps, people, c, procedureNumber } = await procedureWithLink();
    const expired = await issueVoteToken(
      db(),
      { consultationId: c.id, procedureNumber, userId: people.chair.actor.userId },
      new Date(Date.now() - 1000),
    );
    const visitor = new WebSession(app.baseUrl);
    for (const path of [`/vote/${expired}`, '/vote/wp_ukendt', `/vote/${'x'.repeat(500)}`]) {
      const page = await visitor.get(path);
      expect(page.status, path).to.equal(404);
      expect(page.text, path).to.include('Stemmelinket virker ikke').and.include('<html lang="da"');
      expect(page.text, path).not.to.include('Høring om Integrationsstrategi').and.not.include('    at ');
      expect(page.headers.get('cache-control'), path).to.equal('no-store');
    }
    // Posting to an expired link casts nothing.
    const form = await visitor.get('/login');
    const posted = await visitor.postForm(`/vote/${expired}`, { _csrf: WebSession.csrfToken(form.text), vote: 'agree' });
    expect(posted.status).to.equal(404);
    const seen = await getConsultation(deps, people.secretary.actor, c.id);
    expect(seen.writtenProcedure!.counts.agree).to.equal(0);

    // A link of a cancelled procedure does nothing in the next one.
    const { token: old, c: other, people: otherPeople } = await procedureWithLink();
    const cancelled = await sendEvent(deps, otherPeople.secretary.actor, other.id, {
      type: 'CANCEL_WRITTEN_PROCEDURE',
      version: other.version,
      reason: 'Behandles på mødet.',
    });
    await sendEvent(deps, otherPeople.secretary.actor, other.id, {
      type: 'START_WRITTEN_PROCEDURE',
      version: cancelled.version,
      closesAt: toDanishIso(proposedProcedureClose(new Date(), other.deadline)!),
    });
    expect((await visitor.get(`/vote/${old}`)).status).to.equal(404);
  });

  it('a link casts only its own vote in its own consultation: it signs nobody in and reads nothing else', async () => {
    const first = await procedureWithLink();
    const second = await procedureWithLink();
    const visitor = new WebSession(app.baseUrl);
    const page = await visitor.get(`/vote/${first.token}`);
    const csrf = WebSession.csrfToken(page.text);
    // Whatever the form says, the vote goes to the link's consultation, by the link's voter.
    const voted = await visitor.postForm(`/vote/${first.token}`, {
      _csrf: csrf,
      vote: 'agree',
      consultationId: second.c.id,
      userId: String(second.people.chair.actor.userId),
    });
    expect(voted.status).to.equal(200);
    const a = await getConsultation(first.deps, first.people.secretary.actor, first.c.id);
    const b = await getConsultation(second.deps, second.people.secretary.actor, second.c.id);
    expect(a.writtenProcedure!.counts.agree).to.equal(1);
    expect(b.writtenProcedure!.counts).to.deep.include({ agree: 0, disagree: 0, abstain: 0 });

    // The session the vote page made is no login: every page of the app still asks to log in.
    for (const path of [
      `/consultations/${first.c.id}`,
      `/consultations/${second.c.id}`,
      '/',
      `/consultations/${first.c.id}/preview.pdf`,
      '/profile',
    ]) {
      const answer = await visitor.get(path);
      expect(answer.status, path).to.be.oneOf([302, 303]);
      expect(answer.headers.get('location'), path).to.match(/^\/login/);
    }
    // Nor is the token a key to the API.
    const api = await fetch(`${app.baseUrl}/api/v1/consultations/${first.c.id}`, { headers: { authorization: `Bearer ${first.token}` } });
    expect(api.status).to.equal(401);
    // One consultation's link is not another's: the path holds only the token.
    expect((await visitor.get(`/vote/${first.token}/../${second.c.id}`)).status).to.be.oneOf([302, 303, 404]);
  });

  it('a signed-in voter votes on the consultation page; a vote against without a reason comes back to the form', async () => {
    const { people, c } = await procedureWithLink();
    const member = new WebSession(app.baseUrl);
    await member.logIn(people.member.email, people.member.password);
    const page = await member.get(`/consultations/${c.id}`);
    expect(page.text).to.include('id="skriftlig-procedure"').and.include(`action="/consultations/${c.id}/written-procedure/vote"`);
    const csrf = WebSession.csrfToken(page.text);
    const refused = await member.postForm(`/consultations/${c.id}/written-procedure/vote`, { _csrf: csrf, vote: 'disagree' });
    expect(refused.status).to.equal(303);
    const back = await member.follow(refused);
    expect(back.hash).to.equal('#formular-vote');
    expect(back.text).to.include('Din stemme er ikke afgivet').and.include('id="vote-comment-fejl"');
    const voted = await member.postForm(`/consultations/${c.id}/written-procedure/vote`, {
      _csrf: csrf,
      vote: 'disagree',
      comment: 'Sprogcentret mangler.',
    });
    const after = await member.follow(voted);
    expect(after.text)
      .to.include('Din stemme er registreret')
      .and.match(/Imod: <strong>1<\/strong>/);

    // The secretary does not vote: no vote form, and a hand-made post is refused.
    const secretary = new WebSession(app.baseUrl);
    await secretary.logIn(people.secretary.email, people.secretary.password);
    const seen = await secretary.get(`/consultations/${c.id}`);
    expect(seen.text).to.include('id="skriftlig-procedure"').and.not.include('id="formular-vote"');
    expect(seen.text).to.include('Birgitte Sørensen: Imod');
    const forbidden = await secretary.postForm(`/consultations/${c.id}/written-procedure/vote`, {
      _csrf: WebSession.csrfToken(seen.text),
      vote: 'agree',
    });
    expect(forbidden.status).to.equal(403);
  });

  it('the secretary starts a written procedure from the page with the proposed closing time, and cancels it with a reason', async () => {
    const deps = workflowDeps(db());
    const people = await makeCouncilWithPeople(db());
    const c = await makeConsultationInState(deps, people, 'awaiting_approval', { deadline: deadlineInDays(30) });
    const secretary = new WebSession(app.baseUrl);
    await secretary.logIn(people.secretary.email, people.secretary.password);
    const page = await secretary.get(`/consultations/${c.id}`);
    const proposed = toDanishDateTimeLocal(proposedProcedureClose(new Date(), c.deadline)!);
    expect(page.text)
      .to.include('id="formular-start-written-procedure"')
      .and.include(`id="procedure-closes-at" name="closesAt" type="datetime-local" value="${proposed}"`);
    const csrf = WebSession.csrfToken(page.text);
    const started = await secretary.postForm(`/consultations/${c.id}/events`, {
      _csrf: csrf,
      type: 'START_WRITTEN_PROCEDURE',
      version: String(c.version),
      closesAt: proposed,
      note: 'Sagen kan ikke vente til mødet.',
    });
    expect(started.status).to.equal(303);
    const running = await secretary.follow(started);
    expect(running.text).to.include('id="skriftlig-procedure"').and.include('Afstemningen er i gang').and.include('Sagen kan ikke vente til mødet.');
    expect(running.text).to.include('Ahmad Hussein: har ikke stemt').and.include('Birgitte Sørensen: har ikke stemt');
    expect(running.text).to.include('id="formular-cancel-written-procedure"').and.not.include('id="formular-start-written-procedure"');
    const procedureNumber = (await getConsultation(deps, people.secretary.actor, c.id)).writtenProcedure!.number;
    const token = await issueVoteToken(
      db(),
      { consultationId: c.id, procedureNumber, userId: people.member.actor.userId },
      new Date(Date.now() + 86_400_000),
    );

    const version = /name="version" value="(\d+)"/.exec(running.text)![1]!;
    const cancelled = await secretary.postForm(`/consultations/${c.id}/events`, {
      _csrf: csrf,
      type: 'CANCEL_WRITTEN_PROCEDURE',
      version,
      reason: 'Behandles på mødet.',
    });
    const after = await secretary.follow(cancelled);
    expect(after.text).to.include('Den skriftlige procedure er afbrudt').and.include('Behandles på mødet.');
    expect(after.text).to.include('Skriftlig procedure afbrudt');
    // A link of the cancelled procedure shows how it ended, but no longer the draft, and casts nothing.
    const link = await new WebSession(app.baseUrl).get(`/vote/${token}`);
    expect(link.status).to.equal(200);
    expect(link.text).to.include('Afstemningen er slut').and.not.include('savner sprogcentret').and.not.include('name="vote"');
  });
});
