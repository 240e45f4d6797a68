import { expect } from 'chai';
import { insertReadDocumentWithMarker } from '../support/documents.ts';
import { addDraftComment } from '../../src/domain/consultations/comments.ts';
import { saveDraft, sendEvent } from '../../src/domain/consultations/service.ts';
import { AppError } from '../../src/domain/errors.ts';
import { danishDate } from '../../src/domain/time.ts';
import { setPublication } from '../../src/domain/publication/service.ts';
import { saveCouncilPublicProfile, saveOwnListing } from '../../src/domain/publication/council-profile.ts';
import { publicCouncilPage } from '../../src/domain/publication/public-pages.ts';
import { recordResponseOutcome } from '../../src/domain/publication/outcome.ts';
import { getConsultationPage } from '../../src/domain/consultations/page.ts';
import { searchPublished } from '../../src/domain/search/service.ts';
import { useTestApp } from '../support/app.ts';
import { WebSession } from '../support/web-session.ts';
import { makeConsultationInState, makeCouncilWithPeople, makeUser, unique } from '../support/factories.ts';

type People = Awaited<ReturnType<typeof makeCouncilWithPeople>>;

describe("a council's public page (/r/:slug) and what is published on it", () => {
  const app = useTestApp();

  /** A GET without a cookie, as a visitor; the body as text. */
  async function visit(path: string, headers: Record<string, string> = {}) {
    const response = await fetch(`${app.baseUrl}${path}`, { headers, redirect: 'manual' });
    return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
  }

  async function submittedWith(people: People, title: string, submit: Record<string, unknown> = {}) {
    const approved = await makeConsultationInState(app.deps, people, 'approved', { title });
    return sendEvent(app.deps, people.secretary.actor, approved.id, {
      type: 'SUBMIT',
      version: approved.version,
      channel: 'email',
      recipient: 'udvalg@naestved.dk',
      ...submit,
    });
  }

  async function timelineTypes(consultationId: string): Promise<string[]> {
    const rows = await app.deps.db
      .selectFrom('consultation_events')
      .select('type')
      .where('consultation_id', '=', consultationId)
      .orderBy('id')
      .execute();
    return rows.map((r) => r.type);
  }

  it('publishes a submitted response by default: listed on the page, its letter the same bytes and ETag as inside, 304 when unchanged', async () => {
    const people = await makeCouncilWithPeople(app.deps.db);
    const title = `Offentligt svar ${unique()}`;
    const c = await submittedWith(people, title);
    // The SUBMIT row says it: one row for the transition, no separate publication row.
    const submit = await app.deps.db
      .selectFrom('consultation_events')
      .select('payload')
      .where('consultation_id', '=', c.id)
      .where('type', '=', 'SUBMIT')
      .executeTakeFirstOrThrow();
    expect(submit.payload).to.include({ published: true });
    expect(await timelineTypes(c.id)).not.to.include('PUBLISHED');

    const page = await visit(`/r/${people.council.slug}`);
    expect(page.status).to.equal(200);
    expect(page.headers.get('set-cookie'), 'a visitor gets no session').to.equal(null);
    const html = page.body.toString('utf8');
    expect(html).to.include(title);
    expect(html).to.include(`/r/${people.council.slug}/svar/${c.id}.pdf`);
    expect(html).to.match(/<meta property="og:title" content="[^"]+">/);

    const inside = await WebSession.loggedIn(app.baseUrl, people.member);
    const internal = await fetch(`${app.baseUrl}/consultations/${c.id}/response.pdf`, { headers: { cookie: inside.cookieHeader() } });
    expect(internal.status).to.equal(200);
    const letter = await visit(`/r/${people.council.slug}/svar/${c.id}.pdf`);
    expect(letter.status).to.equal(200);
    expect(letter.headers.get('content-type')).to.equal('application/pdf');
    expect(letter.headers.get('etag')).to.equal(internal.headers.get('etag'));
    expect(letter.body.equals(Buffer.from(await internal.arrayBuffer()))).to.equal(true);
    const again = await visit(`/r/${people.council.slug}/svar/${c.id}.pdf`, { 'if-none-match': letter.headers.get('etag')! });
    expect(again.status).to.equal(304);

    const list = await visit('/r');
    expect(list.body.toString('utf8')).to.include(`href="/r/${people.council.slug}"`);
  });

  it('keeps a response marked "ikke offentlig" before or at submission off the page, and the council can take one down and put it back', async () => {
    const people = await makeCouncilWithPeople(app.deps.db);
    const before = await makeConsultationInState(app.deps, people, 'approved', { title: `Markeret før ${unique()}` });
    await setPublication(app.deps, people.chair.actor, before.id, { public: 'no', reason: 'Indeholder personoplysninger' });
    const fresh = await app.deps.db.selectFrom('consultations').select('version').where('id', '=', before.id).executeTakeFirstOrThrow();
    await sendEvent(app.deps, people.secretary.actor, before.id, { type: 'SUBMIT', version: fresh.version, channel: 'portal', recipient: null });
    const atSubmission = await submittedWith(people, `Markeret ved indsendelse ${unique()}`, {
      notPublicReason: 'Aftalt fortroligt med forvaltningen',
    });
    const published = await submittedWith(people, `Offentligt ${unique()}`);

    const html = async () => (await visit(`/r/${people.council.slug}`)).body.toString('utf8');
    let page = await html();
    expect(page).not.to.include(before.title);
    expect(page).not.to.include(atSubmission.title);
    expect(page).to.include(published.title);
    expect((await visit(`/r/${people.council.slug}/svar/${before.id}.pdf`)).status).to.equal(404);
    expect(await timelineTypes(before.id))
      .to.include('MARKED_NOT_PUBLIC')
      .and.not.include('PUBLISHED');
    expect(await timelineTypes(atSubmission.id)).not.to.include('PUBLISHED');

    const down = await setPublication(app.deps, people.secretary.actor, published.id, { public: 'no', reason: 'Fejl i bilaget' });
    expect(down).to.include({ status: 'not_published', reason: 'Fejl i bilaget' });
    page = await html();
    expect(page).not.to.include(published.title);
    expect((await visit(`/r/${people.council.slug}/svar/${published.id}.pdf`)).status).to.equal(404);
    const up = await setPublication(app.deps, people.secretary.actor, published.id, { public: 'yes' });
    expect(up.status).to.equal('published');
    expect(await html()).to.include(published.title);
    expect(await timelineTypes(published.id)).to.include.members(['PUBLISHED', 'UNPUBLISHED']);
    // The archive never changed: one letter, as before.
    const letters = await app.deps.db.selectFrom('archived_documents').select('id').where('consultation_id', '=', published.id).execute();
    expect(letters).to.have.length(1);
  });

  it('lets only the secretary and chair decide: members and staff are refused, another council sees nothing, and "no" needs a reason', async () => {
    const people = await makeCouncilWithPeople(app.deps.db);
    const stranger = await makeCouncilWithPeople(app.deps.db);
    const c = await submittedWith(people, `Afgørelse ${unique()}`);
    const codeOf = (promise: Promise<unknown>) =>
      promise.then(
        () => 'ok',
        (error: unknown) => (error instanceof AppError ? error.code : 'other'),
      );
    expect(await codeOf(setPublication(app.deps, people.member.actor, c.id, { public: 'no', reason: 'x' }))).to.equal('FORBIDDEN');
    expect(await codeOf(setPublication(app.deps, people.staff.actor, c.id, { public: 'no', reason: 'x' }))).to.equal('FORBIDDEN');
    expect(await codeOf(setPublication(app.deps, stranger.secretary.actor, c.id, { public: 'no', reason: 'x' }))).to.equal('NOT_FOUND');
    expect(await codeOf(setPublication(app.deps, people.chair.actor, c.id, { public: 'no' }))).to.equal('VALIDATION_FAILED');
    const admin = await makeUser(app.deps.db, { admin: true });
    expect(await codeOf(setPublication(app.deps, admin.actor, c.id, { public: 'no', reason: 'Administrativ fejl' }))).to.equal('ok');
    const declined = await makeConsultationInState(app.deps, people, 'assigned');
    await sendEvent(app.deps, people.chair.actor, declined.id, { type: 'DECLINE', version: declined.version, reason: 'Ingen tid' });
    expect(await codeOf(setPublication(app.deps, people.secretary.actor, declined.id, { public: 'yes' }))).to.equal('TRANSITION_NOT_ALLOWED');
  });

  it('never shows a draft, comment, document, vote, unlisted member or unpublished minutes: a marker in every private field never appears', async () => {
    const people = await makeCouncilWithPeople(app.deps.db);
    const marker = `hemmelig${unique()}`;
    // A draft and a comment on a consultation still being written.
    let drafting = await makeConsultationInState(app.deps, people, 'drafting', { title: `Under arbejde ${marker}`, summary: `Resumé ${marker}` });
    drafting = await saveDraft(app.deps, people.secretary.actor, drafting.id, { body: `Udkast ${marker}`, version: drafting.version });
    await addDraftComment(app.deps, people.member.actor, drafting.id, { body: `Kommentar ${marker}` });
    // A published response whose draft history and document text carry the marker too.
    const published = await submittedWith(people, `Offentligt svar ${unique()}`);
    await insertReadDocumentWithMarker(app.deps.db, published.id, marker);
    // A member who did not agree to be listed, and one who did.
    await app.deps.db
      .updateTable('memberships')
      .set({ listed_publicly: true, organisation: 'Dansk Flygtningehjælp' })
      .where('council_id', '=', people.council.id)
      .where('user_id', '=', people.chair.actor.userId)
      .execute();
    await app.deps.db
      .updateTable('users')
      .set({ name: `Medlem ${marker}` })
      .where('id', '=', people.member.actor.userId)
      .execute();

    for (const path of ['/r', `/r/${people.council.slug}`]) {
      const body = (await visit(path)).body.toString('utf8');
      expect(body, path).not.to.include(marker);
    }
    const page = (await visit(`/r/${people.council.slug}`)).body.toString('utf8');
    expect(page).to.include(published.title);
    expect(page).to.include('Ahmad Hussein <span class="meta">– Formand, Dansk Flygtningehjælp</span>');
    expect(page).not.to.include('Søren Østergaard');
    expect((await visit(`/r/${people.council.slug}/svar/${drafting.id}.pdf`)).status).to.equal(404);
    expect((await visit('/r/ingen-saadan-raad')).status).to.equal(404);
    expect((await visit(`/r/${people.council.slug}/svar/ikke-et-id.pdf`)).status).to.equal(404);
  });

  it('lists a council’s responses newest sent first on its page, and newest published first in its feed', async () => {
    const people = await makeCouncilWithPeople(app.deps.db);
    const sentLastYear = await submittedWith(people, `Sendt sidste år ${unique()}`, {
      submittedAt: danishDate(new Date(Date.now() - 365 * 86_400_000)),
    });
    const sentToday = await submittedWith(people, `Sendt i dag ${unique()}`);
    // Last year's is taken down and put back: published again after today's.
    await setPublication(app.deps, people.secretary.actor, sentLastYear.id, { public: 'no', reason: 'Fejl i bilaget' });
    await setPublication(app.deps, people.secretary.actor, sentLastYear.id, { public: 'yes' });

    const page = await publicCouncilPage(app.deps, people.council.slug);
    expect(page.responses.map((r) => r.title)).to.deep.equal([sentToday.title, sentLastYear.title]);
    const { parseFeed } = await import('@rowanmanning/feed-parser');
    const feed = parseFeed(await (await fetch(`${app.baseUrl}/r/${people.council.slug}/feed.atom`)).text());
    expect(feed.items.map((i) => i.title)).to.deep.equal([`Høringssvar: ${sentLastYear.title}`, `Høringssvar: ${sentToday.title}`]);
  });
});

