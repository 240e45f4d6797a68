import { expect } from 'chai';
import type { ImapFlow } from 'imapflow';
import { imapMailboxConnector } from '../../src/adapters/imap-mailbox.ts';
import { findConsultationRow } from '../../src/db/repositories/consultations.ts';
import { listDocuments } from '../../src/db/repositories/consultation-extras.ts';
import { findIntakeMailbox, listSeenMails } from '../../src/db/repositories/intake.ts';
import { confirmArrivedConsultation } from '../../src/domain/consultations/arrivals.ts';
import { MAX_MAIL_ATTEMPTS, pollMailbox, type MailIntakeDeps } from '../../src/domain/intake/mail-intake.ts';
import { saveIntakeMailbox, testIntakeMailbox } from '../../src/domain/intake/settings.ts';
import { createLogger } from '../../src/logger.ts';
import { testDatabase } from '../support/db.ts';
import { makeCouncilWithPeople, makeUser, TEST_SESSION_SECRET, unique } from '../support/factories.ts';
import { recordingJobs, workflowDeps } from '../support/fakes.ts';
import { startImapServer, type ImapServer } from '../support/imap-server.ts';
import {
  directMailWithoutDeadline,
  forwardedAsAttachment,
  gmailForward,
  messageId,
  outlookForward,
  unreadableMail,
} from '../support/intake-mails.ts';

