import { expect } from 'chai';
import { OVERVIEW_FINISHED_LIMIT, staffOverview } from '../../src/domain/consultations/overview.ts';
import { sendEvent } from '../../src/domain/consultations/service.ts';
import { createCouncil } from '../../src/domain/councils/service.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { deadlineInDays, makeConsultation, makeConsultationInState, makeCouncilWithPeople, makeUser, unique } from '../support/factories.ts';

describe('the staff overview: open consultations first, then the newest finished, each bounded', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(async () => {
    await app.close();
  });

  /** A council with its people in a municipality of its own, and a neighbouring council there with a secretary. */
  async function municipality() {
    const name = `Kommune ${unique()}`;
    const people = await makeCouncilWithPeople(app.deps.db, { municipality: name });
    const id = unique();
    const neighbour = await createCouncil(app.deps.db, {
      slug: `nabo-${id}`,
      name: `Ældrerådet ${id}`,
      municipality: name,
      referencePrefix: `N${id.slice(0, 5).toUpperCase()}`,
    });
    const neighbourSecretary = await makeUser(app.deps.db, { council: neighbour, role: 'secretary' });
    return { people, neighbour, neighbourSecretary };
  }

  /** A consultation of the council, withdrawn by its secretary (a final state), with this deadline. */
  async function withdrawn(people: Awaited<ReturnType<typeof makeCouncilWithPeople>>, title: string, days: number) {
    const c = await makeConsultation(app.deps, people.secretary.actor, { council: people.council.slug, title, deadline: deadlineInDays(days) });
    return sendEvent(app.deps, people.secretary.actor, c.id, { type: 'WITHDRAW', version: c.version, reason: 'Trukket tilbage af myndigheden' });
  }

  it('lists the open ones soonest deadline first across the municipality, then the most recently finished, each part cut at its bound', async () => {
    const { people, neighbour, neighbourSecretary } = await municipality();
    const id = unique();
    // Finished in this order, with deadlines in another: the finished part follows when they finished.
    await withdrawn(people, `Afsluttet først ${id}`, 5);
    await withdrawn(people, `Afsluttet næst ${id}`, 50);
    await makeConsultationInState(app.deps, people, 'submitted', { title: `Indsendt sidst ${id}`, deadline: deadlineInDays(30) });
    for (const [title, days] of [
      [`Åben om 40 dage ${id}`, 40],
      [`Åben om 10 dage ${id}`, 10],
      [`Åben om 25 dage ${id}`, 25],
    ] as const) {
      await makeConsultation(app.deps, people.secretary.actor, { council: people.council.slug, title, deadline: deadlineInDays(days) });
    }
    await makeConsultation(app.deps, neighbourSecretary.actor, {
      council: neighbour.slug,
      title: `Naboens om 15 dage ${id}`,
      deadline: deadlineInDays(15),
    });

    const all = await staffOverview(app.deps, people.staff.actor);
    expect(all.map((o) => o.title)).to.deep.equal([
      `Åben om 10 dage ${id}`,
      `Naboens om 15 dage ${id}`,
      `Åben om 25 dage ${id}`,
      `Åben om 40 dage ${id}`,
      `Indsendt sidst ${id}`,
      `Afsluttet næst ${id}`,
      `Afsluttet først ${id}`,
    ]);
    expect(all.map((o) => o.deadlineStatus)).to.deep.equal(['ok', 'ok', 'ok', 'ok', 'closed', 'closed', 'closed']);
    expect(all[4]!.submittedAt).to.be.a('string');

    const bounded = await staffOverview(app.deps, people.staff.actor, { openLimit: 3, finishedLimit: 2 });
    expect(bounded.map((o) => o.title)).to.deep.equal([
      `Åben om 10 dage ${id}`,
      `Naboens om 15 dage ${id}`,
      `Åben om 25 dage ${id}`,
      `Indsendt sidst ${id}`,
      `Afsluttet næst ${id}`,
    ]);
  });

  it('shows a just-submitted consultation even when the municipality has more finished ones than the bound', async () => {
    const { people } = await municipality();
    const id = unique();
    for (let i = 0; i < OVERVIEW_FINISHED_LIMIT + 5; i++) await withdrawn(people, `Gammel ${i} ${id}`, 3 + (i % 7));
    await makeConsultationInState(app.deps, people, 'submitted', { title: `Netop indsendt ${id}`, deadline: deadlineInDays(60) });
    await makeConsultation(app.deps, people.secretary.actor, { council: people.council.slug, title: `Åben ${id}`, deadline: deadlineInDays(90) });

    const overview = await staffOverview(app.deps, people.staff.actor);
    expect(overview).to.have.length(1 + OVERVIEW_FINISHED_LIMIT);
    expect(overview[0]!.title).to.equal(`Åben ${id}`);
    expect(overview[1]!.title).to.equal(`Netop indsendt ${id}`);
    // The oldest finished ones are the ones left out.
    const shown = new Set(overview.map((o) => o.title));
    for (let i = 0; i < 6; i++) expect(shown.has(`Gammel ${i} ${id}`), `Gammel ${i}`).to.equal(false);
    expect(shown.has(`Gammel 6 ${id}`)).to.equal(true);
  });
});
