import { expect } from 'chai';
import { DateTime } from 'luxon';
import { setMembershipTerm } from '../../src/db/repositories/users.ts';
import { runTermReminders } from '../../src/domain/councils/term-reminders.ts';
import { electionPeriodCovering } from '../../src/domain/councils/terms.ts';
import { QUEUES } from '../../src/domain/jobs/jobs.ts';
import type { MailMessage } from '../../src/domain/mail/mailer.ts';
import { systemClock, ZONE } from '../../src/domain/time.ts';
import { testDatabase } from '../support/db.ts';
import { recordingJobs } from '../support/fakes.ts';
import { makeCouncilWithPeople, makeUser } from '../support/factories.ts';

describe('the mail 30 days before a council’s terms end', () => {
  const config = { publicUrl: 'https://raadssvar.example.dk', port: 3000 };
  const inDays = (days: number) => DateTime.now().setZone(ZONE).plus({ days }).toISODate()!;
  const start = electionPeriodCovering(new Date()).start;

  /** The term-ending mails queued for this council, by recipient. */
  function mailsFor(jobs: ReturnType<typeof recordingJobs>, councilName: string) {
    return jobs.queued
      .filter((job) => job.queue === QUEUES.mail && (job.data as MailMessage).subject.startsWith(`Valgperioden i ${councilName} `))
      .map((job) => ({ ...(job.data as MailMessage), inTransaction: job.inTransaction }));
  }

  it('goes once to the council’s secretaries and the administrators, naming whose term ends, with the handover link', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const admin = await makeUser(db, { admin: true, name: 'Anne Administrator' });
    const end = inDays(20);
    for (const person of [people.chair, people.member]) await setMembershipTerm(db, person.actor.userId, people.council.id, { start, end });

    const jobs = recordingJobs();
    const deps = { db, clock: systemClock, jobs, config };
    // Two processes at once, then a later run: one mail per recipient in all.
    await Promise.all([runTermReminders(deps), runTermReminders(deps)]);
    await runTermReminders(deps);
    const mails = mailsFor(jobs, people.council.name);
    const recipients = mails.map((m) => m.to);
    expect(recipients).to.include(people.secretary.email).and.include(admin.email);
    expect(new Set(recipients).size, 'each once').to.equal(recipients.length);
    expect(recipients).not.to.include.oneOf([people.chair.email, people.member.email, people.staff.email]);
    expect(mails.every((m) => m.inTransaction)).to.equal(true);

    const toSecretary = mails.find((m) => m.to === people.secretary.email)!;
    expect(toSecretary.text).to.include('2 personer').and.include('Ahmad Hussein (formand)').and.include('Birgitte Sørensen (medlem)');
    expect(toSecretary.text).to.include(`https://raadssvar.example.dk/councils/${people.council.slug}/handover`);
    expect(toSecretary.text, 'no admin link for a secretary').not.to.include('/admin/');
    expect(mails.find((m) => m.to === admin.email)!.text).to.include(`https://raadssvar.example.dk/admin/councils/${people.council.id}#medlemmer`);
    expect(toSecretary.headers).to.deep.include({ 'Auto-Submitted': 'auto-generated' });
  });

  it('waits while the end is more than 30 days away, and says nothing of a term that has ended', async () => {
    const { db } = testDatabase();
    const later = await makeCouncilWithPeople(db);
    const ended = await makeCouncilWithPeople(db);
    await setMembershipTerm(db, later.chair.actor.userId, later.council.id, { start, end: inDays(31) });
    await setMembershipTerm(db, ended.chair.actor.userId, ended.council.id, { start: '2022-01-01', end: inDays(-1) });
    const jobs = recordingJobs();
    await runTermReminders({ db, clock: systemClock, jobs, config });
    expect(mailsFor(jobs, later.council.name)).to.deep.equal([]);
    expect(mailsFor(jobs, ended.council.name)).to.deep.equal([]);
  });
});
