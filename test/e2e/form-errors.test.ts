import { expect } from 'chai';
import { useTestApp, type TestApp } from '../support/app.ts';
import { testDatabase } from '../support/db.ts';
import { apiTokenFor, makeConsultationInState, makeCouncilWithPeople, type WorkflowStop } from '../support/factories.ts';
import { WebSession } from '../support/web-session.ts';

/** The start tag of the element with this id. */
function startTag(page: string, id: string): string | undefined {
  return new RegExp(`<[a-z]+ [^>]*\\bid="${id}"[^>]*>`).exec(page)?.[0];
}

/**
 * A refused field as a screen reader meets it: the control marked invalid and described by an
 * element that exists and holds `message`, and the summary (role=alert, with a heading) linking to it.
 */
function expectFieldRefused(page: string, form: string, fieldId: string, message: string): void {
  const control = startTag(page, fieldId);
  expect(control, `control #${fieldId}`).to.be.a('string');
  expect(control).to.include('aria-invalid="true"');
  const describedBy = /aria-describedby="([^"]+)"/.exec(control!)?.[1]?.split(' ') ?? [];
  const messages = describedBy.map((id) => new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(page)?.[1]);
  expect(messages, `#${fieldId} described by ${describedBy.join(' ')}`).to.include(message);
  const summary = new RegExp(
    `<div class="error-summary" id="${form}-fejl" role="alert" aria-labelledby="${form}-fejl-titel">([\\s\\S]*?)</div>`,
  ).exec(page);
  expect(summary, `summary of #${form}`).to.not.equal(null);
  expect(summary![1]).to.match(new RegExp(`<h3 id="${form}-fejl-titel">`));
  expect(summary![1]).to.include(`<a href="#${fieldId}">`).and.include(message);
  // The summary sits in the form it is about.
  expect(page.indexOf(`id="${form}"`)).to.be.within(0, page.indexOf(`id="${form}-fejl"`));
}

function versionOn(page: string): string {
  return /name="version" value="(\d+)"/.exec(page)![1]!;
}

