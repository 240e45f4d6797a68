import { expect } from 'chai';
import { insertReadDocumentWithMarker } from '../support/documents.ts';
import { sql } from 'kysely';
import { sha256Hex } from '../../src/domain/auth/digest.ts';
import { addDraftComment } from '../../src/domain/consultations/comments.ts';
import { saveDraft, sendEvent } from '../../src/domain/consultations/service.ts';
import { runPublicationAnnouncements } from '../../src/domain/publication/announcements.ts';
import { SUBSCRIPTION_CONFIRM_TTL_MS } from '../../src/domain/publication/subscriptions.ts';
import { insertMeeting } from '../../src/db/repositories/meetings.ts';
import { insertMinutesDocument } from '../../src/db/repositories/minutes.ts';
import { TEST_FIXTURE_TEMPLATE } from '../support/archive.ts';
import { purgeExpiredPendingSubscriptions } from '../../src/db/repositories/subscriptions.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { testDatabase } from '../support/db.ts';
import { makeConsultationInState, makeCouncilWithPeople, unique } from '../support/factories.ts';
import { startSmtp, startTestScheduler, waitUntil, type ReceivedMail, type TestScheduler, type TestSmtp } from '../support/mail.ts';
import { parseMail } from '../support/mail-check.ts';
import { WebSession, WebSessionFromOwnAddress as ClientAt } from '../support/web-session.ts';

type People = Awaited<ReturnType<typeof makeCouncilWithPeople>>;

/** The message beside a field, by its id (`<p class="field-error" id="…-fejl">`). */
function fieldError(html: string, field: string): string | undefined {
  return new RegExp(`id="${field}-fejl">([^<]+)<`).exec(html)?.[1];
}