describe('the Atom feeds and the sitemap of the public pages', () => {
  const app = useTestApp({ env: { PUBLIC_URL: 'https://raad.example.dk' } });

  it('gives a council feed and an all-councils feed an independent parser reads, with only published items, and a sitemap of the pages', async () => {
    const { parseFeed } = await import('@rowanmanning/feed-parser');
    const people = await makeCouncilWithPeople(app.deps.db);
    const marker = `skjult${unique()}`;
    const approved = await makeConsultationInState(app.deps, people, 'approved', { title: `Offentligt i feed ${unique()}` });
    const published = await sendEvent(app.deps, people.secretary.actor, approved.id, {
      type: 'SUBMIT',
      version: approved.version,
      channel: 'portal',
      recipient: null,
    });
    const hiddenDraft = await makeConsultationInState(app.deps, people, 'approved', { title: `Ikke offentligt ${marker}` });
    await sendEvent(app.deps, people.secretary.actor, hiddenDraft.id, {
      type: 'SUBMIT',
      version: hiddenDraft.version,
      channel: 'portal',
      recipient: null,
      notPublicReason: 'Fortroligt',
    });

    const response = await fetch(`${app.baseUrl}/r/${people.council.slug}/feed.atom`);
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.match(/^application\/atom\+xml/);
    const xml = await response.text();
    expect(xml).not.to.include(marker);
    const feed = parseFeed(xml);
    expect(feed.language).to.equal('da');
    expect(feed.items.map((i) => i.title)).to.deep.equal([`Høringssvar: ${published.title}`]);
    expect(feed.items[0]!.url).to.equal(`https://raad.example.dk/r/${people.council.slug}/svar/${published.id}.pdf`);
    expect(feed.items[0]!.published).to.be.instanceOf(Date);

    const all = parseFeed(await (await fetch(`${app.baseUrl}/r/feed.atom`)).text());
    expect(all.items.map((i) => i.title)).to.include(`Høringssvar: ${published.title}`);
    expect(JSON.stringify(all)).not.to.include(marker);
    expect((await fetch(`${app.baseUrl}/r/ingen-saadan/feed.atom`)).status).to.equal(404);

    const { DOMParser } = await import('@xmldom/xmldom');
    const sitemap = new DOMParser().parseFromString(await (await fetch(`${app.baseUrl}/sitemap.xml`)).text(), 'text/xml');
    const locations = Array.from(sitemap.getElementsByTagName('loc')).map((n) => n.textContent);
    expect(locations).to.include('https://raad.example.dk/r');
    expect(locations).to.include(`https://raad.example.dk/r/${people.council.slug}`);
  });
});

