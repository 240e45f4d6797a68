import { expect } from 'chai';
import type { MailMessage } from '../../src/domain/mail/mailer.ts';
import { sendProcedureStartMails } from '../../src/domain/written-procedure/mail.ts';
import { checkPage, useBrowserSuite } from '../support/browser.ts';
import { testDatabase } from '../support/db.ts';
import { fakePdfRenderer, recordingMailer, workflowDeps } from '../support/fakes.ts';
import { makeConsultationInWrittenProcedure, makeCouncilWithPeople } from '../support/factories.ts';

describe('browser: a member votes from the mail on a phone', function () {
  this.timeout(180_000);
  const mailer = recordingMailer();
  const suite = useBrowserSuite({ deps: { mailer } });

  it('opens the link in the mail, chooses and sends (two taps), and sees the vote counted', async () => {
    const db = testDatabase().db;
    const deps = workflowDeps(db);
    const people = await makeCouncilWithPeople(db);
    const { c, procedureNumber } = await makeConsultationInWrittenProcedure(
      deps,
      people,
      { title: 'Høring om Integrationsstrategi 2026–2029' },
      { starter: people.chair.actor },
    );
    // The start job as the worker runs it, mailing through the app's (recording) mailer.
    const app = suite.app.deps;
    await sendProcedureStartMails(
      { db, clock: app.clock, mailer, pdf: fakePdfRenderer(), config: app.config, logger: app.logger },
      { consultationId: c.id, procedureNumber },
    );
    const mail = mailer.sent.find((m: MailMessage) => m.to === people.member.email)!;
    const link = /(http:\/\/[^\s]+\/vote\/wp_[A-Za-z0-9_-]+)/.exec(mail.text)![1]!;

    const phone = await suite.page({ width: 390, height: 844 });
    // Tap 1: the link in the mail.
    await phone.goto(link);
    expect(await phone.locator('h1').textContent()).to.equal('Høring om Integrationsstrategi 2026–2029');
    await checkPage(phone, 'vote');
    expect(await phone.evaluate(() => document.documentElement.scrollWidth > window.innerWidth), 'fits a phone').to.equal(false);
    // The choice is a big target and the send button is in view without scrolling.
    const choice = await phone.getByLabel('For', { exact: true }).evaluate((input) => input.closest('label')!.getBoundingClientRect().height);
    expect(choice).to.be.at.least(44);
    const button = (await phone.getByRole('button', { name: 'Afgiv stemme' }).boundingBox())!;
    expect(button.y + button.height, 'the send button without scrolling').to.be.at.most(844);
    // Tap 2: choose and send.
    await phone.getByLabel('For', { exact: true }).check();
    await Promise.all([phone.waitForEvent('load'), phone.getByRole('button', { name: 'Afgiv stemme' }).click()]);
    const status = await phone.getByRole('status').textContent();
    expect(status).to.include('Din stemme er registreret').and.include('For: 1').and.include('Har ikke stemt: 1');
    await checkPage(phone, 'vote-done');

    // At 320 px too.
    const small = await suite.page({ width: 320, height: 640 });
    await small.goto(link);
    expect(await small.evaluate(() => document.documentElement.scrollWidth > window.innerWidth), 'fits 320 px').to.equal(false);
    expect(await small.getByLabel('For', { exact: true }).isChecked()).to.equal(true);
  });
});
