import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { checkPage, logInWithKeyboard, useBrowserSuite } from '../support/browser.ts';
import { testDatabase } from '../support/db.ts';
import { makeConsultationInState, makeCouncilWithPeople } from '../support/factories.ts';

/** A field as assistive technology reads it: invalid or not, the texts that describe it, its value. */
function fieldState(page: Page, id: string) {
  return page.evaluate((fieldId) => {
    const field = document.getElementById(fieldId) as HTMLInputElement | HTMLTextAreaElement | null;
    if (!field) return null;
    const describedBy = (field.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
    return {
      invalid: field.getAttribute('aria-invalid'),
      descriptions: describedBy.map((describer) => document.getElementById(describer)?.textContent?.trim() ?? null),
      value: field.value,
    };
  }, id);
}

/** The refused form's summary: an alert with a heading, linking to each field to correct. */
async function summaryOf(page: Page, formId: string) {
  const summary = page.locator(`#${formId} [role="alert"]`);
  return {
    heading: await summary.getByRole('heading').textContent(),
    links: await summary.getByRole('link').evaluateAll((links) => links.map((a) => a.getAttribute('href'))),
  };
}

async function clickAndWait(page: Page, name: string): Promise<void> {
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name, exact: true }).click()]);
}

describe('browser: a refused form on the consultation page says what is wrong, where, and keeps what was typed', function () {
  this.timeout(180_000);
  const suite = useBrowserSuite();

  it('an empty send-back and a submission by e-mail without an address: back on the page, the field marked and described, axe clean', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const awaiting = await makeConsultationInState(suite.app.deps, people, 'awaiting_approval');
    const chair = await suite.page();
    await logInWithKeyboard(chair, people.chair.email, people.chair.password);
    await chair.goto(`/consultations/${awaiting.id}`);
    await chair.getByLabel('Kommentar til sekretæren').fill('  ');
    await clickAndWait(chair, 'Send tilbage med kommentarer');
    const url = new URL(chair.url());
    expect(url.pathname + url.hash).to.equal(`/consultations/${awaiting.id}#formular-request-changes`);
    expect(await summaryOf(chair, 'formular-request-changes')).to.deep.equal({ heading: 'Handlingen er ikke gennemført', links: ['#comment'] });
    expect(await fieldState(chair, 'comment')).to.deep.equal({ invalid: 'true', descriptions: ['Skriv en kommentar til sekretæren'], value: '  ' });
    await checkPage(chair, 'consultation-refused-request-changes');

    const approved = await makeConsultationInState(suite.app.deps, people, 'approved');
    const secretary = await suite.page();
    await logInWithKeyboard(secretary, people.secretary.email, people.secretary.password);
    await secretary.goto(`/consultations/${approved.id}`);
    await secretary.getByLabel('Sendt via').selectOption('email');
    await secretary.getByLabel('Modtager').fill('Beskæftigelsesudvalget');
    await clickAndWait(secretary, 'Registrér indsendelse');
    expect(new URL(secretary.url()).pathname).to.equal(`/consultations/${approved.id}`);
    expect(await summaryOf(secretary, 'formular-submit')).to.deep.equal({ heading: 'Handlingen er ikke gennemført', links: ['#recipient'] });
    const recipient = await fieldState(secretary, 'recipient');
    expect(recipient).to.include({ invalid: 'true', value: 'Beskæftigelsesudvalget' });
    expect(recipient!.descriptions[0]).to.match(/^Skriv modtagerens e-mailadresse/);
    expect(await secretary.getByLabel('Sendt via').inputValue()).to.equal('email');
    await checkPage(secretary, 'consultation-refused-submit');

    // The link in the summary leads to the field.
    await secretary.locator('#formular-submit [role="alert"]').getByRole('link').click();
    expect(new URL(secretary.url()).hash).to.equal('#recipient');
    // The page after the refusal is a plain GET: loading it again shows no refusal.
    await secretary.reload();
    expect(await secretary.locator('.error-summary').count()).to.equal(0);
  });
});
