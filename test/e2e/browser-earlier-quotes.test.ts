import { expect } from 'chai';
import { saveDraft, sendEvent } from '../../src/domain/consultations/service.ts';
import { checkPage, logInWithKeyboard, useBrowserSuite } from '../support/browser.ts';
import { testDatabase } from '../support/db.ts';
import { deadlineInDays, makeConsultation, makeConsultationInState, makeCouncilWithPeople, unique } from '../support/factories.ts';

const FIRST = 'Rådet bakker op om strategien.';
const SECOND = 'Rådet savner et sprogcenter\nmed åbent hus om aftenen.';

describe('browser: "Indsæt som citat" puts an earlier paragraph into the draft as a Markdown quotation', function () {
  this.timeout(180_000);
  const suite = useBrowserSuite();

  /** A council with one submitted response of two paragraphs and a consultation being drafted to the same authority. */
  async function setUp() {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const authority = `Social- og Sundhedsudvalget ${unique()}`;
    const sec = people.secretary.actor;
    let old = await makeConsultation(suite.app.deps, sec, {
      council: people.council.slug,
      deadline: deadlineInDays(30),
      title: 'Integrationsstrategi 2022',
      authority,
    });
    old = await sendEvent(suite.app.deps, sec, old.id, { type: 'START_DRAFTING', version: old.version });
    old = await saveDraft(suite.app.deps, sec, old.id, { body: `${FIRST}\n\n${SECOND}`, version: old.version });
    old = await sendEvent(suite.app.deps, sec, old.id, { type: 'SUBMIT_FOR_APPROVAL', version: old.version });
    old = await sendEvent(suite.app.deps, people.chair.actor, old.id, { type: 'APPROVE', version: old.version, basis: 'chair_decision' });
    old = await sendEvent(suite.app.deps, sec, old.id, { type: 'SUBMIT', version: old.version, channel: 'email', recipient: 'udvalg@naestved.dk' });
    const drafting = await makeConsultationInState(suite.app.deps, people, 'drafting', { title: 'Integrationsstrategi 2026', authority });
    const c = await saveDraft(suite.app.deps, sec, drafting.id, { body: 'Indledning.', version: drafting.version });
    return { people, old, c };
  }

  it('inserts the paragraph at the cursor with the keyboard, each line quoted, and the page passes axe on a phone', async () => {
    const { people, old, c } = await setUp();
    const tab = await suite.page({ width: 320, height: 800 });
    await logInWithKeyboard(tab, people.secretary.email, people.secretary.password);
    await tab.goto(`/consultations/${c.id}`);
    const section = tab.locator('#tidligere-svar');
    expect(await section.locator('h3').textContent()).to.equal('Tidligere høringssvar');
    expect(await section.locator(`a[href="/consultations/${old.id}/response.pdf"]`).count()).to.equal(1);
    await checkPage(tab, 'tidligere-hoeringssvar-320');

    // The cursor after the draft's text; then the second paragraph's button, pressed with the keyboard.
    const textarea = tab.locator('textarea#body');
    await textarea.focus();
    await tab.keyboard.press('End');
    const buttons = section.getByRole('button', { name: 'Indsæt som citat' });
    expect(await buttons.count()).to.equal(2);
    await buttons.nth(1).focus();
    await tab.keyboard.press('Enter');
    expect(await textarea.inputValue()).to.equal('Indledning.\n\n> Rådet savner et sprogcenter\n> med åbent hus om aftenen.\n');
    // The focus is back in the draft, to go on writing.
    expect(await tab.evaluate(() => document.activeElement?.id)).to.equal('body');
    expect(await section.locator('[data-quote-status]').textContent()).to.equal('Afsnittet er indsat i udkastet som citat.');

    // Clicked too: the first paragraph goes in where the cursor is now, as a block of its own.
    await buttons.nth(0).click();
    expect(await textarea.inputValue()).to.equal(
      'Indledning.\n\n> Rådet savner et sprogcenter\n> med åbent hus om aftenen.\n\n> Rådet bakker op om strategien.\n',
    );
    // The quotation is saved as the draft like anything typed.
    await tab.getByRole('button', { name: 'Gem udkast' }).click();
    await tab.waitForURL(/ok=1/);
    expect(await tab.locator('.letter-preview blockquote').count()).to.equal(2);
  });

  it('without JavaScript shows the paragraphs as text to select, and no button', async () => {
    const { people, c } = await setUp();
    const tab = await suite.page();
    await tab.context().route('**/static/js/**', (route) => route.abort());
    await logInWithKeyboard(tab, people.secretary.email, people.secretary.password);
    await tab.goto(`/consultations/${c.id}`);
    const texts = await tab.locator('#tidligere-svar .earlier-text').allTextContents();
    expect(texts).to.deep.equal([FIRST, SECOND]);
    expect(await tab.getByRole('button', { name: 'Indsæt som citat' }).count()).to.equal(0);
  });
});
