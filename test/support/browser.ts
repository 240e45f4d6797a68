import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { nextCode, rememberSecret, secretOnPage } from './second-factor.ts';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestApp, type TestApp } from './app.ts';

const require = createRequire(import.meta.url);
const axePath = require.resolve('axe-core/axe.min.js');
export const ARTIFACTS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'artifacts');

/**
 * Debian's full Chromium (not the headless shell the app prints with), headless, as root in a
 * container: the pages are tested in the browser people use. TEST_BROWSER_PATH points elsewhere.
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.TEST_BROWSER_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--lang=da-DK',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ],
  });
}

/**
 * A fresh browser session (its own cookies). The app's CSP forbids injected scripts, so the
 * context bypasses CSP for the axe script the tests inject; the app itself ships no script.
 */
export function newSession(browser: Browser, baseURL: string, extraHTTPHeaders?: Record<string, string>): Promise<BrowserContext> {
  return browser.newContext({
    baseURL,
    bypassCSP: true,
    locale: 'da-DK',
    timezoneId: 'Europe/Copenhagen',
    viewport: { width: 1280, height: 900 },
    ...(extraHTTPHeaders ? { extraHTTPHeaders } : {}),
  });
}

/** Logs in through the login form using only the keyboard (labels, Tab and Enter). */
export async function logInWithKeyboard(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('E-mail').focus();
  await page.keyboard.type(email);
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => document.activeElement?.id)).to.equal('password');
  await page.keyboard.type(password);
  await Promise.all([page.waitForURL((url) => url.pathname !== '/login'), page.keyboard.press('Enter')]);
  // An administrator passes the second factor: the code on the second step, or the first time its set-up.
  if (new URL(page.url()).pathname === '/login/second-factor') {
    await page.getByLabel('Kode').fill(await nextCode(email));
    await Promise.all([page.waitForURL((url) => !url.pathname.startsWith('/login')), page.getByRole('button', { name: 'Log ind' }).click()]);
  }
  if (new URL(page.url()).pathname === '/profile/second-factor') {
    const secret = secretOnPage(await page.content());
    if (secret) {
      rememberSecret(email, secret);
      await page.getByLabel('Koden fra appen').fill(await nextCode(email));
      await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST'),
        page.getByRole('button', { name: 'Slå totrinsbekræftelse til' }).click(),
      ]);
      await page.waitForLoadState('load');
    }
  }
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/** Runs axe-core (WCAG 2.1 A and AA) on the page and fails with the violations listed. */
export async function expectNoAxeViolations(page: Page, what: string): Promise<void> {
  await page.addScriptTag({ path: axePath });
  const violations = (await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: unknown[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations;
  })) as AxeViolation[];
  const summary = violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => `${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`).join('\n    ')}`,
  );
  expect(summary, `axe violations on ${what}:\n${summary.join('\n')}`).to.deep.equal([]);
}

/** Saves a full-page screenshot to test/artifacts/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS_DIR, `${name}.png`), fullPage: true });
}

/** Every form control on the page has an accessible label (a <label>, aria-label or aria-labelledby). */
export async function expectEveryFieldLabelled(page: Page, what: string): Promise<void> {
  const unlabelled = await page.evaluate(() =>
    Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))
      .filter((el) => {
        const e = el as HTMLInputElement;
        return !(e.labels && e.labels.length > 0) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby');
      })
      .map((el) => el.outerHTML.slice(0, 120)),
  );
  expect(unlabelled, `unlabelled fields on ${what}`).to.deep.equal([]);
}

/** The checks every page type gets: axe, labels and a screenshot. */
export async function checkPage(page: Page, name: string): Promise<void> {
  await expectEveryFieldLabelled(page, name);
  await expectNoAxeViolations(page, name);
  await screenshot(page, name);
}

/** A running app and a browser for the enclosing suite; `page` opens a tab in a fresh session. */
export interface BrowserSuite {
  app: TestApp;
  /** `headers` go with every request of the session (e.g. an X-Forwarded-For of its own). */
  page(viewport?: { width: number; height: number }, headers?: Record<string, string>): Promise<Page>;
}

/** Starts the app (with `appOptions`) and Chromium before the suite's tests and closes both (and every session) after them. */
export function useBrowserSuite(appOptions: Parameters<typeof startTestApp>[0] = {}): BrowserSuite {
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const suite = {
    page: async (viewport?: { width: number; height: number }, headers?: Record<string, string>) => {
      const context = await newSession(browser!, suite.app.baseUrl, headers);
      contexts.push(context);
      const tab = await context.newPage();
      if (viewport) await tab.setViewportSize(viewport);
      return tab;
    },
  } as BrowserSuite;
  before(async () => {
    suite.app = await startTestApp(appOptions);
    browser = await launchBrowser();
  });
  after(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    await browser?.close();
    await suite.app?.close();
  });
  return suite;
}
