import { expect } from 'chai';
import { sql } from 'kysely';
import { groupBySubject, handoverReport, periodOfYear, type AnsweredItem } from '../../src/domain/councils/handover.ts';
import { electionPeriodCovering } from '../../src/domain/councils/terms.ts';
import { saveDraft, sendEvent } from '../../src/domain/consultations/service.ts';
import { AppError } from '../../src/domain/errors.ts';
import { setMembershipTerm } from '../../src/db/repositories/users.ts';
import { useTestApp } from '../support/app.ts';
import { deadlineInDays, makeConsultation, makeConsultationInState, makeCouncilWithPeople, makeUser, unique } from '../support/factories.ts';

type People = Awaited<ReturnType<typeof makeCouncilWithPeople>>;

describe('the handover report of a council (/councils/:slug/handover)', () => {
  const app = useTestApp();

  /** A consultation of the council taken to submitted, with this title, authority and address. */
  async function submitted(people: People, fields: { title: string; authority: string; authorityEmail?: string }, submittedAt?: string) {
    const sec = people.secretary.actor;
    let c = await makeConsultation(app.deps, sec, { council: people.council.slug, deadline: deadlineInDays(30), ...fields });
    c = await sendEvent(app.deps, sec, c.id, { type: 'START_DRAFTING', version: c.version });
    c = await saveDraft(app.deps, sec, c.id, { body: `Rådet har ingen bemærkninger til ${fields.title}.`, version: c.version });
    c = await sendEvent(app.deps, sec, c.id, { type: 'SUBMIT_FOR_APPROVAL', version: c.version });
    c = await sendEvent(app.deps, people.chair.actor, c.id, { type: 'APPROVE', version: c.version, basis: 'chair_decision' });
    return sendEvent(app.deps, sec, c.id, {
      type: 'SUBMIT',
      version: c.version,
      channel: 'email',
      recipient: fields.authorityEmail ? null : 'udvalg@naestved.dk',
      ...(submittedAt ? { submittedAt } : {}),
    });
  }

  it('lists what the council answered in the period by authority and by shared subject word, with the open ones, meetings, addresses and people', async () => {
    const people = await makeCouncilWithPeople(app.deps.db);
    const id = unique();
    const jobCentre = `Jobcenter Næstved ${id}`;
    const committee = `Social- og Sundhedsudvalget ${id}`;
    const strategy = await submitted(people, {
      title: 'Udkast til integrationsstrategi',
      authority: committee,
      authorityEmail: `SSU-${id}@naestved.dk`,
    });
    const followUp = await submitted(people, { title: 'Høring over integrationsstrategien, opfølgning', authority: committee });
    const plan = await submitted(people, { title: 'Beskæftigelsesplan 2027', authority: jobCentre, authorityEmail: `job-${id}@naestved.dk` });
    // Sent in the period before, as the secretary recorded it.
    const previousStart = Number(electionPeriodCovering(new Date()).start.slice(0, 4)) - 4;
    const older = await submitted(people, { title: 'Beskæftigelsesplan 2024', authority: jobCentre }, `${previousStart + 2}-05-15`);
    const open = await makeConsultationInState(app.deps, people, 'drafting', { title: 'Forslag til sprogcenter', authority: committee });
    const held = await sql<{ id: number }>`insert into meetings (council_id, starts_at, place)
      values (${people.council.id}, now() - interval '3 days', 'Rådhuset, mødelokale 2') returning id`.execute(app.deps.db);
    await sql`insert into meetings (council_id, starts_at, place) values (${people.council.id}, now() + interval '30 days', 'Rådhuset')`.execute(
      app.deps.db,
    );
    const former = await makeUser(app.deps.db, { council: people.council, role: 'member', name: 'Tidligere Medlem' });
    const thisPeriod = electionPeriodCovering(new Date());
    await setMembershipTerm(app.deps.db, former.actor.userId, people.council.id, { start: thisPeriod.start, end: '2026-01-31' });
    // Another council's answer to the same authority never shows.
    const stranger = await makeCouncilWithPeople(app.deps.db);
    const foreign = await submitted(stranger, { title: 'Udkast til integrationsstrategi', authority: committee });

    const report = await handoverReport(app.deps, people.chair.actor, people.council.slug);
    expect(report.period).to.deep.equal(thisPeriod);
    const answeredIds = report.answered.byAuthority.flatMap((g) => g.items.map((i) => i.id));
    expect(answeredIds).to.have.members([strategy.id, followUp.id, plan.id]);
    expect(answeredIds).not.to.include(foreign.id);
    expect(answeredIds).not.to.include(older.id);
    expect(report.answered.total).to.equal(3);
    const [first, second] = report.answered.byAuthority;
    expect(first).to.deep.include({ label: committee });
    expect(first!.items.map((i) => i.id)).to.deep.equal([followUp.id, strategy.id]);
    expect(second!.label).to.equal(jobCentre);
    expect(report.answered.byAuthority.flatMap((g) => g.items).every((i) => i.hasLetter)).to.equal(true);

    // "integrationsstrategi" and "integrationsstrategien" share a Danish stem; "udkast" and "høring" say what kind of paper it is.
    const subjects = report.answered.bySubject.map((g) => g.label);
    expect(subjects).to.include('integrationsstrategi');
    const integration = report.answered.bySubject.find((g) => g.label === 'integrationsstrategi')!;
    expect(integration.items.map((i) => i.id)).to.have.members([strategy.id, followUp.id]);
    expect(subjects).not.to.include.members(['udkast']);
    expect(subjects.filter((s) => s.startsWith('høring'))).to.deep.equal([]);
    // Only one title of this period says "beskæftigelsesplan" (the other was answered before it).
    expect(subjects).not.to.include('beskæftigelsesplan');

    expect(report.open.map((o) => o.id)).to.deep.equal([open.id]);
    expect(report.open[0]).to.include({ stateLabel: 'Under udarbejdelse' });
    expect(report.meetings.map((m) => m.id)).to.deep.equal([held.rows[0]!.id]);
    expect(report.contacts.map((c) => c.email)).to.have.members([`ssu-${id}@naestved.dk`, `job-${id}@naestved.dk`]);
    expect(report.contacts.find((c) => c.email === `ssu-${id}@naestved.dk`)).to.include({ authority: committee, consultations: 1 });

    expect(report.people.current.map((p) => p.name)).to.have.members(['Mette Kjærgaard', 'Ahmad Hussein', 'Birgitte Sørensen', 'Søren Østergaard']);
    expect(report.people.former.map((p) => p.name)).to.deep.equal(['Tidligere Medlem']);

    // The period before: only the older answer, and the former member not (their term began after it).
    const before = await handoverReport(app.deps, people.secretary.actor, people.council.slug, previousStart);
    expect(before.period).to.deep.equal(periodOfYear(previousStart));
    expect(before.periodEnded).to.equal(true);
    expect(before.answered.byAuthority.flatMap((g) => g.items.map((i) => i.id))).to.deep.equal([older.id]);
    expect(before.people.former.map((p) => p.name)).to.deep.equal([]);
    expect(before.periods.find((p) => p.selected)!.startYear).to.equal(previousStart);
  });

  it("is read by the council's secretary, chair, members and administrators; staff and other councils get NOT_FOUND", async () => {
    const people = await makeCouncilWithPeople(app.deps.db);
    const stranger = await makeCouncilWithPeople(app.deps.db);
    const admin = await makeUser(app.deps.db, { admin: true });
    for (const actor of [people.secretary.actor, people.chair.actor, people.member.actor, admin.actor]) {
      expect((await handoverReport(app.deps, actor, people.council.slug)).council.id).to.equal(people.council.id);
    }
    for (const actor of [people.staff.actor, stranger.secretary.actor, stranger.chair.actor]) {
      const error = await handoverReport(app.deps, actor, people.council.slug).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(AppError);
      expect((error as AppError).code).to.equal('NOT_FOUND');
    }
    const unknown = await handoverReport(app.deps, admin.actor, `findes-ikke-${unique()}`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((unknown as AppError).code).to.equal('NOT_FOUND');
  });

  it('groups by the stems at least two titles share, naming each by its most used spelling', () => {
    const item = (id: string): AnsweredItem => ({
      id,
      title: id,
      reference: null,
      authority: 'A',
      authorityReference: null,
      submittedAt: new Date(),
      hasLetter: false,
    });
    const items = ['a', 'b', 'c', 'd'].map(item);
    const groups = groupBySubject(items, [
      { id: 'a', word: 'budget', stem: 'budget' },
      { id: 'b', word: 'budgettet', stem: 'budget' },
      { id: 'c', word: 'budget', stem: 'budget' },
      { id: 'a', word: 'skole', stem: 'skol' },
      { id: 'd', word: 'skolerne', stem: 'skol' },
      { id: 'd', word: 'havn', stem: 'havn' },
    ]);
    expect(groups.map((g) => [g.label, g.items.map((i) => i.id)])).to.deep.equal([
      ['budget', ['a', 'b', 'c']],
      ['skole', ['a', 'd']],
    ]);
  });
});
