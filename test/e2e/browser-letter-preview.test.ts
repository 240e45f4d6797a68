import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { saveDraft } from '../../src/domain/consultations/service.ts';
import { renderLetterHtml } from '../../src/domain/pdf/letter.ts';
import { logInWithKeyboard, useBrowserSuite } from '../support/browser.ts';
import { testDatabase } from '../support/db.ts';
import { makeConsultationInState, makeCouncilWithPeople } from '../support/factories.ts';

const LONG_WORD =
  'integrationsbeskæftigelsesuddannelsesvejledningsindsatshandleplansundervisningstilbudsforløbskommunestrategiøkonomiældreboligsocialsammenhængskraft';
const DRAFT = [
  '# Indledning',
  `Rådet **støtter** forslaget og bemærker ${LONG_WORD} i afsnit 3.`,
  '## Detaljer',
  '- Sprogundervisning for børn og forældre',
  '| Punkt | Bemærkning |\n|---|---|\n| 3.2 | Rådet ønsker at blive inddraget løbende |',
].join('\n\n');

/** The computed typography of the first element matching each selector inside `root`. */
function typography(page: Page, root: string): Promise<Record<string, string[]>> {
  return page.evaluate((rootSelector) => {
    const container = document.querySelector(rootSelector)!;
    const result: Record<string, string[]> = {};
    for (const selector of ['p', 'h2', 'h3', 'li', 'th', 'td', 'strong']) {
      const style = getComputedStyle(container.querySelector(selector)!);
      result[selector] = [style.fontFamily, style.fontSize, style.lineHeight, style.fontWeight, style.overflowWrap];
    }
    return result;
  }, root);
}

describe('browser: the draft preview looks like the letter', function () {
  this.timeout(180_000);
  const suite = useBrowserSuite();

  it('has the letter’s font, sizes and Markdown rules: DejaVu Sans, no h1 of its own, long words wrapped', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const drafting = await makeConsultationInState(suite.app.deps, people, 'drafting');
    const c = await saveDraft(suite.app.deps, people.secretary.actor, drafting.id, { body: DRAFT, version: drafting.version });

    const tab = await suite.page();
    await logInWithKeyboard(tab, people.secretary.email, people.secretary.password);
    await tab.goto(`/consultations/${c.id}`);
    const preview = tab.locator('.letter-preview');
    // The page's own h1 is the consultation's title; the draft's "#" is a section below it, as in the letter.
    expect(await preview.locator('h1').count()).to.equal(0);
    expect(await preview.locator('h2').textContent()).to.equal('Indledning');
    expect(await preview.locator('h3').textContent()).to.equal('Detaljer');
    // The long word breaks inside the preview instead of running out of it.
    expect(await preview.evaluate((element) => element.scrollWidth - element.clientWidth)).to.be.at.most(0);
    const onPage = await typography(tab, '.letter-preview');

    // The letter's own HTML, as the PDF renderer gets it, in the same browser.
    const letterTab = await suite.page();
    await letterTab.setContent(
      renderLetterHtml({
        council: { name: people.council.name, address: 'Rådmandshaven 20\n4700 Næstved', contact: 'raad@naestved.dk' },
        authority: 'Næstved Kommune',
        title: c.title,
        authorityReference: null,
        reference: null,
        date: new Date(),
        bodyMarkdown: DRAFT,
        signer: null,
        draft: true,
      }),
    );
    const inLetter = await typography(letterTab, 'main.body');

    expect(onPage.p![0]).to.match(/^"DejaVu Sans"/);
    expect(onPage).to.deep.equal(inLetter);
  });
});
