import { expect } from 'chai';
import { getConsultationPage } from '../../src/domain/consultations/page.ts';
import { asQuotation, paragraphsOf } from '../../src/domain/consultations/earlier.ts';
import { saveDraft, sendEvent } from '../../src/domain/consultations/service.ts';
import { EARLIER_SHOWN } from '../../src/db/repositories/earlier-responses.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { deadlineInDays, makeConsultation, makeConsultationInState, makeCouncilWithPeople, unique } from '../support/factories.ts';

type People = Awaited<ReturnType<typeof makeCouncilWithPeople>>;

describe('"Tidligere høringssvar": the council\'s most similar submitted responses on the consultation page', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(async () => {
    await app.close();
  });

  /** A consultation of the council taken to submitted with this title, authority and approved text. */
  async function submitted(people: People, fields: { title: string; authority: string; summary?: string; body?: string }) {
    const sec = people.secretary.actor;
    let c = await makeConsultation(app.deps, sec, {
      council: people.council.slug,
      deadline: deadlineInDays(30),
      title: fields.title,
      authority: fields.authority,
      ...(fields.summary ? { summary: fields.summary } : {}),
    });
    c = await sendEvent(app.deps, sec, c.id, { type: 'START_DRAFTING', version: c.version });
    c = await saveDraft(app.deps, sec, c.id, { body: fields.body ?? `Rådet har ingen bemærkninger til ${fields.title}.`, version: c.version });
    c = await sendEvent(app.deps, sec, c.id, { type: 'SUBMIT_FOR_APPROVAL', version: c.version });
    c = await sendEvent(app.deps, people.chair.actor, c.id, { type: 'APPROVE', version: c.version, basis: 'chair_decision' });
    return sendEvent(app.deps, sec, c.id, { type: 'SUBMIT', version: c.version, channel: 'email', recipient: 'udvalg@naestved.dk' });
  }

  /** The consultation being answered now: drafting, so its secretary may edit the draft. */
  function drafting(people: People, title: string, authority: string, summary?: string) {
    return makeConsultationInState(app.deps, people, 'drafting', { title, authority, ...(summary ? { summary } : {}) });
  }

  it('ranks those to the same authority first, and among them similar text above dissimilar', async () => {
    const people = await makeCouncilWithPeople(app.deps.db);
    const id = unique();
    const own = `Social- og Sundhedsudvalget ${id}`;
    const other = `Teknik- og Miljøudvalget ${id}`;
    const ownDissimilar = await submitted(people, { title: 'Budget for vejvedligeholdelse', authority: own });
    const otherSimilar = await submitted(people, { title: 'Integrationsstrategi for flygtninge og indvandrere 2022', authority: other });
    const otherDissimilar = await submitted(people, { title: 'Affaldsplan og genbrugspladser', authority: other });
    const ownSimilar = await submitted(people, {
      title: 'Høring om integrationsstrategi',
      authority: own,
      summary: 'Strategi for flygtninge og indvandrere i kommunen',
    });
    const now = await drafting(people, 'Integrationsstrategi for flygtninge og indvandrere 2026', own.toUpperCase());

    const page = await getConsultationPage(app.deps, people.secretary.actor, now.id);
    expect(page.earlier.map((e) => e.consultationId)).to.deep.equal([ownSimilar.id, ownDissimilar.id, otherSimilar.id, otherDissimilar.id]);
    expect(page.earlier.map((e) => e.sameAuthority)).to.deep.equal([true, true, false, false]);
    expect(page.earlier[0]!.authority).to.equal(own);
    expect(page.earlier[0]!.submittedAt).to.be.instanceOf(Date);
  });

  it("shows at most five, and only submitted ones of the same council: never another council's, never one still open, never itself", async () => {
    const people = await makeCouncilWithPeople(app.deps.db);
    const neighbour = await makeCouncilWithPeople(app.deps.db);
    const authority = `Beskæftigelsesudvalget ${unique()}`;
    const title = 'Beskæftigelsesplan 2027';
    // Another council's letter with the very same title and authority.
    const foreign = await submitted(neighbour, { title, authority, body: 'Naborådets hemmelige formulering.' });
    const open = await makeConsultationInState(app.deps, people, 'awaiting_approval', { title, authority });
    const ours = [];
    for (let i = 0; i < EARLIER_SHOWN + 1; i++) ours.push(await submitted(people, { title: `${title} del ${i}`, authority }));
    const now = await drafting(people, title, authority);

    const page = await getConsultationPage(app.deps, people.secretary.actor, now.id);
    const shown = page.earlier.map((e) => e.consultationId);
    expect(shown).to.have.length(EARLIER_SHOWN);
    for (const id of shown) expect(ours.map((c) => c.id)).to.include(id);
    expect(shown).not.to.include(foreign.id);
    expect(shown).not.to.include(open.id);
    expect(shown).not.to.include(now.id);
    expect(JSON.stringify(page.earlier)).not.to.include('Naborådets');

    // The neighbour's secretary, drafting for their own council, sees only their own letter.
    const theirs = await drafting(neighbour, title, authority);
    const theirPage = await getConsultationPage(app.deps, neighbour.secretary.actor, theirs.id);
    expect(theirPage.earlier.map((e) => e.consultationId)).to.deep.equal([foreign.id]);
    expect(theirPage.earlier[0]!.paragraphs).to.deep.equal(['Naborådets hemmelige formulering.']);
  });

  it('is read only for whoever may edit the draft now: not for the chair, a member or staff, not once it left drafting', async () => {
    const people = await makeCouncilWithPeople(app.deps.db);
    const authority = `Ældreudvalget ${unique()}`;
    await submitted(people, { title: 'Værdighedspolitik', authority });
    const now = await drafting(people, 'Værdighedspolitik 2027', authority);
    expect((await getConsultationPage(app.deps, people.secretary.actor, now.id)).earlier).to.have.length(1);
    for (const role of ['chair', 'member', 'staff'] as const) {
      expect((await getConsultationPage(app.deps, people[role].actor, now.id)).earlier, role).to.deep.equal([]);
    }
    const later = await sendEvent(app.deps, people.secretary.actor, now.id, { type: 'WITHDRAW', version: now.version, reason: 'Trukket tilbage' });
    expect((await getConsultationPage(app.deps, people.secretary.actor, later.id)).earlier).to.deep.equal([]);
  });

  it('splits the approved text into paragraphs, each quotable as Markdown', () => {
    expect(paragraphsOf('Første afsnit\nfortsat.\r\n\r\nAndet afsnit.\n \n\n')).to.deep.equal(['Første afsnit\nfortsat.', 'Andet afsnit.']);
    expect(asQuotation('Første linje\nanden linje')).to.equal('> Første linje\n> anden linje');
  });
});
