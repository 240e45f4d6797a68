import { expect } from 'chai';
import Handlebars from 'handlebars';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { updateCouncil } from '../../src/db/repositories/councils.ts';
import { mailResetLink } from '../../src/domain/auth/password-reset.ts';
import { enqueueSubmissionMail } from '../../src/domain/mail/submission.ts';
import { DateTime } from 'luxon';
import { setMembershipTerm } from '../../src/db/repositories/users.ts';
import { electionPeriodCovering } from '../../src/domain/councils/terms.ts';
import { runTermReminders } from '../../src/domain/councils/term-reminders.ts';
import { confirmSubscription, requestSubscription } from '../../src/domain/publication/subscriptions.ts';
import { runPublicationAnnouncements } from '../../src/domain/publication/announcements.ts';
import { LoginThrottle } from '../../src/domain/auth/throttle.ts';
import { ownAddress } from '../support/web-session.ts';
import { runReminders } from '../../src/domain/reminders/service.ts';
import { systemClock, ZONE } from '../../src/domain/time.ts';
import { sendProcedureReminders } from '../../src/domain/written-procedure/mail.ts';
import { createLogger } from '../../src/logger.ts';
import { ARTIFACTS_DIR, expectNoAxeViolations, launchBrowser } from '../support/browser.ts';
import { testDatabase } from '../support/db.ts';
import { nuCheckerFindings } from '../support/nu-checker.ts';
import { workflowDeps } from '../support/fakes.ts';
import {
  deadlineInDays,
  makeConsultation,
  makeConsultationInState,
  makeConsultationInWrittenProcedure,
  makeCouncilWithPeople,
  unique,
} from '../support/factories.ts';
import { startSmtp, startTestScheduler, waitUntil, type TestScheduler, type TestSmtp } from '../support/mail.ts';
import { parseMail, spamVerdict, type ParsedMail } from '../support/mail-check.ts';

type Kind =
  | 'submission'
  | 'reminder-deadline'
  | 'reminder-approval'
  | 'password-reset'
  | 'written-procedure-started'
  | 'written-procedure-reminder'
  | 'term-ending'
  | 'subscription-confirm'
  | 'publication';
const KINDS: Kind[] = [
  'submission',
  'reminder-deadline',
  'reminder-approval',
  'password-reset',
  'written-procedure-started',
  'written-procedure-reminder',
  'term-ending',
  'subscription-confirm',
  'publication',
];
/** Mails about no consultation, so without its title. */
const WITHOUT_TITLE: Kind[] = ['password-reset', 'term-ending', 'subscription-confirm'];
/** Mails with a one-click List-Unsubscribe (RFC 8058), and the path of their unsubscribe link. */
const WITH_UNSUBSCRIBE: Partial<Record<Kind, string>> = {
  'reminder-deadline': '/reminders/unsubscribe/',
  'reminder-approval': '/reminders/unsubscribe/',
  publication: '/abonnement/afmeld/',
};
/** Mails sent on the council's behalf: its reply e-mail as Reply-To. */
const ON_COUNCILS_BEHALF: Kind[] = ['submission', 'written-procedure-started', 'written-procedure-reminder'];
/** Mails with a PDF attached: the archived letter, the draft letter of a written procedure. */
const WITH_PDF: Kind[] = ['submission', 'written-procedure-started'];

/** A title with Danish letters and markup, so escaping and encoding both show. */
const TITLE = `Høring om børn & unge på Ærø <script>alert("ø")</script> ${unique()}`;
const REPLY_TO = `integrationsraadet-${unique()}@naestved.dk`;
const MAILS_DIR = path.join(ARTIFACTS_DIR, 'mails');

