import { expect } from 'chai';
import { sql } from 'kysely';
import { DateTime } from 'luxon';
import { extractText } from 'unpdf';
import { ChromiumPdfRenderer } from '../../src/adapters/chromium-pdf.ts';
import { DEFAULT_CHROMIUM_PATH } from '../../src/config.ts';
import { insertMeeting } from '../../src/db/repositories/meetings.ts';
import { addFreeItem, moveItem, getAgenda } from '../../src/domain/meetings/agenda.ts';
import { agendaMailDate, runAgendaMailing, sendAgendaNow } from '../../src/domain/meetings/agenda-output.ts';
import { ZONE } from '../../src/domain/time.ts';
import { testDatabase } from '../support/db.ts';
import { makeConsultationInState, makeCouncilWithPeople } from '../support/factories.ts';
import { workflowDeps } from '../support/fakes.ts';
import { startTestScheduler, useMailSuite, waitUntil } from '../support/mail.ts';
import { firstAttachment, parseMail } from '../support/mail-check.ts';

/** A clock tests move by hand. */
function movableClock(start: string) {
  let now = new Date(start);
  return { clock: () => now, set: (iso: string) => (now = new Date(iso)) };
}

/** 09:00 Danish time on a date. */
function morningOf(isoDate: string): string {
  return DateTime.fromISO(`${isoDate}T09:00`, { zone: ZONE }).toUTC().toISO()!;
}

/** Agenda-mail jobs of one meeting that pg-boss has not finished, and all it was given. */
async function agendaJobs(meetingId: number): Promise<{ unfinished: number; total: number }> {
  const result = await sql<{ unfinished: number; total: number }>`
    select count(*) filter (where state in ('created', 'retry', 'active'))::int as unfinished, count(*)::int as total
    from pgboss.job where name = 'agenda-mail' and (data->>'meetingId')::int = ${meetingId}`.execute(testDatabase().db);
  return result.rows[0]!;
}

describe('agenda mailing (real SMTP, real Chromium, pg-boss)', function () {
  this.timeout(300_000);
  const db = () => testDatabase().db;
  const { smtp, schedulers, mailsTo } = useMailSuite();
  const renderer = new ChromiumPdfRenderer({ chromiumPath: process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM_PATH });
  after(() => renderer.close());

  it('two racing job runs mail the agenda once, with the PDF, to the secretary, chair and members; a batch of changes gives one note', async () => {
    // Years ahead, so no other test's meeting is due at this clock.
    const startsAt = DateTime.fromISO('2031-03-13T17:00', { zone: ZONE }).toJSDate();
    const due = agendaMailDate(startsAt, 5);
    expect(due).to.equal('2031-03-06');
    const time = movableClock(morningOf('2031-03-05'));
    const [a, b] = [
      await startTestScheduler({ smtpUrl: smtp().url, clock: time.clock, pdf: renderer }),
      await startTestScheduler({ smtpUrl: smtp().url, clock: time.clock, pdf: renderer }),
    ];
    schedulers.push(a, b);
    const people = await makeCouncilWithPeople(db());
    const deps = workflowDeps(db(), time.clock);
    await makeConsultationInState(deps, people, 'drafted', { title: 'Udkast til Integrationsstrategi 2026–2029', deadline: '2031-04-01T12:00' });
    const meeting = await insertMeeting(db(), { councilId: people.council.id, startsAt, place: 'Rådhuset, mødelokale 2' });
    const ours = [people.secretary.email, people.chair.email, people.member.email];

    expect(await runAgendaMailing(a.deps)).to.deep.equal({ agendas: 0, changeNotes: 0 }); // the day before
    time.set(morningOf(due));
    const runs = await Promise.all([runAgendaMailing(a.deps), runAgendaMailing(b.deps), runAgendaMailing(a.deps)]);
    expect(runs.reduce((n, r) => n + r.agendas, 0)).to.equal(1);
    expect(await runAgendaMailing(b.deps)).to.deep.equal({ agendas: 0, changeNotes: 0 });

    await waitUntil(async () => (await agendaJobs(meeting.id)).unfinished === 0 && mailsTo(ours).length >= 3, 120_000, 'three agenda mails');
    expect(await agendaJobs(meeting.id)).to.deep.equal({ unfinished: 0, total: 3 });
    const mails = mailsTo(ours);
    expect(mails.map((m) => m.to[0]).sort()).to.deep.equal([...ours].sort());
    expect(mailsTo([people.staff.email])).to.have.length(0);
    const parsed = await parseMail(mails[0]!.bytes);
    expect(parsed.defects).to.deep.equal([]);
    expect(parsed.headers.Subject[0]!.value).to.equal(`Dagsorden: ${people.council.name}, møde 13. marts 2031`);
    expect(parsed.text).to.include('1. Udkast til Integrationsstrategi 2026–2029').and.include(`/meetings/${meeting.id}/agenda`);
    expect(parsed.attachments.map((f) => [f.filename, f.contentType])).to.deep.equal([['dagsorden-2031-03-13.pdf', 'application/pdf']]);
    const { text } = await extractText(new Uint8Array(firstAttachment(mails[0]!.bytes)), { mergePages: true });
    expect(text.replace(/\s+/g, ' ')).to.include('1. Udkast til Integrationsstrategi 2026–2029').and.include('savner sprogcentret');

    // Three changes in a row, then two racing runs: one note to each.
    const sec = people.secretary.actor;
    await addFreeItem(deps, sec, people.council.slug, meeting.id, { title: 'Eventuelt', body: '' });
    await addFreeItem(deps, sec, people.council.slug, meeting.id, { title: 'Temadag om sprogcentret', body: '' });
    const agenda = await getAgenda(deps, sec, people.council.slug, meeting.id);
    await moveItem(deps, sec, people.council.slug, meeting.id, agenda.items.at(-1)!.id, 'up');
    time.set(DateTime.fromISO(morningOf(due)).plus({ minutes: 15 }).toUTC().toISO()!);
    const noteRuns = await Promise.all([runAgendaMailing(a.deps), runAgendaMailing(b.deps)]);
    expect(noteRuns.reduce((n, r) => n + r.changeNotes, 0)).to.equal(1);
    expect(await runAgendaMailing(a.deps)).to.deep.equal({ agendas: 0, changeNotes: 0 });
    await waitUntil(async () => (await agendaJobs(meeting.id)).unfinished === 0 && mailsTo(ours).length >= 6, 120_000, 'three change notes');
    expect(await agendaJobs(meeting.id)).to.deep.equal({ unfinished: 0, total: 6 });
    const notes = await Promise.all(
      mailsTo(ours)
        .slice(3)
        .map((m) => parseMail(m.bytes)),
    );
    expect(notes.map((n) => n.headers.Subject[0]!.value)).to.deep.equal(
      Array(3).fill(`Dagsordenen er ændret: ${people.council.name}, møde 13. marts 2031`),
    );
    expect(notes[0]!.text).to.include('2. Temadag om sprogcentret').and.include('3. Eventuelt');

    // Sending by hand once it has gone out is refused.
    try {
      await sendAgendaNow(a.deps, sec, people.council.slug, meeting.id);
      expect.fail('sent twice');
    } catch (error) {
      expect((error as { code?: string }).code).to.equal('CONFLICT');
    }
  });
});
