import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { checkPage, logInWithKeyboard, useBrowserSuite } from '../support/browser.ts';
import { testDatabase } from '../support/db.ts';
import { deadlineInDays, makeConsultation, makeCouncil, makeUser } from '../support/factories.ts';
import { workflowDeps } from '../support/fakes.ts';

const PHONE = { width: 390, height: 844 };

/** How far the page reaches past the right edge of the viewport; 0 when nothing widens it. */
function overflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

describe('browser: the pages everyone uses fit a phone', function () {
  this.timeout(180_000);
  const suite = useBrowserSuite();

  it('the header, the queue with its filters and table, the profile and the overview stay within 390 px, accessible', async () => {
    const { db } = testDatabase();
    // Long names, as real councils and people have them: they once pushed the header and the filter past the edge.
    const council = await makeCouncil(db, 'Integrationsrådet i Vordingborg Kommune og Lolland-Falster Samarbejdet');
    const secretary = await makeUser(db, { council, role: 'secretary', name: 'Mette Kjærgaard-Østergaard Hussein' });
    const staff = await makeUser(db, { council, role: 'staff', name: 'Søren Østergaard Andersen' });
    for (const days of [3, 9, 20]) {
      await makeConsultation(workflowDeps(db), secretary.actor, {
        council: council.slug,
        title: `Forslag til Beskæftigelsesplan og Handleplan for forebyggelse ${days}`,
        deadline: deadlineInDays(days),
      });
    }

    const tab = await suite.page(PHONE);
    await logInWithKeyboard(tab, secretary.email, secretary.password);
    for (const path of ['/', '/?q=Forslag', '/profile']) {
      await tab.goto(path);
      expect(await overflow(tab), `${path} at 390 px`).to.be.at.most(0);
      await checkPage(tab, `phone${path.replace(/[^a-z]+/gi, '-')}`);
      // The wide table scrolls in its own region, which a keyboard can reach.
      if (path !== '/profile') expect(await tab.getByRole('region', { name: /Høringer/ }).getAttribute('tabindex')).to.equal('0');
    }

    const staffTab = await suite.page(PHONE);
    await logInWithKeyboard(staffTab, staff.email, staff.password);
    await staffTab.goto('/overview');
    expect(await overflow(staffTab), '/overview at 390 px').to.be.at.most(0);
    await checkPage(staffTab, 'phone-overview');
  });
});
