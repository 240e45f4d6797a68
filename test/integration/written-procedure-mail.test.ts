import { expect } from 'chai';
import { extractText } from 'unpdf';
import { ChromiumPdfRenderer } from '../../src/adapters/chromium-pdf.ts';
import { DEFAULT_CHROMIUM_PATH } from '../../src/config.ts';
import { sendEvent, type EventDeps } from '../../src/domain/consultations/service.ts';
import { sha256Hex } from '../../src/domain/auth/digest.ts';
import { sendProcedureReminders, sendProcedureStartMails, type ProcedureMailDeps } from '../../src/domain/written-procedure/mail.ts';
import { castVote } from '../../src/domain/written-procedure/service.ts';
import { openVoteLink, voteWithLink } from '../../src/domain/written-procedure/vote-links.ts';
import { createLogger } from '../../src/logger.ts';
import { testDatabase } from '../support/db.ts';
import { makeConsultationInWrittenProcedure, makeCouncilWithPeople, makeUser } from '../support/factories.ts';
import { workflowDeps } from '../support/fakes.ts';
import { startTestScheduler, useMailSuite, waitUntil, type TestScheduler } from '../support/mail.ts';
import { firstAttachment, parseMail } from '../support/mail-check.ts';

/** The vote link's secret in a mail's text part. */
function voteTokenIn(text: string): string {
  const match = /\/vote\/(wp_[A-Za-z0-9_-]{43})/.exec(text);
  if (!match) throw new Error(`no vote link in: ${text}`);
  return match[1]!;
}