describe("what a council's public page says, set by its own people", () => {
  const app = useTestApp();

  it('lists a member only after their own yes, and shows the description the secretary writes; others may not write it', async () => {
    const people = await makeCouncilWithPeople(app.deps.db);
    const page = () => publicCouncilPage(app.deps, people.council.slug);
    expect((await page()).members).to.deep.equal([]);
    await saveOwnListing(app.deps, people.member.actor, { council: people.council.slug, listed: '1', organisation: 'Ældresagen' });
    expect((await page()).members).to.deep.equal([{ name: 'Birgitte Sørensen', role: 'member', title: null, organisation: 'Ældresagen' }]);
    await saveOwnListing(app.deps, people.member.actor, { council: people.council.slug, organisation: 'Ældresagen' });
    expect((await page()).members).to.deep.equal([]);
    const stranger = await makeCouncilWithPeople(app.deps.db);
    const codeOf = (promise: Promise<unknown>) =>
      promise.then(
        () => 'ok',
        (error: unknown) => (error instanceof AppError ? error.code : 'other'),
      );
    expect(await codeOf(saveOwnListing(app.deps, stranger.member.actor, { council: people.council.slug, listed: '1' }))).to.equal('NOT_FOUND');
    expect(await codeOf(saveOwnListing(app.deps, people.staff.actor, { council: people.council.slug, listed: '1' }))).to.equal('NOT_FOUND');

    await saveCouncilPublicProfile(app.deps, people.secretary.actor, people.council.slug, {
      description: 'Vi mødes **fire** gange om året. <script>alert(1)</script>',
      email: 'Raadet@Example.dk',
    });
    const shown = await page();
    expect(shown.descriptionHtml).to.include('<strong>fire</strong>').and.not.include('<script');
    expect(shown.council.email).to.equal('raadet@example.dk');
    expect(await codeOf(saveCouncilPublicProfile(app.deps, people.chair.actor, people.council.slug, { description: 'x' }))).to.equal('FORBIDDEN');
    expect(await codeOf(saveCouncilPublicProfile(app.deps, stranger.secretary.actor, people.council.slug, { description: 'x' }))).to.equal(
      'NOT_FOUND',
    );
    expect(await codeOf(saveCouncilPublicProfile(app.deps, people.secretary.actor, people.council.slug, { email: 'ikke en adresse' }))).to.equal(
      'VALIDATION_FAILED',
    );
  });

  it('keeps what the secretary typed when the form is refused, beside the field that is wrong', async () => {
    const people = await makeCouncilWithPeople(app.deps.db);
    const web = await WebSession.loggedIn(app.baseUrl, people.secretary);
    const profile = await web.get('/profile');
    const refused = await web.postForm(`/councils/${people.council.slug}/public-page`, {
      _csrf: WebSession.csrfToken(profile.text),
      description: 'Rådet arbejder for ældre i kommunen.',
      email: 'ikke en adresse',
    });
    expect(refused.status).to.equal(422);
    expect(refused.text).to.include('Rådet arbejder for ældre i kommunen.');
    expect(refused.text).to.include('value="ikke en adresse"');
    expect(refused.text).to.include('Ugyldig e-mailadresse');
  });
});

