import { expect } from 'chai';
import { useTestApp } from '../support/app.ts';
import { apiTokenFor, makeConsultation, makeCouncilWithPeople, makeUser } from '../support/factories.ts';
import { WebSession } from '../support/web-session.ts';

// 28 March 2027 is the last Sunday of March: Danish clocks go from 02.00 straight to 03.00.
const SKIPPED_DATE = '2027-03-28';
const SKIPPED_TIME = '02:30';
const MESSAGE =
  'Klokken 02.30 findes ikke den 28. marts 2027: uret stilles frem fra 02.00 til 03.00, når sommertiden begynder. ' +
  'Vælg et klokkeslæt før 02.00 eller fra 03.00.';

/** The message shown for field `id`, and whether the field points at it (aria-invalid, aria-describedby). */
function fieldRefusal(html: string, inputId: string, messageId: string) {
  const input = new RegExp(`<(?:input|select|textarea)[^>]*\\bid="${inputId}"[^>]*>`).exec(html)?.[0] ?? '';
  const describedBy = /aria-describedby="([^"]*)"/.exec(input)?.[1]?.split(/\s+/) ?? [];
  return {
    message: new RegExp(`id="${messageId}"[^>]*>([^<]+)<`).exec(html)?.[1]?.trim(),
    invalid: /aria-invalid="true"/.test(input),
    describedByMessage: describedBy.includes(messageId),
  };
}