/** The text a reader of the HTML part gets: tags gone, entities decoded, whitespace collapsed. */
function htmlText(html: string): string {
  const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#x27': "'", '#x3D': '=', '#x60': '`' };
  return html
    .replace(/<head>[\s\S]*<\/head>/, '')
    .replace(/<br>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&(#x[0-9A-Fa-f]+|\w+);/g, (whole, name: string) => entities[name] ?? whole)
    .replace(/\s+/g, ' ')
    .trim();
}

describe('every mail Rådssvar sends, as independent clients read it', function () {
  // Real SMTP, pg-boss, Python, SpamAssassin (seconds a mail), the Nu checker and Chromium: generous on a busy machine.
  this.timeout(600_000);
  let db: ReturnType<typeof testDatabase>['db'];
  let smtp: TestSmtp;
  let scheduler: TestScheduler;
  const raw = {} as Record<Kind, Buffer>;
  const parsed = {} as Record<Kind, ParsedMail>;
  const subjects = {} as Record<Kind, string>;
  /** The HTML of the archived letter the submission mail carries. */
  let letterHtml = '';

  before(async () => {
    db = testDatabase().db;
    smtp = await startSmtp();
    scheduler = await startTestScheduler({ smtpUrl: smtp.url, clock: systemClock });
    const deps = workflowDeps(db, systemClock);
    const ours = await makeCouncilWithPeople(db);
    await updateCouncil(db, ours.council.id, { letterhead_email: REPLY_TO });
    const other = await makeCouncilWithPeople(db);
    const authority = `udvalg-${unique()}@naestved.dk`;

    // The response to the authority, on the council's behalf.
    const submitted = await makeConsultationInState(deps, ours, 'submitted', { authorityEmail: authority, title: TITLE });
    letterHtml = deps.pdf.renders.at(-1)!.html;
    await enqueueSubmissionMail(scheduler.deps, submitted.id);
    // A deadline reminder to the secretary three working days before, and an approval reminder to the
    // other council's chair after five days of waiting (both councils' reminders are on).
    const registered = () => new Date('2026-12-01T08:00:00Z');
    await makeConsultation(workflowDeps(db, registered), ours.secretary.actor, {
      council: ours.council.slug,
      deadline: '2026-12-15T12:00',
      title: TITLE,
    });
    await makeConsultationInState(deps, other, 'awaiting_approval', { deadline: deadlineInDays(90), title: TITLE });
    await runReminders({ ...scheduler.deps, clock: () => new Date('2026-12-10T08:00:00Z') });
    await runReminders({ ...scheduler.deps, clock: () => new Date(Date.now() + 8 * 86_400_000) });
    // A password-reset link, to a member.
    await mailResetLink(scheduler.deps, other.member.email);
    // A written procedure in our council: the start mail (queued on pg-boss) and the reminder.
    const procedure = await makeConsultationInWrittenProcedure(
      { ...deps, jobs: scheduler.jobs },
      ours,
      { title: TITLE },
      { note: 'Svar gerne hurtigt – på forhånd tak.' },
    );
    await sendProcedureReminders(
      { ...scheduler.deps, mailer: scheduler.mailer, pdf: deps.pdf, logger: createLogger('silent') },
      { consultationId: procedure.c.id, procedureNumber: procedure.procedureNumber },
    );

    const first = async (kind: Kind, to: string, subject: RegExp) => {
      await waitUntil(
        async () => {
          for (const mail of smtp.received.filter((m) => m.to.includes(to))) {
            const reading = await parseMail(mail.bytes);
            if (subject.test(reading.headers.Subject[0]?.value ?? '')) {
              raw[kind] = mail.bytes;
              parsed[kind] = reading;
              subjects[kind] = reading.headers.Subject[0]!.value;
              return true;
            }
          }
          return false;
        },
        120_000,
        `the ${kind} mail`,
      );
    };
    // Our chair's and member's terms end in 20 days: the secretary (and every admin) is told.
    const soon = DateTime.now().setZone(ZONE).plus({ days: 20 }).toISODate()!;
    for (const person of [ours.chair, ours.member]) {
      await setMembershipTerm(db, person.actor.userId, ours.council.id, { start: electionPeriodCovering(new Date()).start, end: soon });
    }
    await runTermReminders(scheduler.deps);
    // A visitor subscribes to our council's page (the confirmation mail), confirms, and is told of the response published above.
    const reader = `laeser-${unique()}@example.dk`;
    await requestSubscription(
      { ...scheduler.deps, throttle: new LoginThrottle(testDatabase().pool) },
      ours.council.slug,
      { email: reader },
      ownAddress(),
    );
    await first('subscription-confirm', reader, /^Bekræft, at du vil have besked fra /);
    const confirmToken = /\/abonnement\/bekraeft\/(ab_[A-Za-z0-9_-]+)/.exec(parsed['subscription-confirm'].text!)![1]!;
    // Confirmed before the response was published, as far as the announcement goes.
    await confirmSubscription({ db, clock: () => new Date() }, confirmToken);
    await db
      .updateTable('public_subscriptions')
      .set({ confirmed_at: new Date(Date.now() - 86_400_000) })
      .where('email', '=', reader)
      .execute();
    await runPublicationAnnouncements(scheduler.deps);
    await first('publication', reader, /^Nyt høringssvar fra /);

    await first('submission', authority, /^Høringssvar vedr\. /);
    await first('reminder-deadline', ours.secretary.email, /^Påmindelse: høringsfristen/);
    await first('reminder-approval', other.chair.email, /^Afventer din godkendelse/);
    await first('password-reset', other.member.email, /^Vælg en ny adgangskode/);
    await first('written-procedure-started', ours.member.email, /^Skriftlig procedure: /);
    await first('written-procedure-reminder', ours.chair.email, /^Påmindelse: stem om /);
    await first('term-ending', ours.secretary.email, /^Valgperioden i /);
    mkdirSync(MAILS_DIR, { recursive: true });
    for (const kind of KINDS) {
      writeFileSync(path.join(MAILS_DIR, `${kind}.eml`), raw[kind]);
      writeFileSync(path.join(MAILS_DIR, `${kind}.html`), parsed[kind].html ?? '');
    }
  });
  after(async () => {
    await scheduler?.stop();
    await smtp?.close();
  });

  for (const kind of KINDS) {
    it(`${kind}: multipart/alternative with the same content as UTF-8 text and HTML, æøå intact, no parser defects`, () => {
      const mail = parsed[kind];
      expect(mail.defects, 'message defects').to.deep.equal([]);
      expect(
        mail.parts.flatMap((p) => p.defects),
        'part defects',
      ).to.deep.equal([]);
      expect(mail.contentType).to.equal(WITH_PDF.includes(kind) ? 'multipart/mixed' : 'multipart/alternative');
      expect(mail.alternative).to.have.length(1);
      expect(mail.alternative[0]!.map((p) => [p.contentType, p.charset])).to.deep.equal([
        ['text/plain', 'utf-8'],
        ['text/html', 'utf-8'],
      ]);
      const text = mail.text!;
      const html = mail.html!;
      if (!WITHOUT_TITLE.includes(kind)) {
        expect(text, 'the title as typed').to.include(TITLE);
        expect(htmlText(html), 'the title as typed, once decoded').to.include(TITLE);
        expect(html, 'the title escaped').to.include('&lt;script&gt;alert(&quot;ø&quot;)&lt;/script&gt;');
      }
      expect(text + subjects[kind]).to.match(/[æøå]/);
      // The same content: every paragraph of the text part, links aside, is in the HTML part, and every link is an href there.
      for (const paragraph of text.split('\n\n')) {
        const words = paragraph
          .replace(/: https?:\/\/\S+/g, '')
          .replace(/\s+/g, ' ')
          .trim();
        expect(htmlText(html), `the HTML part has "${words}"`).to.include(words);
      }
      for (const url of text.match(/https?:\/\/\S+/g) ?? []) expect(html).to.include(`href="${url}"`);
      expect(text.match(/https?:\/\/\S+/g)?.length ?? 0).to.equal(html.match(/<a href=/g)?.length ?? 0);
    });

    it(`${kind}: the headers are there and well-formed`, () => {
      const { headers } = parsed[kind];
      for (const name of ['From', 'To', 'Subject', 'Date', 'Message-ID', 'MIME-Version'] as const) {
        expect(headers[name], name).to.have.length(1);
        expect(headers[name][0]!.defects, `${name} defects`).to.deep.equal([]);
      }
      expect(headers.From[0]!.addresses).to.deep.equal(['noreply@raadssvar.test']);
      expect(headers.Date[0]!.datetime, 'Date parses').to.be.a('string');
      expect(Math.abs(Date.parse(headers.Date[0]!.datetime!) - Date.now())).to.be.below(3_600_000);
      expect(headers['Message-ID'][0]!.value).to.match(/^<[^<>@\s]+@[^<>@\s]+>$/);

      expect(headers['Reply-To'].flatMap((h) => h.addresses ?? [])).to.deep.equal(ON_COUNCILS_BEHALF.includes(kind) ? [REPLY_TO] : []);
      expect(headers['Auto-Submitted'].map((h) => h.value)).to.deep.equal(kind === 'submission' ? [] : ['auto-generated']);
      const unsubscribePath = WITH_UNSUBSCRIBE[kind];
      expect(headers['List-Unsubscribe'], 'List-Unsubscribe').to.have.length(unsubscribePath ? 1 : 0);
      expect(headers['List-Unsubscribe-Post'].map((h) => h.value)).to.deep.equal(unsubscribePath ? ['List-Unsubscribe=One-Click'] : []);
      if (unsubscribePath) {
        const link = new RegExp(`^<(https?://[^<>\\s]+${unsubscribePath}[^<>\\s/]+)>$`).exec(headers['List-Unsubscribe'][0]!.value);
        expect(link, headers['List-Unsubscribe'][0]!.value).to.not.equal(null);
        expect(parsed[kind].html, 'the same link in the mail itself').to.include(`href="${link![1]}"`);
      }
      if (WITH_PDF.includes(kind)) expect(parsed[kind].attachments.map((a) => a.contentType)).to.deep.equal(['application/pdf']);
      if (kind === 'submission') {
        expect(letterHtml, "the letterhead gives the council's reply e-mail too").to.include(REPLY_TO);
      }
    });
  }

  it('the HTML parts are accessible documents: lang="da", a title, headings, no script or remote images, no Nu checker error and no axe violation', async () => {
    for (const kind of KINDS) {
      const html = parsed[kind].html!;
      expect(html, kind).to.match(/^<!DOCTYPE html>\s*<html lang="da">/);
      expect(/<title>([^<]+)<\/title>/.exec(html)?.[1], kind).to.equal(Handlebars.escapeExpression(subjects[kind]));
      expect(html)
        .to.match(/<h1[ >]/)
        .and.match(/<p[ >]/);
      expect(html, 'no script').to.not.match(/<script/i);
      expect(html, 'no images or remote resources').to.not.match(/<img|<link|\ssrc=|url\(/i);
    }
    const { errors, warnings } = await nuCheckerFindings(KINDS.map((kind) => path.join(MAILS_DIR, `${kind}.html`)));
    expect(errors, `Nu checker errors:\n${errors.join('\n')}`).to.deep.equal([]);
    expect(warnings, `Nu checker warnings:\n${warnings.join('\n')}`).to.deep.equal([]);
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      for (const kind of KINDS) {
        await page.setContent(parsed[kind].html!);
        await expectNoAxeViolations(page, `the HTML part of ${kind}`);
      }
    } finally {
      await browser.close();
    }
  });

  it('SpamAssassin (local tests) scores every kind below its threshold 5.0', async () => {
    const scores: Record<string, unknown> = {};
    for (const kind of KINDS) {
      const verdict = await spamVerdict(raw[kind]);
      scores[kind] = verdict;
      expect(verdict.required).to.equal(5);
      expect(verdict.score, `${kind}: ${verdict.tests.join(', ')}`).to.be.below(verdict.required);
    }
    writeFileSync(path.join(MAILS_DIR, 'spamassassin.json'), `${JSON.stringify(scores, null, 2)}\n`);
  });
});