describe('written procedure mails (real SMTP, real Chromium, pg-boss)', function () {
  this.timeout(300_000);
  const db = () => testDatabase().db;
  const { smtp, schedulers, mailsTo } = useMailSuite();
  const renderer = new ChromiumPdfRenderer({ chromiumPath: process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM_PATH });
  after(() => renderer.close());
  const clock = () => new Date();

  /** Two "app processes" with workers, and the mail deps of each as their workers have them. */
  async function twoWorkers(): Promise<[TestScheduler & { mail: ProcedureMailDeps }, TestScheduler & { mail: ProcedureMailDeps }]> {
    // One after the other: pg-boss creating its queues in two processes at once can deadlock.
    const made = [
      await startTestScheduler({ smtpUrl: smtp().url, clock, pdf: renderer }),
      await startTestScheduler({ smtpUrl: smtp().url, clock, pdf: renderer }),
    ];
    schedulers.push(...made);
    const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
    const [a, b] = made.map((s) => ({ ...s, mail: { db: s.db, clock, mailer: s.mailer, pdf: renderer, config: s.deps.config, logger } }));
    return [a!, b!];
  }

  /** A council with its secretary, chair, two members and staff, and a consultation in a written procedure. */
  async function councilInProcedure(deps: EventDeps, options: { starter?: 'chair'; note?: string } = {}) {
    const people = await makeCouncilWithPeople(db());
    const member2 = await makeUser(db(), { council: people.council, role: 'member', name: 'Jens Ørsted' });
    const starter = options.starter === 'chair' ? people.chair.actor : people.secretary.actor;
    const { c, procedureNumber } = await makeConsultationInWrittenProcedure(
      deps,
      people,
      { title: 'Udkast til Integrationsstrategi 2026–2029' },
      { starter, note: options.note },
    );
    return { people, member2, c, job: { consultationId: c.id, procedureNumber } };
  }

  it('start: one mail to each voter (chair and members) with the draft, its PDF and a vote link; racing workers mail each once', async () => {
    const [a, b] = await twoWorkers();
    // The start queues its job on pg-boss, which the two workers above run.
    const deps = { ...workflowDeps(db()), jobs: a.jobs };
    const { people, member2, c, job } = await councilInProcedure(deps, { note: 'Svar gerne inden fredag.' });
    // The same job run again, twice at once in two processes, while pg-boss runs the queued one.
    const runs = await Promise.all([sendProcedureStartMails(a.mail, job), sendProcedureStartMails(b.mail, job)]);
    const voters = [people.chair.email, people.member.email, member2.email];
    await waitUntil(() => mailsTo(voters).length >= 3, 120_000, 'three start mails');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(runs.reduce((n, r) => n + r, 0)).to.be.at.most(3);
    expect(await sendProcedureStartMails(a.mail, job)).to.equal(0);

    const mails = mailsTo(voters);
    expect(mails.map((m) => m.to[0]).sort()).to.deep.equal([...voters].sort());
    expect(mailsTo([people.secretary.email, people.staff.email])).to.have.length(0);
    const parsed = await parseMail(mails[0]!.bytes);
    expect(parsed.defects).to.deep.equal([]);
    expect(parsed.headers.Subject[0]!.value).to.match(/^Skriftlig procedure: Udkast til Integrationsstrategi 2026–2029 – stem senest /);
    expect(parsed.headers['Auto-Submitted'][0]!.value).to.equal('auto-generated');
    expect(parsed.text).to.include('savner sprogcentret').and.include('Svar gerne inden fredag.').and.include('http://raadssvar.test/vote/wp_');
    expect(parsed.html).to.include('savner sprogcentret').and.include('href="http://raadssvar.test/vote/wp_');
    expect(parsed.attachments).to.have.length(1);
    expect(parsed.attachments[0]!.contentType).to.equal('application/pdf');
    expect(parsed.attachments[0]!.filename).to.match(/-UDKAST\.pdf$/);
    const { text } = await extractText(new Uint8Array(firstAttachment(mails[0]!.bytes)), { mergePages: true });
    expect(text.replace(/\s+/g, ' ')).to.include('savner sprogcentret');

    // Each voter's link is their own, stored only as its hash, and opens their vote.
    const tokens = await Promise.all(mails.map(async (m) => voteTokenIn((await parseMail(m.bytes)).text!)));
    expect(new Set(tokens).size).to.equal(3);
    const stored = await db()
      .selectFrom('written_procedure_vote_tokens')
      .select(['token_hash', 'user_id'])
      .where('consultation_id', '=', c.id)
      .execute();
    expect(stored.map((s) => s.token_hash).sort()).to.deep.equal(tokens.map(sha256Hex).sort());
    const byEmail = new Map(mails.map((m, i) => [m.to[0]!, tokens[i]!]));
    const opened = await openVoteLink(deps, byEmail.get(people.member.email)!);
    expect(opened.voterName).to.equal('Birgitte Sørensen');
    expect(opened.consultation.writtenProcedure!.mayVote).to.equal(true);
    const voted = await voteWithLink(deps, byEmail.get(people.member.email)!, { vote: 'agree' });
    expect(voted.consultation.writtenProcedure!.counts).to.deep.include({ agree: 1, notVoted: 2 });
  });

  it('reminder: only to the voters who have not voted, once across workers; none after the procedure ended', async () => {
    const [a, b] = await twoWorkers();
    const deps = workflowDeps(db());
    const { people, member2, c, job } = await councilInProcedure(deps, { starter: 'chair' });
    expect(deps.jobs.queued.map((q) => [q.queue, q.data])).to.deep.include.members([
      ['written-procedure-started', job],
      ['written-procedure-reminder', job],
    ]);
    await castVote(deps, people.member.actor, c.id, { vote: 'disagree', comment: 'Afsnittet om sprogcentret mangler.' });

    const runs = await Promise.all([sendProcedureReminders(a.mail, job), sendProcedureReminders(b.mail, job), sendProcedureReminders(a.mail, job)]);
    expect(runs.reduce((n, r) => n + r, 0)).to.equal(2);
    expect(await sendProcedureReminders(b.mail, job)).to.equal(0);
    const reminded = mailsTo([people.chair.email, member2.email, people.member.email, people.secretary.email]);
    expect(reminded.map((m) => m.to[0]).sort()).to.deep.equal([people.chair.email, member2.email].sort());
    const parsed = await parseMail(reminded[0]!.bytes);
    expect(parsed.defects).to.deep.equal([]);
    expect(parsed.headers.Subject[0]!.value).to.match(/^Påmindelse: stem om Udkast til Integrationsstrategi 2026–2029 senest /);
    expect(parsed.attachments).to.have.length(0);
    // The reminder's link works: the chair votes with it.
    const chairMail = reminded.find((m) => m.to[0] === people.chair.email)!;
    const voted = await voteWithLink(deps, voteTokenIn((await parseMail(chairMail.bytes)).text!), { vote: 'agree' });
    expect(voted.consultation.writtenProcedure!.counts).to.deep.include({ agree: 1, disagree: 1, notVoted: 1 });

    // A cancelled procedure reminds nobody.
    const other = await councilInProcedure(deps);
    await sendEvent(deps, other.people.secretary.actor, other.c.id, {
      type: 'CANCEL_WRITTEN_PROCEDURE',
      version: other.c.version,
      reason: 'Sagen behandles på mødet i stedet.',
    });
    expect(await sendProcedureReminders(a.mail, other.job)).to.equal(0);
    expect(await sendProcedureStartMails(a.mail, other.job)).to.equal(0);
    expect(mailsTo([other.people.chair.email, other.people.member.email, other.member2.email])).to.have.length(0);
  });
});