describe('what came of a response', () => {
  const app = useTestApp();

  it('is recorded after submission by the secretary or chair, shown on the consultation page and the public page, and a timeline row', async () => {
    const people = await makeCouncilWithPeople(app.deps.db);
    const approved = await makeConsultationInState(app.deps, people, 'approved', { title: `Udfald ${unique()}` });
    const codeOf = (promise: Promise<unknown>) =>
      promise.then(
        () => 'ok',
        (error: unknown) => (error instanceof AppError ? error.code : 'other'),
      );
    expect(await codeOf(recordResponseOutcome(app.deps, people.secretary.actor, approved.id, { outcome: 'partly' }))).to.equal(
      'TRANSITION_NOT_ALLOWED',
    );
    const c = await sendEvent(app.deps, people.secretary.actor, approved.id, {
      type: 'SUBMIT',
      version: approved.version,
      channel: 'portal',
      recipient: null,
    });
    expect(await codeOf(recordResponseOutcome(app.deps, people.member.actor, c.id, { outcome: 'partly' }))).to.equal('FORBIDDEN');
    expect(await codeOf(recordResponseOutcome(app.deps, people.chair.actor, c.id, { outcome: 'partly', url: 'javascript:alert(1)' }))).to.equal(
      'VALIDATION_FAILED',
    );
    expect(await codeOf(recordResponseOutcome(app.deps, people.chair.actor, c.id, { outcome: 'maybe' }))).to.equal('VALIDATION_FAILED');

    const recorded = await recordResponseOutcome(app.deps, people.chair.actor, c.id, {
      outcome: 'partly',
      note: 'Sprogcentret kom med i planen, tolkning ikke.',
      url: 'https://www.naestved.dk/hoeringsnotat.pdf',
    });
    expect(recorded).to.include({ outcome: 'partly', label: 'Svaret blev delvist taget til følge' });
    const page = await getConsultationPage(app.deps, people.staff.actor, c.id);
    expect(page.outcome).to.include({ note: 'Sprogcentret kom med i planen, tolkning ikke.' });
    expect(page.mayRecordOutcome).to.equal(false);
    expect(page.consultation.timeline.map((e) => e.type)).to.include('OUTCOME_RECORDED');
    const publicPage = await publicCouncilPage(app.deps, people.council.slug);
    expect(publicPage.responses.find((r) => r.id === c.id)!.outcome).to.include({ url: 'https://www.naestved.dk/hoeringsnotat.pdf' });
  });
});

