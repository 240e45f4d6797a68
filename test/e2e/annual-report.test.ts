import { expect } from 'chai';
import mammoth from 'mammoth';
import { extractText } from 'unpdf';
import { annualReport } from '../../src/domain/councils/annual-report.ts';
import { sendEvent } from '../../src/domain/consultations/service.ts';
import { danishDate } from '../../src/domain/time.ts';
import { useTestApp } from '../support/app.ts';
import { deadlineInDays, makeConsultation, makeConsultationInState, makeCouncilWithPeople, unique } from '../support/factories.ts';
import { fetchPdfText } from '../support/pdf-text.ts';
import { WebSession } from '../support/web-session.ts';

type People = Awaited<ReturnType<typeof makeCouncilWithPeople>>;

describe('the annual report (årsberetning): figures from the cases, sections kept per year, PDF, DOCX and publication', function () {
  this.timeout(300_000);
  const app = useTestApp();
  const year = Number(danishDate(new Date()).slice(0, 4));
  let people: People;
  const authorityA = `Social- og Sundhedsudvalget ${unique()}`;
  const authorityB = `Børne- og Ungeudvalget ${unique()}`;
  const titles = {
    onTime: `Til tiden ${unique()}`,
    extended: `Forlænget ${unique()}`,
    late: `For sent ${unique()}`,
    declined: `Afstået ${unique()}`,
  };

  /** Takes an approved consultation through SUBMIT by portal. */
  async function submit(c: { id: string; version: number }) {
    return sendEvent(app.deps, people.secretary.actor, c.id, { type: 'SUBMIT', version: c.version, channel: 'portal', recipient: null });
  }

  before(async () => {
    people = await makeCouncilWithPeople(app.deps.db);
    // On time, by the chair's decision (the factory's approval).
    await makeConsultationInState(app.deps, people, 'submitted', { authority: authorityA, title: titles.onTime });
    // Extended first, then approved at a meeting: "efter fristforlængelse", "på et møde".
    let extended = await makeConsultationInState(app.deps, people, 'awaiting_approval', { authority: authorityA, title: titles.extended });
    extended = await sendEvent(app.deps, people.secretary.actor, extended.id, {
      type: 'EXTEND_DEADLINE',
      version: extended.version,
      deadline: deadlineInDays(60),
    });
    extended = await sendEvent(app.deps, people.chair.actor, extended.id, {
      type: 'APPROVE',
      version: extended.version,
      basis: 'meeting',
      meetingDate: danishDate(new Date()),
    });
    await submit(extended);
    // Its deadline passed three days ago: sent late.
    const late = await makeConsultationInState(app.deps, people, 'approved', {
      authority: authorityB,
      title: titles.late,
      receivedAt: danishDate(new Date(Date.now() - 20 * 86_400_000)),
      deadline: new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 16),
    });
    await submit(late);
    const declined = await makeConsultation(app.deps, people.secretary.actor, {
      council: people.council.slug,
      authority: authorityB,
      title: titles.declined,
      deadline: deadlineInDays(20),
    });
    await sendEvent(app.deps, people.chair.actor, declined.id, { type: 'DECLINE', version: declined.version, reason: 'Uden for rådets område' });
  });

  it('counts the responses by authority as on time, after an extension and late, the declined, and how each was approved', async () => {
    const report = await annualReport(app.deps, people.secretary.actor, people.council.slug, year);
    expect(report.total).to.deep.equal({ label: 'I alt', count: 3, onTime: 1, afterExtension: 1, late: 1 });
    expect(report.byAuthority.map((g) => g.figures)).to.deep.equal([
      { label: authorityA, count: 2, onTime: 1, afterExtension: 1, late: 0 },
      { label: authorityB, count: 1, onTime: 0, afterExtension: 0, late: 1 },
    ]);
    expect(report.declined.map((d) => d.title)).to.deep.equal([titles.declined]);
    expect(Object.fromEntries(report.decisions.map((d) => [d.way, d.count]))).to.deep.equal({ meeting: 1, chair_decision: 2, written_procedure: 0 });
    expect(report.notice.total.count, 'the notice figures of the same year').to.equal(4);
    expect(report.members.map((m) => m.name)).to.include(people.chair.actor.name);
    expect(
      report.members.map((m) => m.name),
      'the municipality’s staff are not the council’s members',
    ).not.to.include(people.staff.actor.name);
    // Another year has none of it.
    expect((await annualReport(app.deps, people.secretary.actor, people.council.slug, year - 1)).total.count).to.equal(0);
  });

  it('keeps the secretary’s sections per year, refuses a member and another council, and keeps what was typed on a refusal', async () => {
    const secretary = await WebSession.loggedIn(app.baseUrl, people.secretary);
    const page = await secretary.get(`/councils/${people.council.slug}/annual-report?year=${year}`);
    expect(page.status).to.equal(200);
    const csrf = WebSession.csrfToken(page.text);
    const foreword = `Et år med mange høringer ${unique()}`;
    const saved = await secretary.postForm(`/councils/${people.council.slug}/annual-report/sections`, {
      _csrf: csrf,
      year: String(year),
      foreword,
      themes: '- Sprog\n- Beskæftigelse',
      activities: 'Dialogmøde med byrådet.',
    });
    expect(saved.status).to.equal(303);
    const shown = await secretary.follow(saved);
    expect(shown.text).to.include(foreword).and.include('<li>Sprog</li>');
    // The charts' descriptions say the numbers are in a table under each: they are, on this page too.
    expect(shown.text).to.include(`<caption class="visually-hidden">Varsel pr. myndighed i ${year}</caption>`);
    expect(shown.text).to.include(`<caption class="visually-hidden">Høringer pr. måned i ${year}</caption>`);
    expect(shown.text).to.include(`${people.chair.actor.name} <span class="meta">– Formand</span>`);
    const other = await secretary.get(`/councils/${people.council.slug}/annual-report?year=${year - 1}`);
    expect(other.text, 'kept per year').not.to.include(foreword);

    const tooLong = 'x'.repeat(20_001);
    const refused = await secretary.postForm(`/councils/${people.council.slug}/annual-report/sections`, {
      _csrf: csrf,
      year: String(year),
      foreword: `${foreword} ændret`,
      themes: tooLong,
    });
    expect(refused.status).to.equal(422);
    expect(refused.text).to.include(`${foreword} ændret`).and.include('Højst 20.000 tegn');

    const member = await WebSession.loggedIn(app.baseUrl, people.member);
    const memberPage = await member.get(`/councils/${people.council.slug}/annual-report?year=${year}`);
    expect(memberPage.status, 'members read it').to.equal(200);
    expect(memberPage.text).not.to.include('Gem teksterne');
    const memberPost = await member.postForm(`/councils/${people.council.slug}/annual-report/sections`, {
      _csrf: WebSession.csrfToken(memberPage.text),
      year: String(year),
      foreword: 'Mit',
    });
    expect(memberPost.status).to.equal(403);
    const stranger = await makeCouncilWithPeople(app.deps.db);
    const outsider = await WebSession.loggedIn(app.baseUrl, stranger.secretary);
    expect((await outsider.get(`/councils/${people.council.slug}/annual-report?year=${year}`)).status).to.equal(404);
    expect((await outsider.get(`/councils/${people.council.slug}/annual-report.docx?year=${year}`)).status).to.equal(404);
  });

  it('comes out as a PDF in the letterhead and a DOCX a Word reader opens, both with the figures and the sections', async () => {
    const secretary = await WebSession.loggedIn(app.baseUrl, people.secretary);
    const pdf = await fetchPdfText(app.baseUrl, `/councils/${people.council.slug}/annual-report.pdf?year=${year}`, secretary);
    expect(pdf).to.include(`Årsberetning ${year}`).and.include('Rådet gav 3 høringssvar: 1 til tiden, 1 efter fristforlængelse og 1 efter fristen');
    expect(pdf).to.include(titles.late).and.include('Varsel ved høringer').and.include('Et år med mange høringer');
    // The tables' headers come out whole: a column never shrinks below its longest word ("Sva r").
    expect(pdf).to.include('Myndighed Svar Til tiden Efter forlængelse Efter fristen');
    expect(pdf).to.include('Myndighed Høringer Varsel, median Under 4 uger Frist før næste møde Forlænget');
    expect(pdf).to.include(`${people.chair.actor.name} – Formand`).and.not.include(people.staff.actor.name);
    const docx = await fetch(`${app.baseUrl}/councils/${people.council.slug}/annual-report.docx?year=${year}`, {
      headers: { cookie: secretary.cookieHeader() },
    });
    expect(docx.status).to.equal(200);
    expect(docx.headers.get('content-type')).to.equal('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    const { value: text, messages } = await mammoth.extractRawText({ buffer: Buffer.from(await docx.arrayBuffer()) });
    expect(messages.filter((m) => m.type === 'error')).to.deep.equal([]);
    expect(text)
      .to.include(`Årsberetning ${year}`)
      .and.include('Rådet gav 3 høringssvar')
      .and.include(titles.extended)
      .and.include('Et år med mange høringer');
    expect(text).to.include(authorityB).and.include('Sprog');
  });

  it('publishing puts the PDF on the public page: the bytes kept at publication, with an ETag', async () => {
    const secretary = await WebSession.loggedIn(app.baseUrl, people.secretary);
    const path = `/r/${people.council.slug}/aarsberetning/${year}.pdf`;
    expect((await fetch(`${app.baseUrl}${path}`)).status, 'not before it is published').to.equal(404);
    const page = await secretary.get(`/councils/${people.council.slug}/annual-report?year=${year}`);
    const published = await secretary.postForm(`/councils/${people.council.slug}/annual-report/publish`, {
      _csrf: WebSession.csrfToken(page.text),
      year: String(year),
    });
    expect(published.status).to.equal(303);
    const publicPage = await (await fetch(`${app.baseUrl}/r/${people.council.slug}`)).text();
    expect(publicPage).to.include(`href="${path}"`);
    const first = await fetch(`${app.baseUrl}${path}`);
    expect(first.status).to.equal(200);
    const bytes = Buffer.from(await first.arrayBuffer());
    const { text } = await extractText(new Uint8Array(bytes), { mergePages: true });
    expect(text.replace(/\s+/g, ' ')).to.include('Rådet gav 3 høringssvar');
    const etag = first.headers.get('etag')!;
    expect((await fetch(`${app.baseUrl}${path}`, { headers: { 'if-none-match': etag } })).status).to.equal(304);
    // Later cases change the page's figures, not the published bytes.
    await makeConsultationInState(app.deps, people, 'submitted', { authority: authorityA });
    const again = Buffer.from(await (await fetch(`${app.baseUrl}${path}`)).arrayBuffer());
    expect(again.equals(bytes)).to.equal(true);
  });
});
