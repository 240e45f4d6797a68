import { expect } from 'chai';
import { insertMeeting } from '../../src/db/repositories/meetings.ts';
import { addConsultationItem, addFreeItem, getAgenda, moveItem, refreshAgenda, removeItem } from '../../src/domain/meetings/agenda.ts';
import { testDatabase } from '../support/db.ts';
import { deadlineInDays, makeConsultationInState, makeCouncilWithPeople, makeUser } from '../support/factories.ts';
import { workflowDeps } from '../support/fakes.ts';

describe('meeting agenda (dagsorden)', function () {
  this.timeout(120_000);
  const db = () => testDatabase().db;

  /** A council with people, a meeting in 10 days, and consultations in several states. */
  async function setup() {
    const deps = workflowDeps(db());
    const people = await makeCouncilWithPeople(db());
    const meeting = await insertMeeting(db(), {
      councilId: people.council.id,
      startsAt: new Date(Date.now() + 10 * 86_400_000),
      place: 'Rådhuset, mødelokale 2',
    });
    const drafting = await makeConsultationInState(deps, people, 'drafted', {
      title: 'Udkast til Integrationsstrategi 2026–2029',
      deadline: deadlineInDays(30),
    });
    const awaiting = await makeConsultationInState(deps, people, 'awaiting_approval', {
      title: 'Forslag til lov om ændring af integrationsloven',
      deadline: deadlineInDays(40),
    });
    const tooSoon = await makeConsultationInState(deps, people, 'drafting', { title: 'Budget 2027', deadline: deadlineInDays(5) });
    const chairDecided = await makeConsultationInState(deps, people, 'approved', {
      title: 'Handleplan for sprogcentret',
      deadline: deadlineInDays(4),
    });
    return { deps, people, meeting, drafting, awaiting, tooSoon, chairDecided };
  }

  it('a refresh adds the consultations to treat and the chair decisions to note, once, and keeps the order', async () => {
    const { deps, people, meeting, drafting, awaiting, chairDecided } = await setup();
    const sec = people.secretary.actor;
    expect(await refreshAgenda(deps, sec, people.council.slug, meeting.id)).to.equal(3);
    let agenda = await getAgenda(deps, sec, people.council.slug, meeting.id);
    expect(agenda.items.map((i) => [i.number, i.kind, i.consultation?.id])).to.deep.equal([
      [1, 'note', chairDecided.id],
      [2, 'consultation', drafting.id],
      [3, 'consultation', awaiting.id],
    ]);
    expect(agenda.items[0]!.title).to.equal('Orientering om formandsbeslutning: Handleplan for sprogcentret');
    expect(agenda.items[1]!.consultation!.draft!.bodyMarkdown).to.contain('sprogcentret');
    expect(agenda.newCandidates).to.equal(0);

    await moveItem(deps, sec, people.council.slug, meeting.id, agenda.items[2]!.id, 'up');
    await addFreeItem(deps, people.chair.actor, people.council.slug, meeting.id, { title: 'Eventuelt', body: 'Nyt fra **formanden**' });
    // A second refresh, and two at once, add nothing and reorder nothing.
    expect(await refreshAgenda(deps, sec, people.council.slug, meeting.id)).to.equal(0);
    expect(
      await Promise.all([refreshAgenda(deps, sec, people.council.slug, meeting.id), refreshAgenda(deps, sec, people.council.slug, meeting.id)]),
    ).to.deep.equal([0, 0]);
    agenda = await getAgenda(deps, sec, people.council.slug, meeting.id);
    expect(agenda.items.map((i) => i.consultation?.id ?? i.title)).to.deep.equal([chairDecided.id, awaiting.id, drafting.id, 'Eventuelt']);

    // Taken off, it stays off through a refresh; put back by hand, it comes at the end.
    await removeItem(deps, sec, people.council.slug, meeting.id, agenda.items[1]!.id);
    expect(await refreshAgenda(deps, sec, people.council.slug, meeting.id)).to.equal(0);
    await addConsultationItem(deps, sec, people.council.slug, meeting.id, { consultationId: awaiting.id });
    agenda = await getAgenda(deps, sec, people.council.slug, meeting.id);
    expect(agenda.items.map((i) => i.consultation?.id ?? i.title)).to.deep.equal([chairDecided.id, drafting.id, 'Eventuelt', awaiting.id]);
  });

  it('concurrent first refreshes of a new agenda add each candidate once', async () => {
    const { deps, people, meeting } = await setup();
    const sec = people.secretary.actor;
    const added = await Promise.all(Array.from({ length: 5 }, () => refreshAgenda(deps, sec, people.council.slug, meeting.id)));
    expect(added.reduce((a, b) => a + b, 0)).to.equal(3);
    const agenda = await getAgenda(deps, sec, people.council.slug, meeting.id);
    expect(agenda.items.map((i) => i.number)).to.deep.equal([1, 2, 3]);
  });

  it('members and staff read, only the secretary and chair change it, other councils get 404', async () => {
    const { deps, people, meeting } = await setup();
    await refreshAgenda(deps, people.chair.actor, people.council.slug, meeting.id);
    const forMember = await getAgenda(deps, people.member.actor, people.council.slug, meeting.id);
    expect(forMember.mayPrepare).to.equal(false);
    expect(forMember.items.find((i) => i.kind === 'consultation')!.consultation!.draft).to.not.equal(null);
    const forStaff = await getAgenda(deps, people.staff.actor, people.council.slug, meeting.id);
    // Staff read the agenda, never the council's drafts.
    expect(forStaff.items.filter((i) => i.consultation?.draft)).to.have.length(0);
    for (const actor of [people.member.actor, people.staff.actor]) {
      await expectCode(refreshAgenda(deps, actor, people.council.slug, meeting.id), 'FORBIDDEN');
    }
    const other = await makeCouncilWithPeople(db());
    const outsider = await makeUser(db());
    for (const actor of [other.secretary.actor, outsider.actor]) {
      await expectCode(getAgenda(deps, actor, people.council.slug, meeting.id), 'NOT_FOUND');
      await expectCode(refreshAgenda(deps, actor, people.council.slug, meeting.id), 'NOT_FOUND');
    }
    // Another council's meeting id under this council's slug is not found either.
    const elsewhere = await insertMeeting(db(), { councilId: other.council.id, startsAt: new Date(Date.now() + 86_400_000), place: 'Andetsteds' });
    await expectCode(getAgenda(deps, people.secretary.actor, people.council.slug, elsewhere.id), 'NOT_FOUND');
  });
});

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  try {
    await promise;
  } catch (error) {
    expect((error as { code?: string }).code).to.equal(code);
    return;
  }
  expect.fail(`expected ${code}`);
}