describe('mail intake: consultation mails become consultations, against a real IMAP server (dovecot)', function () {
  this.timeout(120_000);
  let imap: ImapServer;
  let db: ReturnType<typeof testDatabase>['db'];
  const deps = (): MailIntakeDeps & { config: { sessionSecret: string } } => ({
    db,
    clock: () => new Date(),
    logger: createLogger('silent'),
    jobs: recordingJobs(),
    config: { sessionSecret: TEST_SESSION_SECRET },
    mailboxes: imapMailboxConnector(),
  });

  before(async () => {
    db = testDatabase().db;
    imap = await startImapServer();
  });
  after(async () => {
    await imap?.stop();
  });

  /** A council with people and a mailbox of its own on the server, set up by an admin. */
  async function councilWithMailbox(settings: Record<string, unknown> = {}) {
    const people = await makeCouncilWithPeople(db);
    const admin = await makeUser(db, { admin: true });
    const user = `raad-${unique()}`;
    const password = imap.password;
    const client = await imap.client(user, password);
    await saveIntakeMailbox(deps(), admin.actor, people.council.id, {
      host: imap.host,
      port: String(imap.port),
      username: user,
      password,
      folder: 'INBOX',
      afterProcessing: 'move',
      processedFolder: 'Behandlet',
      enabled: 'on',
      ...settings,
    });
    return { ...people, admin, client, user, password };
  }

  async function put(client: ImapFlow, raw: Buffer | Promise<Buffer>, folder = 'INBOX') {
    await client.append(folder, await raw);
  }

  async function count(client: ImapFlow, folder: string): Promise<number> {
    const status = await client.status(folder, { messages: true });
    return status ? (status.messages ?? 0) : 0;
  }

  it('reads forwarded Outlook and Gmail mails and a forward-as-attachment into registered consultations awaiting confirmation', async () => {
    const setup = await councilWithMailbox();
    await put(setup.client, outlookForward());
    await put(setup.client, gmailForward());
    await put(setup.client, forwardedAsAttachment());
    const result = await pollMailbox(deps(), setup.council.id);
    expect(result).to.include({ polled: true, ingested: 3, failed: 0, duplicates: 0, error: null });

    const mails = await listSeenMails(db, setup.council.id);
    expect(mails.map((m) => m.status)).to.deep.equal(['ingested', 'ingested', 'ingested']);
    const [outlook, gmail, attached] = await Promise.all(mails.map((m) => findConsultationRow(db, m.consultation_id!)));

    expect(outlook).to.include({
      title: 'Høring over udkast til integrationsstrategi 2027-2030',
      authority: 'Udlændinge- og Integrationsministeriet',
      authority_email: 'uim@uim.dk',
      council_id: setup.council.id,
      state: 'assigned',
      intake_source: 'mail',
      intake_confirmed_at: null,
      intake_deadline_sentence: 'Høringsfristen er fredag den 15. januar 2027 kl. 12.00.',
      created_by: null,
    });
    expect(outlook!.deadline.toISOString()).to.equal('2027-01-15T11:00:00.000Z');
    expect(outlook!.summary).to.include('Ministeriet sender hermed udkast').and.not.include('Til orientering');
    const outlookDocs = await listDocuments(db, outlook!.id);
    expect(outlookDocs.map((d) => d.filename).sort()).to.deep.equal(['Høringsbrev.pdf', 'Udkast til strategi.docx']);

    expect(gmail).to.include({
      title: 'Høring om ændring af beskæftigelsesplanen',
      authority: 'Jobcenter Næstved',
      authority_email: 'jobcenter@naestved.dk',
    });
    expect(gmail!.deadline.toISOString()).to.equal('2027-01-08T09:00:00.000Z');
    expect(attached).to.include({
      title: 'Høring: Værdighedspolitik',
      authority: 'Ældre- og Sundhedsforvaltningen',
      authority_email: 'aeldre@naestved.dk',
    });
    expect((await listDocuments(db, attached!.id)).map((d) => d.filename)).to.deep.equal(['Værdighedspolitik.pdf']);

    // Each mail was put aside on the server after it was taken in.
    expect(await count(setup.client, 'INBOX')).to.equal(0);
    expect(await count(setup.client, 'Behandlet')).to.equal(3);
  });

  it('registers a mail with no deadline too, with four weeks proposed and a note, and the secretary confirms or corrects it', async () => {
    const setup = await councilWithMailbox();
    await put(setup.client, directMailWithoutDeadline());
    expect(await pollMailbox(deps(), setup.council.id)).to.include({ ingested: 1 });
    const [mail] = await listSeenMails(db, setup.council.id);
    const row = await findConsultationRow(db, mail!.consultation_id!);
    expect(row).to.include({ authority: 'Social- og Boligstyrelsen', intake_deadline_sentence: null });
    expect(row!.intake_note).to.include('Ingen høringsfrist fundet');
    const days = (row!.deadline.getTime() - Date.now()) / 86_400_000;
    expect(days).to.be.within(26, 30);

    // A member may not confirm; the secretary corrects the deadline, in one transition with its event row.
    const services = workflowDeps(db);
    const corrected = '2027-02-01T12:00';
    await expectRejects(
      confirmArrivedConsultation(services, setup.member.actor, row!.id, { version: row!.version, deadline: corrected }),
      'FORBIDDEN',
    );
    const confirmed = await confirmArrivedConsultation(services, setup.secretary.actor, row!.id, { version: row!.version, deadline: corrected });
    expect(new Date(confirmed.deadline).toISOString()).to.equal('2027-02-01T11:00:00.000Z');
    const after = await findConsultationRow(db, row!.id);
    expect(after!.intake_confirmed_at).to.be.instanceOf(Date);
    expect(after!.version).to.equal(row!.version + 1);
    expect(confirmed.timeline.at(-1)).to.include({ type: 'CONFIRM_INTAKE' });
    await expectRejects(
      confirmArrivedConsultation(services, setup.secretary.actor, row!.id, { version: after!.version, deadline: corrected }),
      'TRANSITION_NOT_ALLOWED',
    );
  });

  it('never takes a mail in twice: a second poll, a copy with the same Message-ID, two processes at once', async () => {
    const setup = await councilWithMailbox({ afterProcessing: 'flag' });
    const id = messageId();
    await put(setup.client, outlookForward({ id }));
    await put(setup.client, outlookForward({ id }));
    await put(setup.client, gmailForward());
    // Two app processes poll at the same moment: one holds the lease, the other does nothing.
    const [first, second] = await Promise.all([pollMailbox(deps(), setup.council.id), pollMailbox(deps(), setup.council.id)]);
    expect([first.polled, second.polled].sort()).to.deep.equal([false, true]);
    const polled = first.polled ? first : second;
    expect(polled).to.include({ ingested: 2, duplicates: 1 });
    expect(await pollMailbox(deps(), setup.council.id)).to.include({ polled: true, ingested: 0, duplicates: 0 });
    const mails = await listSeenMails(db, setup.council.id);
    expect(mails.map((m) => m.status)).to.deep.equal(['ingested', 'duplicate', 'ingested']);
    // Flagged, not moved: the mails stay in the folder, marked as read by Rådssvar.
    expect(await count(setup.client, 'INBOX')).to.equal(3);
    const lock = await setup.client.getMailboxLock('INBOX');
    const flags = await setup.client.fetchAll('1:*', { flags: true });
    lock.release();
    for (const message of flags) expect([...(message.flags ?? [])]).to.include.members(['\\Seen', '\\Flagged', '$Raadssvar']);
  });

  it('starts over when the folder’s UIDVALIDITY changes, and the Message-IDs stop the old mails coming in again', async () => {
    const setup = await councilWithMailbox({ folder: 'Høringer', afterProcessing: 'flag' });
    await setup.client.mailboxCreate('Høringer');
    const ids = [messageId(), messageId()];
    await put(setup.client, outlookForward({ id: ids[0] }), 'Høringer');
    await put(setup.client, gmailForward({ id: ids[1] }), 'Høringer');
    expect(await pollMailbox(deps(), setup.council.id)).to.include({ ingested: 2 });
    const before = await findIntakeMailbox(db, setup.council.id);

    // The folder is made again (a server move, a restore): new UIDVALIDITY, UIDs from 1 again.
    await setup.client.mailboxDelete('Høringer');
    await setup.client.mailboxCreate('Høringer');
    await put(setup.client, outlookForward({ id: ids[0] }), 'Høringer');
    await put(setup.client, gmailForward({ id: ids[1] }), 'Høringer');
    await put(setup.client, directMailWithoutDeadline(), 'Høringer');
    const result = await pollMailbox(deps(), setup.council.id);
    const after = await findIntakeMailbox(db, setup.council.id);
    expect(after!.uid_validity).to.not.equal(before!.uid_validity);
    expect(result).to.include({ ingested: 1, duplicates: 2 });
    expect(after!.last_uid).to.equal(3);
  });

  it('keeps a mail that cannot be read with its error, tries it again at each poll up to the limit, and goes on with the others', async () => {
    const setup = await councilWithMailbox();
    await put(setup.client, unreadableMail());
    await put(setup.client, gmailForward());
    expect(await pollMailbox(deps(), setup.council.id)).to.include({ ingested: 1, failed: 1 });
    let [failed] = (await listSeenMails(db, setup.council.id)).filter((m) => m.status === 'failed');
    expect(failed).to.include({ attempts: 1 });
    expect(failed!.error).to.include('ingen brevhoved');
    for (let poll = 2; poll <= MAX_MAIL_ATTEMPTS + 2; poll += 1) await pollMailbox(deps(), setup.council.id);
    [failed] = (await listSeenMails(db, setup.council.id)).filter((m) => m.status === 'failed');
    expect(failed!.attempts).to.equal(MAX_MAIL_ATTEMPTS);
    // Put aside on the server like the others: the copy in Rådssvar is what is kept and retried.
    expect(await count(setup.client, 'INBOX')).to.equal(0);
  });

  it('tells the admin what is wrong with a mailbox, in Danish and without the password, and keeps the poll error', async () => {
    const setup = await councilWithMailbox();
    expect(await testIntakeMailbox(deps(), setup.admin.actor, setup.council.id)).to.deep.include({ ok: true });
    await saveIntakeMailbox(deps(), setup.admin.actor, setup.council.id, {
      host: imap.host,
      port: String(imap.port),
      username: setup.user,
      password: 'forkert-adgangskode',
      afterProcessing: 'move',
      enabled: 'on',
    });
    const tested = await testIntakeMailbox(deps(), setup.admin.actor, setup.council.id);
    expect(tested).to.deep.equal({ ok: false, message: 'Serveren afviste brugernavn eller adgangskode' });
    const polled = await pollMailbox(deps(), setup.council.id);
    expect(polled.error).to.equal('Serveren afviste brugernavn eller adgangskode');
    const row = await findIntakeMailbox(db, setup.council.id);
    expect(row!.last_error).to.equal('Serveren afviste brugernavn eller adgangskode');
    expect(row!.password_sealed).to.not.include('forkert-adgangskode');
    expect(Buffer.from(row!.password_sealed, 'base64url').toString('latin1')).to.not.include('forkert');
    // Only admins set or test a mailbox.
    await expectRejects(testIntakeMailbox(deps(), setup.secretary.actor, setup.council.id), 'NOT_FOUND');
  });
});

async function expectRejects(promise: Promise<unknown>, code: string): Promise<void> {
  try {
    await promise;
  } catch (error) {
    expect((error as { code?: string }).code).to.equal(code);
    return;
  }
  expect.fail(`expected ${code}`);
}