describe('the public search of published responses (/r?q=, /r/:slug?q=)', () => {
  const app = useTestApp();

  it('finds a published response by its title and letter text, never a draft, comment, document or an unpublished response', async () => {
    const people = await makeCouncilWithPeople(app.deps.db);
    const word = `offsøg${unique()}`;
    const published = await makeConsultationInState(app.deps, people, 'approved', { title: `Plan for ${word}` });
    const c = await sendEvent(app.deps, people.secretary.actor, published.id, {
      type: 'SUBMIT',
      version: published.version,
      channel: 'portal',
      recipient: null,
    });
    const hidden = await makeConsultationInState(app.deps, people, 'approved', { title: `Skjult ${word}` });
    await sendEvent(app.deps, people.secretary.actor, hidden.id, {
      type: 'SUBMIT',
      version: hidden.version,
      channel: 'portal',
      recipient: null,
      notPublicReason: 'Fortroligt',
    });
    let drafting = await makeConsultationInState(app.deps, people, 'drafting', { title: 'Under arbejde' });
    drafting = await saveDraft(app.deps, people.secretary.actor, drafting.id, { body: `Udkast om ${word}`, version: drafting.version });
    await addDraftComment(app.deps, people.member.actor, drafting.id, { body: `Kommentar om ${word}` });

    const found = await searchPublished(app.deps, people.council.id, { q: word });
    expect(found.items.map((i) => [i.kind, i.consultation.id])).to.deep.equal([['consultation', c.id]]);
    expect(found.total).to.equal(1);
    // The letter's text: the approved draft of the factory ("…savner sprogcentret").
    const byText = await searchPublished(app.deps, people.council.id, { q: 'sprogcentret' });
    expect(byText.items.map((i) => i.kind)).to.include('response');
    expect(byText.items.every((i) => i.consultation.id !== drafting.id && i.consultation.id !== hidden.id)).to.equal(true);

    const html = await (await fetch(`${app.baseUrl}/r/${people.council.slug}?q=${encodeURIComponent(word)}`)).text();
    expect(html).to.include(`/r/${people.council.slug}/svar/${c.id}.pdf`);
    expect(html).not.to.include('Skjult');
    const all = await (await fetch(`${app.baseUrl}/r?q=${encodeURIComponent(word)}`)).text();
    expect(all).to.include(`<mark>`);
    expect(all).to.include(c.title);
    expect(all).not.to.include('Kommentar om');
  });
});

