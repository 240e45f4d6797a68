import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { expectEveryFieldLabelled, expectNoAxeViolations, logInWithKeyboard, screenshot, useBrowserSuite } from '../support/browser.ts';
import { testDatabase } from '../support/db.ts';
import { PAGE_TOUR, buildTourWorld, openInBrowser, tourRoles, type TourRole, type TourWorld } from '../support/page-tour.ts';
import { ownAddress } from '../support/web-session.ts';
import { attachTestSamlProvider } from '../support/saml-idp.ts';

/** The widths every page is checked at: a desktop and a phone fully, the narrowest phone for fit. */
const VIEWPORTS = [
  { width: 1280, height: 900, full: true },
  { width: 390, height: 844, full: true },
  { width: 320, height: 640, full: false },
];

/** Below this width a control must be at least a thumb's size (WCAG 2.5.5's 44 × 44 CSS px). */
const THUMB_WIDTH = 640;
const THUMB_PX = 44;

/** How far the page reaches past the right edge of the viewport; 0 when nothing widens it. */
function overflow(tab: Page): Promise<number> {
  return tab.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

/** The elements sticking out past the viewport's right edge, to say what widened a page. */
function widest(tab: Page): Promise<string[]> {
  return tab.evaluate(() =>
    Array.from(document.body.querySelectorAll('*'))
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className} (${Math.round(el.getBoundingClientRect().right)} px)`),
  );
}

/**
 * Buttons, fields, summaries and links standing on their own (the whole text of their line, list
 * item or cell) smaller than a thumb in either direction. Links inside a sentence are exempt, as in WCAG 2.5.5.
 */
function tooSmallForAThumb(tab: Page): Promise<string[]> {
  return tab.evaluate((min) => {
    const controls = Array.from(
      document.querySelectorAll('button, summary, input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select, textarea, a'),
    ).filter((el) => el.tagName !== 'A' || el.classList.contains('button') || el.parentElement?.textContent?.trim() === el.textContent?.trim());
    return controls
      .filter((el) => {
        const box = el.getBoundingClientRect();
        // Hidden elements (the password manager's user name, the skip link) take no space on screen.
        const onScreen = box.width > 0 && box.right > 0;
        return onScreen && (box.height < min - 0.5 || box.width < min - 0.5);
      })
      .slice(0, 8)
      .map((el) => {
        const box = el.getBoundingClientRect();
        return `${el.outerHTML.slice(0, 80)} (${Math.round(box.width)}×${Math.round(box.height)})`;
      });
  }, THUMB_PX);
}

describe('browser: every page type at 1280, 390 and 320 px', function () {
  this.timeout(300_000);
  // Each role's session comes from an address of its own, so the password-reset throttle counts only this suite.
  const suite = useBrowserSuite({ env: { TRUST_PROXY: 'loopback' } });
  let world: TourWorld;
  const tabs = new Map<TourRole, Page>();

  before(async () => {
    // Both municipal logins set up, so the login page has its buttons and /admin/sso its SAML details.
    attachTestSamlProvider(suite.app.deps, testDatabase().db);
    world = await buildTourWorld(testDatabase().db);
    for (const { role, login } of tourRoles(world)) {
      const tab = await suite.page(undefined, { 'x-forwarded-for': ownAddress() });
      if (login) await logInWithKeyboard(tab, login.email, login.password);
      tabs.set(role, tab);
    }
  });

  for (const stop of PAGE_TOUR) {
    it(`${stop.name}: no axe violation, nothing wider than the screen, thumb-sized controls on a phone`, async () => {
      const tab = tabs.get(stop.role)!;
      for (const { width, height, full } of VIEWPORTS) {
        await tab.setViewportSize({ width, height });
        await openInBrowser(tab, stop, world);
        const what = `${stop.name} at ${width} px`;
        // The header's menu is a <details> that only a phone folds; the checks below see it open.
        const menu = tab.locator('.site-menu > summary');
        if ((await menu.count()) > 0) {
          const folded = width < THUMB_WIDTH;
          expect(await menu.isVisible(), `${what}: the menu folds only on a phone`).to.equal(folded);
          if (folded) await menu.click();
          expect(await tab.getByRole('button', { name: 'Log ud' }).isVisible(), `${what}: Log ud within reach`).to.equal(true);
        }
        expect(await overflow(tab), `${what} scrolls sideways: ${(await widest(tab)).join(', ')}`).to.be.at.most(0);
        if (width < THUMB_WIDTH) expect(await tooSmallForAThumb(tab), `${what}: controls under ${THUMB_PX} px`).to.deep.equal([]);
        if (!full) continue;
        await expectEveryFieldLabelled(tab, what);
        await expectNoAxeViolations(tab, what);
        await screenshot(tab, `${stop.name}-${width}`);
      }
    });
  }
});
