import { expect } from 'chai';
import ical from 'node-ical';
import { calendarFeedForToken, calendarFeedUrl } from '../../src/domain/calendar/service.ts';
import { staffOverview } from '../../src/domain/consultations/overview.ts';
import { loadQueue } from '../../src/domain/consultations/queue.ts';
import { getConsultation, listConsultations } from '../../src/domain/consultations/service.ts';
import { createCouncil } from '../../src/domain/councils/service.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { makeConsultation, makeUser, unique } from '../support/factories.ts';

/** A council in a municipality of its own (the staff overview spans a municipality), with its people. */
async function councilOfItsOwn(app: TestApp) {
  const id = unique();
  const council = await createCouncil(app.deps.db, {
    slug: `eget-${id}`,
    name: `Integrationsrådet ${id}`,
    municipality: `Kommune ${id}`,
    referencePrefix: `V${id.slice(0, 5).toUpperCase()}`,
  });
  const [secretary, member, staff] = await Promise.all(
    (['secretary', 'member', 'staff'] as const).map((role) => makeUser(app.deps.db, { council, role })),
  );
  return { council, secretary: secretary!, member: member!, staff: staff! };
}

describe('who sees a consultation: one rule (visibleTo) for every list', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(async () => {
    await app.close();
  });

  it('a user of council A sees none of council B through the queue, the search, the overview, the API list or the calendar feed', async () => {
    const deps = app.deps;
    const [a, b] = await Promise.all([councilOfItsOwn(app), councilOfItsOwn(app)]);
    const word = `Fællesord${unique()}`;
    const inA = await makeConsultation(deps, a.secretary.actor, { council: a.council.slug, title: `${word} i A`, deadline: '2027-01-20T12:00' });
    const inB = await makeConsultation(deps, b.secretary.actor, { council: b.council.slug, title: `${word} i B`, deadline: '2027-01-20T12:00' });
    const unassignedOfB = await makeConsultation(deps, b.secretary.actor, { title: `${word} uden råd`, deadline: '2027-01-20T12:00' });
    const ofB = [inB.id, unassignedOfB.id];

    for (const user of [a.secretary, a.member, a.staff]) {
      const queue = await loadQueue(deps, user.actor, { state: 'all' });
      expect(queue.items.map((i) => i.id))
        .to.include(inA.id)
        .and.not.include.members(ofB);
      const search = await loadQueue(deps, user.actor, { state: 'all', q: word });
      expect(search.items.map((i) => i.id)).to.deep.equal([inA.id]);
      expect(search.total).to.equal(1);
      const api = await listConsultations(deps, user.actor, { q: word });
      expect(api.items.map((i) => i.id)).to.deep.equal([inA.id]);
      const byCouncil = await listConsultations(deps, user.actor, { council: b.council.slug });
      expect(byCouncil.items, 'asking for council B by name').to.deep.equal([]);
      let refused: unknown;
      await getConsultation(deps, user.actor, inB.id).catch((error: unknown) => (refused = error));
      expect(refused, 'reading one of B').to.have.property('code', 'NOT_FOUND');
    }

    const overview = await staffOverview(deps, a.staff.actor);
    expect(overview.map((o) => o.title))
      .to.include(`${word} i A`)
      .and.not.include(`${word} i B`);

    const url = await calendarFeedUrl(deps, a.member.actor);
    const feed = await calendarFeedForToken(
      { ...deps, clock: () => new Date('2027-01-01T00:00:00Z') },
      url.slice(url.lastIndexOf('/') + 1, -'.ics'.length),
    );
    const uids = Object.values(ical.sync.parseICS(feed.body)).map((c) => (c?.type === 'VEVENT' ? c.uid : null));
    expect(uids).to.include(`deadline-${inA.id}@raadssvar`).and.not.include(`deadline-${inB.id}@raadssvar`);

    // Whoever registered an unassigned consultation sees it; an administrator sees everything.
    const own = await loadQueue(deps, b.secretary.actor, { state: 'all', q: word });
    expect(own.items.map((i) => i.id).sort()).to.deep.equal([...ofB].sort());
    const admin = await makeUser(deps.db, { admin: true });
    const all = await listConsultations(deps, admin.actor, { q: word });
    expect(all.items.map((i) => i.id).sort()).to.deep.equal([inA.id, ...ofB].sort());
  });
});