describe('a Danish local time the clocks skip (spring forward) is refused, never moved', () => {
  const app = useTestApp();

  async function signedIn(user: { email: string; password: string }) {
    const web = new WebSession(app.baseUrl);
    await web.logIn(user.email, user.password);
    return web;
  }

  async function api(token: string, method: string, path: string, body: unknown) {
    const response = await fetch(`${app.baseUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as { error?: { code: string; details: unknown[] }; deadline?: string } };
  }

  it('in the API: a deadline or an extension at 02.30 that night is 422 with detail code NONEXISTENT_LOCAL_TIME; 02.30 in the autumn is its first pass', async () => {
    const people = await makeCouncilWithPeople(app.deps.db);
    const token = await apiTokenFor(app.deps.db, people.secretary.email);
    const fields = { title: 'Høring om sommertid', authority: 'Kommunen', council: people.council.slug };
    const refused = await api(token, 'POST', '/consultations', { ...fields, deadline: `${SKIPPED_DATE}T${SKIPPED_TIME}` });
    expect(refused.status, JSON.stringify(refused.body)).to.equal(422);
    expect(refused.body.error!.code).to.equal('VALIDATION_FAILED');
    expect(refused.body.error!.details).to.deep.equal([{ path: 'deadline', code: 'NONEXISTENT_LOCAL_TIME', message: MESSAGE }]);
    // The same instant with an explicit offset is no local reading, and is taken as it stands.
    const withOffset = await api(token, 'POST', '/consultations', { ...fields, deadline: `${SKIPPED_DATE}T${SKIPPED_TIME}+01:00` });
    expect(withOffset.status).to.equal(201);
    expect(withOffset.body.deadline).to.equal('2027-03-28T03:30:00.000+02:00');

    const autumn = await api(token, 'POST', '/consultations', { ...fields, deadline: '2027-10-31T02:30' });
    expect(autumn.status).to.equal(201);
    expect(autumn.body.deadline, 'the first 02.30, in summer time').to.equal('2027-10-31T02:30:00.000+02:00');

    const c = await makeConsultation(app.deps, people.secretary.actor, { council: people.council.slug, deadline: '2027-03-01T12:00' });
    const extension = await api(token, 'POST', `/consultations/${c.id}/events`, {
      type: 'EXTEND_DEADLINE',
      version: c.version,
      deadline: `${SKIPPED_DATE}T${SKIPPED_TIME}`,
    });
    expect(extension.status).to.equal(422);
    expect(extension.body.error!.details).to.deep.equal([{ path: 'deadline', code: 'NONEXISTENT_LOCAL_TIME', message: MESSAGE }]);
  });

  it('on the registration form: the deadline field carries the message, and everything typed is kept', async () => {
    const people = await makeCouncilWithPeople(app.deps.db);
    const web = await signedIn(people.secretary);
    const page = await web.get('/consultations/new');
    const form = new FormData();
    const typed = {
      title: 'Høring om sommertid',
      authority: 'Kommunen',
      deadlineDate: SKIPPED_DATE,
      deadlineTime: SKIPPED_TIME,
      council: people.council.slug,
    };
    form.append('_csrf', WebSession.csrfToken(page.text));
    for (const [key, value] of Object.entries(typed)) form.append(key, value);
    const refused = await web.request('/consultations/new', { method: 'POST', body: form });
    expect(refused.status).to.equal(422);
    expect(fieldRefusal(refused.text, 'deadlineDate', 'deadline-fejl')).to.deep.equal({ message: MESSAGE, invalid: true, describedByMessage: true });
    expect(refused.text).to.include(`value="${SKIPPED_DATE}"`).and.include(`value="${SKIPPED_TIME}"`).and.include('value="Høring om sommertid"');
  });

  it("on the council's meeting page and the administration's meeting form: the time field carries the message", async () => {
    const people = await makeCouncilWithPeople(app.deps.db);
    const secretary = await signedIn(people.secretary);
    const path = `/councils/${people.council.slug}/meetings`;
    const page = await secretary.get(path);
    const refused = await secretary.postForm(path, {
      _csrf: WebSession.csrfToken(page.text),
      date: SKIPPED_DATE,
      time: SKIPPED_TIME,
      place: 'Rådhuset',
    });
    expect(refused.status).to.equal(422);
    expect(fieldRefusal(refused.text, 'time', 'time-fejl')).to.deep.equal({ message: MESSAGE, invalid: true, describedByMessage: true });
    expect(refused.text).to.include('value="Rådhuset"');

    const admin = await signedIn(await makeUser(app.deps.db, { admin: true }));
    const councilPage = await admin.get(`/admin/councils/${people.council.id}`);
    const byAdmin = await admin.postForm(`/admin/councils/${people.council.id}/meetings`, {
      _csrf: WebSession.csrfToken(councilPage.text),
      date: SKIPPED_DATE,
      time: '02.30',
      place: 'Biblioteket',
    });
    expect(byAdmin.status).to.equal(422);
    expect(fieldRefusal(byAdmin.text, 'meeting-time', 'meeting-time-fejl')).to.deep.equal({
      message: MESSAGE,
      invalid: true,
      describedByMessage: true,
    });
    const stored = await app.deps.db.selectFrom('meetings').select('id').where('council_id', '=', people.council.id).execute();
    expect(stored, 'no meeting was stored an hour off').to.deep.equal([]);
  });

  it('on the consultation page: the new deadline of EXTEND_DEADLINE carries the message', async () => {
    const people = await makeCouncilWithPeople(app.deps.db);
    const c = await makeConsultation(app.deps, people.secretary.actor, { council: people.council.slug, deadline: '2027-03-01T12:00' });
    const web = await signedIn(people.secretary);
    const page = await web.get(`/consultations/${c.id}`);
    let answer = await web.postForm(`/consultations/${c.id}/events`, {
      _csrf: WebSession.csrfToken(page.text),
      type: 'EXTEND_DEADLINE',
      version: String(c.version),
      deadline: `${SKIPPED_DATE}T${SKIPPED_TIME}`,
    });
    // Whether the page is shown at once or after a redirect back to the consultation.
    for (let hops = 0; answer.status === 303 && hops < 3; hops++) answer = await web.get(answer.headers.get('location')!);
    expect(answer.status).to.be.oneOf([200, 422]);
    expect(fieldRefusal(answer.text, 'new-deadline', 'new-deadline-fejl')).to.deep.equal({
      message: MESSAGE,
      invalid: true,
      describedByMessage: true,
    });
  });
});