describe('the "Offentlighed" and outcome forms of the consultation page', () => {
  const app = useTestApp();

  it('refuses "not public" without a reason beside the field, keeping the choice; saves it with one; shown but not editable for a member', async () => {
    const people = await makeCouncilWithPeople(app.deps.db);
    const c = await makeConsultationInState(app.deps, people, 'drafted');
    const web = await WebSession.loggedIn(app.baseUrl, people.secretary);
    const page = await web.get(`/consultations/${c.id}`);
    expect(page.text).to.include('id="formular-publication"');
    expect(page.text, 'no outcome before submission').not.to.include('id="formular-outcome"');
    const refused = await web.follow(
      await web.postForm(`/consultations/${c.id}/publication`, { _csrf: WebSession.csrfToken(page.text), public: 'no' }),
    );
    expect(refused.hash).to.equal('#formular-publication');
    expect(refused.text).to.include('Skriv hvorfor svaret ikke er offentligt');
    expect(refused.text).to.match(/id="publication-no" name="public" value="no" checked/);
    const answer = await web.postForm(`/consultations/${c.id}/publication`, {
      _csrf: WebSession.csrfToken(refused.text),
      public: 'no',
      reason: 'Personfølsomt',
    });
    // The address says a choice was saved, not that the response was published.
    expect(answer.headers.get('location')).to.equal(`/consultations/${c.id}?publication=saved#offentlighed`);
    const saved = await web.follow(answer);
    expect(saved.text).to.include('Offentligheden er gemt.');
    expect(saved.text).to.include('Svaret kommer ikke på rådets offentlige side, når det er sendt.');
    expect(saved.text).to.include('Begrundelse: Personfølsomt');
    expect(saved.text).to.include('Markeret som ikke offentligt');

    const member = await WebSession.loggedIn(app.baseUrl, people.member);
    const memberPage = await member.get(`/consultations/${c.id}`);
    expect(memberPage.text).to.include('Offentlighed');
    expect(memberPage.text).not.to.include('id="formular-publication"');
  });
});
