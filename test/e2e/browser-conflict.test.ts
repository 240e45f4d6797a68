import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/app.ts';
import { checkPage, launchBrowser, logInWithKeyboard, newSession } from '../support/browser.ts';
import { testDatabase } from '../support/db.ts';
import { makeConsultationInState, makeCouncilWithPeople } from '../support/factories.ts';

describe('browser: two sessions editing one draft', function () {
  this.timeout(120_000);
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

  async function session(email: string, password: string): Promise<Page> {
    const context = await newSession(browser, app.baseUrl);
    contexts.push(context);
    const page = await context.newPage();
    await logInWithKeyboard(page, email, password);
    return page;
  }

  async function save(page: Page): Promise<void> {
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Gem udkast', exact: true }).click()]);
  }

  it('shows the second saver a conflict with their text kept and the newer text beside it; nothing is lost', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const c = await makeConsultationInState(app.deps, people, 'drafted');
    const path = `/consultations/${c.id}`;
    const first = await session(people.secretary.email, people.secretary.password);
    const second = await session(people.secretary.email, people.secretary.password);
    await first.goto(path);
    await second.goto(path);

    const firstText = 'Første fane: Rådet støtter strategien og ønsker et styrket sprogcenter.';
    const secondText = 'Anden fane: Rådet ønsker gratis tolkebistand – denne tekst må ikke gå tabt!';
    await first.getByLabel('Udkast (Markdown)').fill(firstText);
    await save(first);
    expect(await first.locator('.letter-preview').textContent()).to.include('styrket sprogcenter');

    await second.getByLabel('Udkast (Markdown)').fill(secondText);
    await save(second);
    const alerts = (await second.getByRole('alert').allTextContents()).join(' ');
    expect(alerts).to.include('Høringen er ændret af en anden').and.include('En anden har gemt en nyere version');
    expect(await second.getByLabel('Udkast (Markdown)').inputValue()).to.equal(secondText);
    expect(await second.locator('.conflict').textContent()).to.include(firstText);
    await checkPage(second, 'consultation-conflict');

    // The re-rendered form carries the current version, so saving again keeps the second text.
    await save(second);
    expect(await second.locator('.letter-preview').textContent()).to.include('gratis tolkebistand');
    const versions = await second.locator('.versions li').allTextContents();
    expect(versions).to.have.length(3);
    await second.getByLabel('Fra version').selectOption('2');
    await second.getByLabel('Til version').selectOption('3');
    await Promise.all([second.waitForEvent('load'), second.getByRole('button', { name: 'Vis forskelle' }).click()]);
    expect(await second.locator('.diff del').allTextContents()).to.satisfy((parts: string[]) => parts.join(' ').includes('sprogcenter'));
  });
});