describe('refused forms on the consultation page: the errors at their fields, back on the page, nothing typed lost', function () {
  this.timeout(120_000);
  const app = useTestApp();

  async function onPage(stop: WorkflowStop, role: 'secretary' | 'chair', overrides: Record<string, unknown> = {}) {
    const people = await makeCouncilWithPeople(testDatabase().db);
    const c = await makeConsultationInState(app.deps, people, stop, overrides);
    const path = `/consultations/${c.id}`;
    const web = await loggedIn(app, people[role]);
    const page = (await web.get(path)).text;
    /** Posts one of the page's event forms and follows the redirect back, as a browser does. */
    const send = async (fields: Record<string, string>) => {
      const answer = await web.postForm(`${path}/events`, { _csrf: WebSession.csrfToken(page), version: versionOn(page), ...fields });
      expect(answer.status, answer.text.slice(0, 300)).to.equal(303);
      return web.follow(answer);
    };
    return { c, people, path, web, send };
  }

  it('an empty REQUEST_CHANGES: the comment field refused, the page is the consultation, what was typed kept', async () => {
    const { path, web, send } = await onPage('awaiting_approval', 'chair');
    const shown = await send({ type: 'REQUEST_CHANGES', comment: '   ' });
    expect(shown).to.include({ status: 200, path, hash: '#formular-request-changes' });
    expectFieldRefused(shown.text, 'formular-request-changes', 'comment', 'Skriv en kommentar til sekretæren');
    expect(shown.text).to.match(/<textarea id="comment"[^>]*> {3}<\/textarea>/);
    // Shown once: a reload is the plain page.
    const again = (await web.get(path)).text;
    expect(again).not.to.include('error-summary').and.not.include('aria-invalid');
  });

  it('EXTEND_DEADLINE empty and with an impossible date: the deadline refused, the note kept', async () => {
    const { path, send } = await onPage('drafting', 'secretary');
    const empty = await send({ type: 'EXTEND_DEADLINE', deadline: '', note: 'Efter aftale med forvaltningen' });
    expect(empty).to.include({ path, hash: '#formular-extend-deadline' });
    expectFieldRefused(empty.text, 'formular-extend-deadline', 'new-deadline', 'Fristen skal udfyldes');
    expect(startTag(empty.text, 'extension-note')).to.include('value="Efter aftale med forvaltningen"');

    const invalid = await send({ type: 'EXTEND_DEADLINE', deadline: '2027-02-30T12:00', note: 'Anden note' });
    // A date-time input cannot hold an impossible day (a browser drops it), so the message quotes it.
    expectFieldRefused(
      invalid.text,
      'formular-extend-deadline',
      'new-deadline',
      'Fristen skal være en dato (ÅÅÅÅ-MM-DD) eller et tidspunkt i ISO 8601 (du skrev „2027-02-30T12:00“)',
    );
    expect(startTag(invalid.text, 'new-deadline')).to.include('value=""');
    expect(startTag(invalid.text, 'extension-note')).to.include('value="Anden note"');
  });

  it('an empty WITHDRAW: the reason gets its own message, not only the general one', async () => {
    const { path, send } = await onPage('drafting', 'secretary');
    const shown = await send({ type: 'WITHDRAW', reason: '' });
    expect(shown).to.include({ path, hash: '#formular-withdraw' });
    expectFieldRefused(shown.text, 'formular-withdraw', 'withdraw-reason', 'Skriv en begrundelse');
  });

  it('SUBMIT by e-mail without an address: refused at the recipient field, nothing submitted; the API says RECIPIENT_ADDRESS_MISSING', async () => {
    const { c, people, path, send } = await onPage('approved', 'secretary');
    const shown = await send({ type: 'SUBMIT', channel: 'email', recipient: 'Beskæftigelsesudvalget', submittedAt: '' });
    expect(shown).to.include({ path, hash: '#formular-submit' });
    expectFieldRefused(
      shown.text,
      'formular-submit',
      'recipient',
      'Skriv modtagerens e-mailadresse: høringen har ingen e-mailadresse til myndigheden, så svaret kan ikke sendes som e-mail',
    );
    expect(startTag(shown.text, 'recipient')).to.include('value="Beskæftigelsesudvalget"');
    expect(shown.text).to.match(/<option value="email"[^>]*>E-mail/);
    expect(shown.text).to.include('Registrér indsendelse');

    const token = await apiTokenFor(testDatabase().db, people.secretary.email);
    const api = await fetch(`${app.baseUrl}/api/v1/consultations/${c.id}/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'SUBMIT', version: c.version, channel: 'email' }),
    });
    expect(api.status).to.equal(422);
    const body = (await api.json()) as { error: { code: string; details: { path: string }[] } };
    expect(body.error.code).to.equal('RECIPIENT_ADDRESS_MISSING');
    expect(body.error.details.map((d) => d.path)).to.deep.equal(['recipient']);
    const state = await testDatabase().db.selectFrom('consultations').select(['state', 'version']).where('id', '=', c.id).executeTakeFirstOrThrow();
    expect(state).to.deep.equal({ state: 'approved', version: c.version });
  });

  it('SUBMIT by e-mail is accepted with the authority e-mail on the consultation, with no address typed', async () => {
    const { c, path, web } = await onPage('approved', 'secretary', { authorityEmail: 'bu@naestved.dk' });
    const page = (await web.get(path)).text;
    const answer = await web.postForm(`${path}/events`, {
      _csrf: WebSession.csrfToken(page),
      version: versionOn(page),
      type: 'SUBMIT',
      channel: 'email',
      recipient: '',
    });
    expect(answer.status).to.equal(303);
    expect(answer.headers.get('location')).to.equal(`/consultations/${c.id}?ok=1`);
  });

  it('a stale draft save comes back to the page with the typed text and the conflict, and the draft form marked', async () => {
    const { path, web } = await onPage('drafted', 'secretary');
    const page = (await web.get(path)).text;
    const stale = await web.postForm(`${path}/draft`, {
      _csrf: WebSession.csrfToken(page),
      version: String(Number(versionOn(page)) - 1),
      body: 'Min tekst, som ikke må gå tabt',
    });
    expect(stale.status).to.equal(303);
    const shown = await web.follow(stale);
    expect(shown).to.include({ path, hash: '#formular-draft' });
    expect(shown.text).to.match(/<textarea id="body"[^>]*>Min tekst, som ikke må gå tabt<\/textarea>/);
    expect(shown.text).to.include('En anden har gemt en nyere version').and.include('id="formular-draft-fejl" role="alert"');
  });
});

async function loggedIn(app: TestApp, user: { email: string; password: string }): Promise<WebSession> {
  const web = new WebSession(app.baseUrl);
  await web.logIn(user.email, user.password);
  return web;
}
