import { expect } from 'chai';
import { sql } from 'kysely';
import { FOUR_WEEKS_DAYS, noticeCsv, noticeItem, noticeReport } from '../../src/domain/councils/notice.ts';
import { sendEvent } from '../../src/domain/consultations/service.ts';
import { AppError } from '../../src/domain/errors.ts';
import { staffOverviewPage } from '../../src/domain/consultations/overview.ts';
import { danishDate } from '../../src/domain/time.ts';
import { useTestApp } from '../support/app.ts';
import { makeConsultation, makeCouncilWithPeople, makeUser, unique } from '../support/factories.ts';

describe('how late a council is consulted (/councils/:slug/notice)', () => {
  const app = useTestApp();

  it('counts notice in working days over Easter, against a hand-computed fixture', () => {
    // Received Monday 30 March 2026; Maundy Thursday, Good Friday and Easter Monday (2, 3 and 6
    // April) are holidays: 31/3, 1/4, 7/4, 8/4, 9/4, 10/4 and 13/4 are the seven working days.
    const item = noticeItem({
      id: 'x',
      title: 'Påskehøring',
      authority: ' Socialudvalget ',
      received_at: '2026-03-30',
      given_deadline: new Date('2026-04-13T10:00:00Z'),
      extensions: 0,
      next_meeting: new Date('2026-04-14T15:00:00Z'),
    });
    expect(item).to.deep.include({
      noticeWorkingDays: 7,
      noticeDays: 14,
      underFourWeeks: true,
      beforeNextMeeting: true,
      authority: 'Socialudvalget',
    });
    const fourWeeks = noticeItem({
      id: 'y',
      title: 'Fire uger',
      authority: 'A',
      received_at: '2026-09-01',
      given_deadline: new Date('2026-09-29T10:00:00Z'),
      extensions: 1,
      next_meeting: null,
    });
    expect(fourWeeks).to.deep.include({ noticeDays: FOUR_WEEKS_DAYS, noticeWorkingDays: 20, underFourWeeks: false, beforeNextMeeting: null });
  });

  it('gives per authority the median notice, the share under four weeks, before the next meeting and extended, from the deadline first given', async () => {
    const people = await makeCouncilWithPeople(app.deps.db);
    const id = unique();
    const social = `Socialudvalget ${id}`;
    const school = `=Børne- og Skoleudvalget ${id}`;
    const year = 2026;
    const make = (authority: string, receivedAt: string, deadline: string, title = `Høring ${unique()}`) =>
      makeConsultation(app.deps, people.secretary.actor, { council: people.council.slug, authority, receivedAt, deadline, title });
    // A meeting on Tuesday 5 May: the first two are due before it.
    await sql`insert into meetings (council_id, starts_at, place) values (${people.council.id}, '2026-05-05T15:00:00Z', 'Rådhuset')`.execute(
      app.deps.db,
    );
    await make(social, '2026-04-20', '2026-04-30T12:00');
    const extended = await make(social, '2026-04-21', '2026-05-04T12:00');
    await sendEvent(app.deps, people.secretary.actor, extended.id, {
      type: 'EXTEND_DEADLINE',
      version: extended.version,
      deadline: '2026-06-30T12:00',
    });
    await make(social, '2026-06-01', '2026-07-15T12:00');
    await make(school, '2026-08-03', '2026-09-14T12:00');
    await make(school, '2025-12-01', '2026-01-20T12:00', 'Sidste år');
    const stranger = await makeCouncilWithPeople(app.deps.db);
    await makeConsultation(app.deps, stranger.secretary.actor, {
      council: stranger.council.slug,
      authority: social,
      receivedAt: '2026-04-20',
      deadline: '2026-04-24T12:00',
    });

    const report = await noticeReport(app.deps, people.staff.actor, people.council.slug, year);
    expect(report.total.count).to.equal(4);
    expect(report.items.map((i) => i.title)).not.to.include('Sidste år');
    const [first, second] = report.byAuthority;
    expect(first).to.deep.include({ label: social, count: 3, underFourWeeks: 2, beforeNextMeeting: 2, meetingKnown: 2, extended: 1 });
    // 8, 9 and 31 working days (Grundlovsdag, 5 June, is a closed day): the extended one counts by the deadline first given (4 May).
    expect(report.items.filter((i) => i.authority === social).map((i) => i.noticeWorkingDays)).to.deep.equal([8, 9, 31]);
    expect(first!.medianWorkingDays).to.equal(9);
    expect(second).to.deep.include({ label: school, count: 1, underFourWeeks: 0, meetingKnown: 0 });
    expect(report.byMonth.map((m) => m.count)).to.deep.equal([0, 0, 0, 2, 0, 1, 0, 1, 0, 0, 0, 0]);

    const csv = noticeCsv(report);
    expect(csv.startsWith('\uFEFFHøring;Myndighed;Modtaget;')).to.equal(true);
    const lines = csv.trim().split('\r\n');
    expect(lines).to.have.length(5);
    // A cell a spreadsheet would run as a formula is quoted first.
    expect(lines.find((l) => l.includes('Skoleudvalget'))).to.include(`;'=Børne- og Skoleudvalget ${id};`);
    expect(csv).not.to.include(stranger.council.name);
  });

  it('is read by whoever sees the council’s consultations, staff included; another council gets NOT_FOUND', async () => {
    const people = await makeCouncilWithPeople(app.deps.db);
    const stranger = await makeCouncilWithPeople(app.deps.db);
    const admin = await makeUser(app.deps.db, { admin: true });
    for (const actor of [people.secretary.actor, people.member.actor, people.staff.actor, admin.actor]) {
      expect((await noticeReport(app.deps, actor, people.council.slug)).council.id).to.equal(people.council.id);
    }
    const error = await noticeReport(app.deps, stranger.staff.actor, people.council.slug).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(AppError);
    expect((error as AppError).code).to.equal('NOT_FOUND');
  });

  it("gives municipal staff a row per council of their municipality in the overview, and none of another municipality's", async () => {
    const municipality = `Kommune ${unique()}`;
    const [own, neighbour] = [await makeCouncilWithPeople(app.deps.db, { municipality }), await makeCouncilWithPeople(app.deps.db, { municipality })];
    const elsewhere = await makeCouncilWithPeople(app.deps.db, { municipality: `Kommune ${unique()}` });
    const year = Number(danishDate(new Date()).slice(0, 4));
    const make = (people: typeof own, receivedAt: string, deadline: string) =>
      makeConsultation(app.deps, people.secretary.actor, { council: people.council.slug, receivedAt, deadline, title: `Høring ${unique()}` });
    // 14 and 35 calendar days of notice for the own council; 21 for the neighbour.
    await make(own, `${year}-03-02`, `${year}-03-16T12:00`);
    await make(own, `${year}-03-02`, `${year}-04-06T12:00`);
    await make(neighbour, `${year}-09-01`, `${year}-09-22T12:00`);
    await make(elsewhere, `${year}-09-01`, `${year}-09-22T12:00`);

    const page = await staffOverviewPage(app.deps, own.staff.actor);
    expect(page.year).to.equal(year);
    const names = page.notice.map((row) => row.councilName);
    expect(names).to.include.members([own.council.name, neighbour.council.name]);
    expect(names).not.to.include(elsewhere.council.name);
    const ownRow = page.notice.find((row) => row.councilName === own.council.name)!;
    expect(ownRow.figures).to.include({ count: 2, underFourWeeks: 1, extended: 0 });
    expect(page.notice.find((row) => row.councilName === neighbour.council.name)!.figures).to.include({ count: 1, underFourWeeks: 1 });
  });
});
