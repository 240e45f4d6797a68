import { expect } from 'chai';
import { WebSession } from './web-session.ts';

/**
 * After the municipality's login came back: the person is signed in and sent to `path`, sees
 * their council, and "Log ud" ends the Rådssvar session. Returns where logout sent the browser
 * (the provider's logout), for the test of each protocol to check.
 */
export async function expectSignedInThenLoggedOut(
  web: WebSession,
  back: { status: number; headers: Headers; text: string },
  expected: { path: string; councilName: string },
): Promise<URL> {
  expect(back.status, back.text.slice(0, 500)).to.equal(303);
  expect(back.headers.get('location')).to.equal(expected.path);
  const queue = await web.get('/');
  expect(queue.status).to.equal(200);
  expect(queue.text).to.include(expected.councilName);
  const logout = await web.postForm('/logout', { _csrf: WebSession.csrfToken(queue.text) });
  expect(logout.status).to.equal(303);
  expect((await web.get('/')).status, 'the Rådssvar session is gone').to.equal(303);
  return new URL(logout.headers.get('location')!);
}
