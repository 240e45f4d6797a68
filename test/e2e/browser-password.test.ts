import { expect } from 'chai';
import { sha256Hex } from '../../src/domain/auth/digest.ts';
import { checkPage, logInWithKeyboard, useBrowserSuite } from '../support/browser.ts';
import { testDatabase } from '../support/db.ts';
import { makeUser, unique } from '../support/factories.ts';

describe('browser: the password pages', function () {
  this.timeout(120_000);
  const suite = useBrowserSuite();
  const page = (viewport?: { width: number; height: number }) => suite.page(viewport);

  it('changes the password on /profile through labelled fields', async () => {
    const { email, password } = await makeUser(testDatabase().db);
    const tab = await page();
    await logInWithKeyboard(tab, email, password);
    await tab.goto('/profile');
    await checkPage(tab, 'profile-password');
    const newPassword = `browser-${unique()}-adgangskode`;
    await tab.getByLabel('Nuværende adgangskode').fill(password);
    await tab.getByLabel('Ny adgangskode', { exact: true }).fill(newPassword);
    await tab.getByLabel('Gentag den nye adgangskode').fill(newPassword);
    await Promise.all([tab.waitForURL(/saved=password/), tab.getByRole('button', { name: 'Skift adgangskode' }).click()]);
    expect(await tab.getByRole('status').textContent()).to.include('Din adgangskode er skiftet');
  });

  it('shows the forgotten-password and reset pages on a phone, accessible', async () => {
    const phone = { width: 390, height: 844 };
    const forgot = await page(phone);
    await forgot.goto('/login');
    await Promise.all([forgot.waitForURL(/\/password\/forgot$/), forgot.getByRole('link', { name: 'Glemt adgangskode?' }).click()]);
    await checkPage(forgot, 'password-forgot');
    await forgot.getByLabel('E-mail').fill(`ukendt-${unique()}@example.dk`);
    await Promise.all([forgot.waitForEvent('load'), forgot.getByRole('button', { name: 'Send link' }).click()]);
    expect(await forgot.getByRole('status').textContent()).to.include('Hvis e-mailen hører til en bruger');
    await checkPage(forgot, 'password-forgot-sent');

    const { actor } = await makeUser(testDatabase().db);
    const token = `pw_${unique()}${unique()}`;
    await testDatabase()
      .db.insertInto('password_reset_tokens')
      .values({ token_hash: sha256Hex(token), user_id: actor.userId, expires_at: new Date(Date.now() + 3_600_000) })
      .execute();
    const reset = await page(phone);
    await reset.goto(`/password/reset/${token}`);
    await checkPage(reset, 'password-reset');
    const scrollsSideways = await reset.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    expect(scrollsSideways, 'fits a phone').to.equal(false);
  });
});
