import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/app.ts';
import { checkPage, launchBrowser, logInWithKeyboard, newSession, screenshot } from '../support/browser.ts';
import { testDatabase } from '../support/db.ts';
import { tinyPdf } from '../support/documents.ts';
import { makeCouncilWithPeople, unique } from '../support/factories.ts';

const NEXT_YEAR = new Date().getUTCFullYear() + 1;

describe('browser: a consultation from registration to submission, by secretary, chair and staff', function () {
  this.timeout(180_000);
  let app: TestApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  before(async () => {
    app = await startTestApp();
    browser = await launchBrowser();
  });
  after(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    await browser?.close();
    await app?.close();
  });

  async function session(): Promise<Page> {
    const context = await newSession(browser, app.baseUrl);
    contexts.push(context);
    return context.newPage();
  }

  async function clickAndWait(page: Page, name: string): Promise<void> {
    // A form post ends in a new document (redirected or re-rendered): wait for its load event.
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name, exact: true }).click()]);
  }

  it('registers with a PDF, drafts, sends back, approves, submits; staff and the status link see it submitted', async () => {
    const { db } = testDatabase();
    // In Næstved Kommune, which every test shares: the overview shows the newest finished ones after
    // the open ones, so the one submitted here is on it however many older ones the other tests left.
    const people = await makeCouncilWithPeople(db);
    const title = `Udkast til Integrationsstrategi 2026–2029 (${unique()})`;

    // The login page, checked before anyone logs in.
    const secretary = await session();
    await secretary.goto('/login');
    await checkPage(secretary, 'login');
    // The first Tab reaches the skip link, which moves focus to the main content.
    await secretary.keyboard.press('Tab');
    expect(await secretary.evaluate(() => document.activeElement?.textContent)).to.equal('Gå til indhold');
    await secretary.keyboard.press('Enter');
    expect(await secretary.evaluate(() => document.activeElement?.id)).to.equal('indhold');
    await logInWithKeyboard(secretary, people.secretary.email, people.secretary.password);
    expect(await secretary.getByRole('heading', { level: 1 }).textContent()).to.equal('Høringer');
    await checkPage(secretary, 'queue');

    // Register, with a council (which assigns it) and a PDF.
    await secretary.getByRole('link', { name: 'Registrér høring' }).click();
    await secretary.waitForURL('**/consultations/new');
    await checkPage(secretary, 'register');
    await secretary.getByLabel('Titel').fill(title);
    await secretary.getByLabel('Høringsmyndighed').fill('Beskæftigelses- og Uddannelsesudvalget, Næstved Kommune');
    await secretary.getByLabel('Deres reference (sagsnummer)').fill('25-012345');
    await secretary.getByLabel('Myndighedens e-mail').fill('bu@naestved.dk');
    await secretary.getByLabel('Høringsfrist (dato)').fill(`${NEXT_YEAR}-03-12`);
    await secretary.getByLabel('Klokkeslæt').fill('12:00');
    await secretary.getByLabel('Råd').selectOption({ label: people.council.name });
    await secretary.getByLabel('Resumé').fill('Strategien for sprog, beskæftigelse og fællesskab de næste fire år.');
    await secretary.getByLabel('Link til høringen').fill('https://www.naestved.dk/hoeringer/integrationsstrategi');
    await secretary
      .getByLabel('Høringsmateriale')
      .setInputFiles({ name: 'Integrationsstrategi – høringsudkast.pdf', mimeType: 'application/pdf', buffer: tinyPdf() });

    // A mistake first: the error stands beside the field and the typed values stay.
    await secretary.getByLabel('Myndighedens e-mail').fill('ikke en adresse');
    await clickAndWait(secretary, 'Registrér høring');
    expect(await secretary.locator('#authorityEmail-fejl').textContent()).to.include('Ugyldig e-mailadresse');
    expect(await secretary.getByLabel('Titel').inputValue()).to.equal(title);
    expect(await secretary.locator('#documents-hjaelp').textContent()).to.include('Vælg filerne igen');
    await checkPage(secretary, 'register-with-errors');
    await secretary.getByLabel('Myndighedens e-mail').fill('bu@naestved.dk');
    await secretary
      .getByLabel('Høringsmateriale')
      .setInputFiles({ name: 'Integrationsstrategi – høringsudkast.pdf', mimeType: 'application/pdf', buffer: tinyPdf() });
    await clickAndWait(secretary, 'Registrér høring');
    expect(await secretary.getByRole('status').first().textContent()).to.include('Høringen er registreret');
    const statusUrl = await secretary.getByLabel('Link', { exact: true }).inputValue();
    expect(statusUrl).to.match(/\/status\/[A-Za-z0-9_-]{43}$/);
    expect(await secretary.locator('.documents').textContent()).to.include('Integrationsstrategi – høringsudkast.pdf');
    expect(await secretary.locator('.deadline-banner').textContent()).to.match(
      new RegExp(`12\\. marts ${NEXT_YEAR}, kl\\. 12\\.00 – \\d+ dage tilbage`),
    );
    await checkPage(secretary, 'consultation-assigned');
    const consultationUrl = secretary.url().split('?')[0]!;

    // The document downloads with its name.
    const [download] = await Promise.all([
      secretary.waitForEvent('download'),
      secretary.getByRole('link', { name: 'Integrationsstrategi – høringsudkast.pdf' }).click(),
    ]);
    expect(download.suggestedFilename()).to.equal('Integrationsstrategi – høringsudkast.pdf');

    // Draft and send for approval.
    await clickAndWait(secretary, 'Påbegynd udkast');
    await secretary.getByLabel('Udkast (Markdown)').fill('Integrationsrådet **støtter** strategien.\n\nRådet ønsker mere fokus på sprog.');
    await clickAndWait(secretary, 'Gem udkast');
    expect(await secretary.locator('.letter-preview strong').textContent()).to.equal('støtter');
    await checkPage(secretary, 'consultation-drafting');
    await clickAndWait(secretary, 'Send til godkendelse');
    expect(await secretary.locator('.facts-list .state').textContent()).to.equal('Afventer godkendelse');

    // The chair sends it back with a comment.
    const chair = await session();
    await logInWithKeyboard(chair, people.chair.email, people.chair.password);
    expect(await chair.locator('.approval-box').textContent()).to.include(title);
    await chair.getByRole('link', { name: title }).first().click();
    await chair.waitForURL(consultationUrl);
    await checkPage(chair, 'consultation-awaiting-approval-chair');
    await chair.getByLabel('Kommentar til sekretæren').fill('Nævn også tolkebistand og de frivillige foreninger, tak.');
    await clickAndWait(chair, 'Send tilbage med kommentarer');
    expect(await chair.locator('.facts-list .state').textContent()).to.equal('Under udarbejdelse');

    // The secretary sees the comment at the top, edits and resends; the diff shows the change.
    await secretary.goto(consultationUrl);
    const note = secretary.getByRole('note');
    expect(await note.textContent())
      .to.include('Formandens kommentarer')
      .and.include('Nævn også tolkebistand og de frivillige foreninger, tak.');
    await checkPage(secretary, 'consultation-changes-requested');
    await secretary
      .getByLabel('Udkast (Markdown)')
      .fill('Integrationsrådet **støtter** strategien.\n\nRådet ønsker mere fokus på sprog og gratis tolkebistand.');
    await clickAndWait(secretary, 'Gem udkast');
    await secretary.getByLabel('Fra version').selectOption('1');
    await secretary.getByLabel('Til version').selectOption('2');
    await clickAndWait(secretary, 'Vis forskelle');
    expect(await secretary.locator('.diff ins').first().textContent()).to.include('gratis tolkebistand');
    await checkPage(secretary, 'consultation-diff');
    await clickAndWait(secretary, 'Send til godkendelse');

    // The chair approves.
    await chair.goto(consultationUrl);
    await chair.getByLabel('Formandsbeslutning').check();
    await clickAndWait(chair, 'Godkend');
    expect(await chair.locator('.facts-list .state').textContent(), await chair.locator('main').innerText()).to.equal('Godkendt');
    await checkPage(chair, 'consultation-approved');

    // The secretary records how, when and to whom it was submitted.
    await secretary.goto(consultationUrl);
    await secretary.getByLabel('Sendt via').selectOption('email');
    await secretary.getByLabel('Modtager').fill('bu@naestved.dk');
    await secretary.getByLabel('Dato', { exact: true }).fill(`${NEXT_YEAR - 1}-12-01`);
    await clickAndWait(secretary, 'Registrér indsendelse');
    expect(await secretary.locator('.facts-list .state').textContent()).to.equal('Indsendt');
    expect(await secretary.locator('.facts-list').textContent()).to.include('via e-mail til bu@naestved.dk');
    await checkPage(secretary, 'consultation-submitted');

    // Municipal staff see it as submitted, with no buttons.
    const staff = await session();
    await logInWithKeyboard(staff, people.staff.email, people.staff.password);
    await staff.getByRole('link', { name: 'Overblik' }).click();
    await staff.waitForURL('**/overview');
    const row = staff.locator('tr', { hasText: title });
    expect(await row.locator('.state').textContent()).to.equal('Indsendt');
    expect(await staff.locator('main button').count()).to.equal(0);
    await checkPage(staff, 'staff-overview');

    // The status link works without logging in and tells nothing of the draft.
    const anonymous = await session();
    const response = await anonymous.goto(statusUrl);
    expect(response?.status()).to.equal(200);
    expect(await anonymous.getByRole('heading', { level: 1 }).textContent()).to.equal(title);
    expect(await anonymous.locator('.state').textContent()).to.equal('Indsendt');
    expect(await anonymous.content()).to.not.include('tolkebistand');
    await checkPage(anonymous, 'status-page');

    // An unknown page is a Danish 404 that passes the same checks.
    const missing = await anonymous.goto('/status/ukendt-men-langt-nok-token-0123456789');
    expect(missing?.status()).to.equal(404);
    await checkPage(anonymous, 'not-found');
    await screenshot(secretary, 'consultation-submitted-secretary');
  });

  it('lets a member comment on a draft in the browser, and the secretary sees it', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const { makeConsultationInState } = await import('../support/factories.ts');
    const c = await makeConsultationInState(app.deps, people, 'drafted');
    const member = await session();
    await logInWithKeyboard(member, people.member.email, people.member.password);
    await member.goto(`/consultations/${c.id}`);
    await member.getByLabel(/Din kommentar til udkastet/).fill('Godt udkast – men nævn sprogcentret i første afsnit.');
    await clickAndWait(member, 'Send kommentar');
    expect(await member.locator('.comments').textContent()).to.include('nævn sprogcentret i første afsnit');
    await checkPage(member, 'consultation-member-comment');
  });

  it('registers without a council, assigns it from the page, and shows staff the page read-only', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const title = `Forslag til lov om ændring af integrationsloven (${unique()})`;
    const secretary = await session();
    await logInWithKeyboard(secretary, people.secretary.email, people.secretary.password);
    await secretary.goto('/consultations/new');
    await secretary.getByLabel('Titel').fill(title);
    await secretary.getByLabel('Høringsmyndighed').fill('Udlændinge- og Integrationsministeriet');
    await secretary.getByLabel('Høringsfrist (dato)').fill(`${NEXT_YEAR}-01-15`);
    await secretary.getByLabel('Råd').selectOption({ label: 'Fordel senere' });
    await clickAndWait(secretary, 'Registrér høring');
    expect(await secretary.locator('.facts-list .state').textContent()).to.equal('Modtaget');
    await checkPage(secretary, 'consultation-received');
    await secretary.getByLabel('Råd (kortnavn)').selectOption({ label: people.council.name });
    await clickAndWait(secretary, 'Fordel til råd');
    expect(await secretary.locator('.facts-list .state').textContent()).to.equal('Fordelt');

    const staff = await session();
    await logInWithKeyboard(staff, people.staff.email, people.staff.password);
    await staff.goto(secretary.url().split('?')[0]!);
    expect(await staff.locator('main').textContent()).to.include('Du kan læse høringen som forvaltning');
    expect(await staff.locator('main button').count()).to.equal(0);
    await checkPage(staff, 'consultation-staff-read-only');
  });
});