describe('e-mail subscriptions to a council’s public page: double opt-in, announcements, one-click unsubscribe', function () {
  this.timeout(180_000);
  let smtp: TestSmtp;
  let scheduler: TestScheduler;
  let app: TestApp;
  /** The app's clock runs this far ahead of the real one, to let links expire. */
  let clockAhead = 0;
  const db = () => testDatabase().db;

  before(async () => {
    smtp = await startSmtp();
    scheduler = await startTestScheduler({ smtpUrl: smtp.url, clock: () => new Date() });
    app = await startTestApp({ env: { TRUST_PROXY: 'loopback' }, deps: { jobs: scheduler.jobs }, clock: () => new Date(Date.now() + clockAhead) });
  });
  after(async () => {
    await app?.close();
    await scheduler?.stop();
    await smtp?.close();
  });

  /** Asks for the council's mails at `email` from the form, as a visitor without login. */
  async function subscribe(slug: string, email: string, client: WebSession = new ClientAt(app.baseUrl)) {
    const page = await client.get(`/r/${slug}/abonner`);
    expect(page.status).to.equal(200);
    return client.postForm(`/r/${slug}/abonner`, { _csrf: WebSession.csrfToken(page.text), email });
  }

  const mailsTo = (email: string) => smtp.received.filter((m) => m.to.includes(email));

  async function nthMailTo(email: string, count: number): Promise<ReceivedMail> {
    await waitUntil(() => mailsTo(email).length >= count, 60_000, `mail ${count} to ${email}`);
    return mailsTo(email)[count - 1]!;
  }

  /** A link in a mail (built from the PUBLIC_URL of the app that sent it), as a path of the test app. */
  function linkPath(mail: ReceivedMail, pattern: RegExp): string {
    const match = new RegExp(`${app.deps.config.publicUrl!.replace(/[.]/g, '\\.')}(${pattern.source})`).exec(mail.raw);
    expect(match, `a link ${pattern} in the mail`).to.not.equal(null);
    return match![1]!;
  }

  async function confirmViaMail(slug: string, email: string, mailNumber = 1) {
    const before = await subscriptionRow(slug, email);
    const mail = await nthMailTo(email, mailNumber);
    const confirm = linkPath(mail, /\/abonnement\/bekraeft\/ab_[A-Za-z0-9_-]+/);
    const visitor = new WebSession(app.baseUrl);
    const page = await visitor.get(confirm);
    expect(page.status).to.equal(200);
    expect(page.text).to.include('Ja, send mig besked');
    expect(await subscriptionRow(slug, email), 'a GET of the link changes nothing').to.deep.equal(before);
    const done = await visitor.postForm(confirm, {});
    expect(done.status).to.equal(200);
    expect(done.text).to.include('Du får nu en mail');
    return confirm;
  }

  async function subscriptionRow(slug: string, email: string) {
    const row = await db()
      .selectFrom('public_subscriptions')
      .innerJoin('councils', 'councils.id', 'public_subscriptions.council_id')
      .select(['public_subscriptions.id', 'public_subscriptions.confirmed_at'])
      .where('councils.slug', '=', slug)
      .where('public_subscriptions.email', '=', email)
      .executeTakeFirst();
    return row ? { confirmed: row.confirmed_at !== null, id: row.id } : undefined;
  }

  async function publishResponse(people: People, title: string) {
    const approved = await makeConsultationInState(app.deps, people, 'approved', { title });
    return sendEvent(app.deps, people.secretary.actor, approved.id, {
      type: 'SUBMIT',
      version: approved.version,
      channel: 'portal',
      recipient: null,
    });
  }

  /** Announcements queued to `email` (pg-boss's own table: what the announcement job decided, whatever the worker did since). */
  async function mailJobsTo(email: string): Promise<number> {
    const rows = await sql<{ n: string }>`select count(*) as n from pgboss.job where name = 'mail' and data->>'to' = ${email}
      and data ? 'subscription'`.execute(db());
    return Number(rows.rows[0]!.n);
  }

  it('subscribes only after the mailed link is confirmed, announces each published response once, and unsubscribes with one click', async () => {
    const people = await makeCouncilWithPeople(db());
    const slug = people.council.slug;
    const page = await new WebSession(app.baseUrl).get(`/r/${slug}`);
    expect(page.text).to.include(`href="/r/${slug}/abonner"`);
    const reader = `laeser-${unique()}@example.dk`;
    const pending = `uden-bekraeftelse-${unique()}@example.dk`;

    const asked = await subscribe(slug, reader);
    expect(asked.status).to.equal(200);
    expect(asked.text).to.include('Vi har sendt en mail med et link');
    expect(await subscribe(slug, pending)).to.include({ status: 200 });
    expect(await subscriptionRow(slug, reader)).to.include({ confirmed: false });

    // The confirmation mail: automatic, no List-Unsubscribe (nothing is subscribed yet), only the link's hash stored.
    const confirmMail = await parseMail((await nthMailTo(reader, 1)).bytes);
    expect(confirmMail.headers.Subject[0]!.value).to.equal(`Bekræft, at du vil have besked fra ${people.council.name}`);
    expect(confirmMail.headers['List-Unsubscribe']).to.have.length(0);
    const confirm = await confirmViaMail(slug, reader);
    const token = /ab_[A-Za-z0-9_-]+$/.exec(confirm)![0];
    const stored = await sql<{ n: string }>`select count(*) as n from public_subscriptions where confirm_token_hash = ${sha256Hex(token)}
      or position(${token} in coalesce(confirm_token_hash, '')) > 0`.execute(db());
    expect(Number(stored.rows[0]!.n), 'the used link is gone').to.equal(0);
    expect(await subscriptionRow(slug, reader)).to.include({ confirmed: true });
    const reused = await new WebSession(app.baseUrl).postForm(confirm, {});
    expect(reused.status).to.equal(404);

    const title = `Svar til abonnenter ${unique()}`;
    const response = await publishResponse(people, title);
    // A marker in the private fields of the council: a draft and a comment being written, the authority's document of the published one.
    const marker = `hemmelig${unique()}`;
    let drafting = await makeConsultationInState(app.deps, people, 'drafting', { title: `Under arbejde ${marker}` });
    drafting = await saveDraft(app.deps, people.secretary.actor, drafting.id, { body: `Udkast ${marker}`, version: drafting.version });
    await addDraftComment(app.deps, people.member.actor, drafting.id, { body: `Kommentar ${marker}` });
    await insertReadDocumentWithMarker(db(), response.id, marker);
    await runPublicationAnnouncements(scheduler.deps);
    const announcementMail = await nthMailTo(reader, 2);
    expect(announcementMail.raw, 'no private field reaches a subscriber').not.to.include(marker);
    const announcement = await parseMail(announcementMail.bytes);
    expect(announcement.headers.Subject[0]!.value).to.equal(`Nyt høringssvar fra ${people.council.name}: ${title}`);
    expect(announcement.text).to.include(title).and.include(`/r/${slug}/svar/${response.id}.pdf`);
    expect(announcement.headers['Auto-Submitted'].map((h) => h.value)).to.deep.equal(['auto-generated']);
    expect(announcement.headers['List-Unsubscribe-Post'].map((h) => h.value)).to.deep.equal(['List-Unsubscribe=One-Click']);
    const unsubscribeUrl = /^<([^<>]+)>$/.exec(announcement.headers['List-Unsubscribe'][0]!.value)![1]!;
    expect(announcement.html, 'the same link in the mail itself').to.include(`href="${unsubscribeUrl}"`);
    expect(await mailJobsTo(pending), 'nothing for an address that never confirmed').to.equal(0);

    // Exactly once: another run (or process) finds nothing new.
    expect(await runPublicationAnnouncements(scheduler.deps)).to.equal(0);
    const claim = await db()
      .selectFrom('public_announcements')
      .select('recipients')
      .where('item_key', '=', `response:${response.id}`)
      .executeTakeFirst();
    expect(claim?.recipients).to.equal(1);

    // The mail client's one-click unsubscribe (RFC 8058): a POST without session or CSRF token.
    const unsubscribePath = new URL(unsubscribeUrl).pathname;
    const preview = await new WebSession(app.baseUrl).get(unsubscribePath);
    expect(preview.status).to.equal(200);
    expect(preview.text).to.include(`Afmeld mails fra ${people.council.name}`);
    expect(await subscriptionRow(slug, reader), 'a GET changes nothing').to.not.equal(undefined);
    const oneClick = await fetch(`${app.baseUrl}${unsubscribePath}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).to.equal(200);
    expect(await subscriptionRow(slug, reader), 'the address is deleted').to.equal(undefined);
    const afterwards = await new WebSession(app.baseUrl).get(unsubscribePath);
    expect(afterwards.status).to.equal(200);
    expect(afterwards.text).to.include('allerede afmeldt');

    await publishResponse(people, `Efter afmelding ${unique()}`);
    const before = await mailJobsTo(reader);
    await runPublicationAnnouncements(scheduler.deps);
    expect(await mailJobsTo(reader), 'no mail after unsubscribing').to.equal(before);
  });

  it('announces minutes once the council publishes them, not before', async () => {
    const people = await makeCouncilWithPeople(db());
    const slug = people.council.slug;
    const reader = `referater-${unique()}@example.dk`;
    await subscribe(slug, reader);
    await confirmViaMail(slug, reader);
    const meeting = await insertMeeting(db(), { councilId: people.council.id, startsAt: new Date(Date.now() - 86_400_000), place: 'Rådhuset' });
    const minutes = await db()
      .transaction()
      .execute((tx) =>
        insertMinutesDocument(tx, {
          meetingId: meeting.id,
          // The stored hash is the bytes' own, so the archive's verification finds nothing wrong.
          pdf: Buffer.from(`%PDF-1.7 referat ${meeting.id}`),
          sha256: sha256Hex(`%PDF-1.7 referat ${meeting.id}`),
          templateVersion: TEST_FIXTURE_TEMPLATE,
          archivedBy: people.secretary.actor.userId,
        }),
      );
    // The council does not publish its minutes yet: nothing to announce.
    await runPublicationAnnouncements(scheduler.deps);
    const claimed = () =>
      db().selectFrom('public_announcements').select('recipients').where('item_key', '=', `minutes:${minutes.id}`).executeTakeFirst();
    expect(await claimed()).to.equal(undefined);
    await db().updateTable('councils').set({ minutes_published: true }).where('id', '=', people.council.id).execute();
    await runPublicationAnnouncements(scheduler.deps);
    const mail = await parseMail((await nthMailTo(reader, 2)).bytes);
    const subject = mail.headers.Subject[0]!.value;
    expect(subject.startsWith(`Referat fra ${people.council.name}: mødet `), subject).to.equal(true);
    expect(mail.text).to.include(`/r/${slug}/referater/${meeting.id}.pdf`);
    expect((await claimed())?.recipients).to.equal(1);
  });

  it('never shows an address: the page answers the same for a subscribed, a pending and a new address, and no public page holds one', async () => {
    const people = await makeCouncilWithPeople(db());
    const slug = people.council.slug;
    const subscribed = `kendt-${unique()}@example.dk`;
    await subscribe(slug, subscribed);
    await confirmViaMail(slug, subscribed);
    const answers = [];
    for (const email of [subscribed, `ny-${unique()}@example.dk`]) {
      const answer = await subscribe(slug, email);
      expect(answer.status).to.equal(200);
      answers.push(answer.text.replace(/value="[^"]*"/g, ''));
    }
    expect(answers[0]).to.equal(answers[1]);
    expect(answers[0]).not.to.include(subscribed);
    for (const path of [`/r/${slug}`, '/r', `/r/${slug}/feed.atom`, '/r/feed.atom', '/sitemap.xml', `/r/${slug}/abonner`]) {
      const body = await (await fetch(`${app.baseUrl}${path}`)).text();
      expect(body, path).not.to.include(subscribed);
    }
    // Confirming again (a second link) keeps one subscription.
    await confirmViaMail(slug, subscribed, 2);
    const rows = await db().selectFrom('public_subscriptions').select('id').where('email', '=', subscribed).execute();
    expect(rows).to.have.length(1);
  });

  it('refuses a malformed e-mail beside the field keeping what was typed, throttles one address, and an unknown council is a 404', async () => {
    const people = await makeCouncilWithPeople(db());
    const slug = people.council.slug;
    const malformed = await subscribe(slug, 'ikke-en-mail');
    expect(malformed.status).to.equal(422);
    expect(fieldError(malformed.text, 'email')).to.equal('Ugyldig e-mailadresse');
    expect(malformed.text).to.include('value="ikke-en-mail"');

    const email = `mange-${unique()}@example.dk`;
    for (let i = 1; i <= 3; i++) expect((await subscribe(slug, email)).status, `request ${i}`).to.equal(200);
    const throttled = await subscribe(slug, email);
    expect(throttled.status).to.equal(429);
    expect(throttled.text).to.include('Der er bedt om for mange abonnementer').and.include(`value="${email}"`);
    expect(Number(throttled.headers.get('retry-after'))).to.be.greaterThan(0);

    expect((await new WebSession(app.baseUrl).get(`/r/ukendt-${unique()}/abonner`)).status).to.equal(404);
    const noToken = await new ClientAt(app.baseUrl).postForm(`/r/${slug}/abonner`, { email: `uden-csrf-${unique()}@example.dk` });
    expect(noToken.status).to.equal(403);
  });

  it('a confirmation link expires, a forged unsubscribe link is refused, and expired pending addresses are purged', async () => {
    const people = await makeCouncilWithPeople(db());
    const slug = people.council.slug;
    const email = `sent-${unique()}@example.dk`;
    await subscribe(slug, email);
    const confirm = linkPath(await nthMailTo(email, 1), /\/abonnement\/bekraeft\/ab_[A-Za-z0-9_-]+/);
    clockAhead = SUBSCRIPTION_CONFIRM_TTL_MS + 60_000;
    try {
      const expired = await new WebSession(app.baseUrl).postForm(confirm, {});
      expect(expired.status).to.equal(404);
      expect(expired.text).to.include('Linket virker ikke');
      expect(await subscriptionRow(slug, email)).to.include({ confirmed: false });
    } finally {
      clockAhead = 0;
    }
    // Only this row's link is made to lie in the past, so no other test's pending address is purged.
    await db()
      .updateTable('public_subscriptions')
      .set({ confirm_expires_at: new Date(Date.now() - 1000) })
      .where('email', '=', email)
      .execute();
    expect(await purgeExpiredPendingSubscriptions(db(), new Date())).to.be.at.least(1);
    expect(await subscriptionRow(slug, email)).to.equal(undefined);

    const forged = await fetch(`${app.baseUrl}/abonnement/afmeld/1-${people.council.id}-${'A'.repeat(43)}`, { method: 'POST' });
    expect(forged.status).to.equal(404);
    expect(await forged.text()).to.include('Linket til at afmelde virker ikke');
  });
});
