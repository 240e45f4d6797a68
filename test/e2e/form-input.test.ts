import { expect } from 'chai';
import { MAX_DRAFT_CHARS } from '../../src/domain/consultations/schemas.ts';
import { useTestApp, type TestApp } from '../support/app.ts';
import { testDatabase } from '../support/db.ts';
import { tinyPdf } from '../support/documents.ts';
import { apiTokenFor, deadlineInDays, makeConsultationInState, makeCouncilWithPeople, type WorkflowStop } from '../support/factories.ts';
import { WebSession } from '../support/web-session.ts';

const NEXT_YEAR = new Date().getUTCFullYear() + 1;

/** Posts a urlencoded body given as pairs, so a field can be sent twice as only a hand-made request would. */
function postPairs(web: WebSession, path: string, pairs: [string, string][]) {
  return web.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(pairs).toString(),
  });
}

function versionOn(page: string): string {
  return /name="version" value="(\d+)"/.exec(page)![1]!;
}

/** The text inside the element with this id (a textarea), as Handlebars escaped it. */
function textareaContent(page: string, id: string): string | undefined {
  return new RegExp(`<textarea id="${id}"[^>]*>([^<]*)</textarea>`).exec(page)?.[1];
}

/** The value attribute of the input with this id. */
function inputValue(page: string, id: string): string | undefined {
  return new RegExp(`<input id="${id}"[^>]* value="([^"]*)"`).exec(page)?.[1];
}

/** A refused form of the consultation page: the 303 back to that page, followed as a browser does. */
async function back(web: WebSession, answer: { status: number; headers: Headers; text: string }) {
  expect(answer.status, answer.text.slice(0, 300)).to.equal(303);
  const page = await web.follow(answer);
  expect(page.path).to.match(/^\/consultations\/[0-9a-f-]{36}$/);
  return page;
}

async function loggedIn(app: TestApp, user: { email: string; password: string }): Promise<WebSession> {
  const web = new WebSession(app.baseUrl);
  await web.logIn(user.email, user.password);
  return web;
}

describe('bad input on the forms: never a 5xx, and nothing typed is lost', function () {
  this.timeout(120_000);
  const app = useTestApp();

  /** A consultation at `stop`, its page as its council's secretary sees it, and that page's CSRF token. */
  async function secretaryOnPage(stop: WorkflowStop) {
    const people = await makeCouncilWithPeople(testDatabase().db);
    const c = await makeConsultationInState(app.deps, people, stop);
    const path = `/consultations/${c.id}`;
    const secretary = await loggedIn(app, people.secretary);
    const page = (await secretary.get(path)).text;
    return { path, secretary, page, csrf: WebSession.csrfToken(page) };
  }

  it('answers an over-long e-mail or password, a NUL and a repeated e-mail with the login page again, the e-mail kept', async () => {
    const web = new WebSession(app.baseUrl);
    const csrf = WebSession.csrfToken((await web.get('/login')).text);
    const longEmail = `${'a'.repeat(290)}@example.dk`;
    const cases: { pairs: [string, string][]; message: string; kept?: string }[] = [
      {
        pairs: [
          ['email', longEmail],
          ['password', 'x'],
        ],
        message: 'E-mailadressen er for lang',
        kept: longEmail,
      },
      {
        pairs: [
          ['email', 'mette@example.dk'],
          ['password', 'p'.repeat(201)],
        ],
        message: 'Adgangskoden er for lang',
        kept: 'mette@example.dk',
      },
      {
        pairs: [
          ['email', 'mette\u0000@example.dk'],
          ['password', 'x'],
        ],
        message: 'ugyldigt tegn',
      },
      {
        pairs: [
          ['email', 'mette@example.dk'],
          ['email', 'ahmad@example.dk'],
          ['password', 'x'],
        ],
        message: 'sendt mere end én gang',
        kept: 'mette@example.dk',
      },
    ];
    for (const { pairs, message, kept } of cases) {
      const answer = await postPairs(web, '/login', [['_csrf', csrf], ...pairs, ['next', '/']]);
      expect(answer.status, message).to.equal(422);
      expect(answer.text, message).to.include('Log ind').and.include(message);
      if (kept) expect(inputValue(answer.text, 'email'), message).to.equal(kept);
    }
  });

  it('refuses a repeated draft body, a missing or 13-digit version and a 20,001-character comment on the page, the text kept', async () => {
    const { path, secretary, page, csrf } = await secretaryOnPage('drafted');

    const twice = await back(
      secretary,
      await postPairs(secretary, `${path}/draft`, [
        ['_csrf', csrf],
        ['version', versionOn(page)],
        ['body', 'Første tekst'],
        ['body', 'Anden tekst'],
      ]),
    );
    expect(textareaContent(twice.text, 'body')).to.equal('Første tekst');
    expect(twice.text).to.include('Feltet er sendt mere end én gang');

    const noVersion = await back(
      secretary,
      await postPairs(secretary, `${path}/draft`, [
        ['_csrf', csrf],
        ['body', 'Tekst uden version'],
      ]),
    );
    expect(textareaContent(noVersion.text, 'body')).to.equal('Tekst uden version');
    expect(noVersion.text).to.include('Formularen kom ikke rigtigt frem. Send den en gang til');

    const hugeVersion = await back(
      secretary,
      await postPairs(secretary, `${path}/draft`, [
        ['_csrf', csrf],
        ['version', '1234567890123'],
        ['body', 'Tekst med lang version'],
      ]),
    );
    expect(textareaContent(hugeVersion.text, 'body')).to.equal('Tekst med lang version');

    const comment = 'k'.repeat(20_001);
    const longComment = await back(
      secretary,
      await postPairs(secretary, `${path}/comments`, [
        ['_csrf', csrf],
        ['body', comment],
      ]),
    );
    expect(textareaContent(longComment.text, 'comment-body')).to.equal(comment);
    expect(longComment.text).to.match(/field-error" id="comment-body-fejl">Højst 5000 tegn/);
  });

  it('answers an event form without a type or with it twice with the page again, never a 5xx', async () => {
    const { path, secretary, page, csrf } = await secretaryOnPage('assigned');
    const missing = await back(
      secretary,
      await postPairs(secretary, `${path}/events`, [
        ['_csrf', csrf],
        ['version', versionOn(page)],
      ]),
    );
    expect(missing.text).to.include('Formularen kom ikke rigtigt frem');
    const twice = await back(
      secretary,
      await postPairs(secretary, `${path}/events`, [
        ['_csrf', csrf],
        ['version', versionOn(page)],
        ['type', 'START_DRAFTING'],
        ['type', 'WITHDRAW'],
      ]),
    );
    expect(twice.text).to.include('Formularen kom ikke rigtigt frem');
    // Nothing happened.
    expect((await secretary.get(path)).text).to.include('Påbegynd udkast');
  });

  it("keeps the chair's comment on a stale version, and a withdraw reason and an extension note on a refusal", async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const awaiting = await makeConsultationInState(app.deps, people, 'awaiting_approval');
    const chair = await loggedIn(app, people.chair);
    let page = (await chair.get(`/consultations/${awaiting.id}`)).text;
    const comment = 'Nævn også tolkebistand og sprogcentret, tak';
    const stale = await back(
      chair,
      await postPairs(chair, `/consultations/${awaiting.id}/events`, [
        ['_csrf', WebSession.csrfToken(page)],
        ['version', String(Number(versionOn(page)) - 1)],
        ['type', 'REQUEST_CHANGES'],
        ['comment', comment],
      ]),
    );
    expect(textareaContent(stale.text, 'comment')).to.equal(comment);
    expect(stale.text).to.include('Høringen er ændret af en anden, mens du skrev');

    const drafting = await makeConsultationInState(app.deps, people, 'drafting');
    const secretary = await loggedIn(app, people.secretary);
    const path = `/consultations/${drafting.id}`;
    page = (await secretary.get(path)).text;
    const reason = `Rådet har besluttet ikke at svare ${'fordi '.repeat(900)}`;
    const withdraw = await back(
      secretary,
      await postPairs(secretary, `${path}/events`, [
        ['_csrf', WebSession.csrfToken(page)],
        ['version', versionOn(page)],
        ['type', 'WITHDRAW'],
        ['reason', reason],
      ]),
    );
    expect(textareaContent(withdraw.text, 'withdraw-reason')).to.equal(reason);
    expect(withdraw.text).to.match(/id="withdraw-reason-fejl">Højst 5000 tegn/);

    const note = 'Forlænget efter aftale med Marie i forvaltningen';
    const extend = await back(
      secretary,
      await postPairs(secretary, `${path}/events`, [
        ['_csrf', WebSession.csrfToken(page)],
        ['version', versionOn(page)],
        ['type', 'EXTEND_DEADLINE'],
        ['deadline', `${NEXT_YEAR}-12-01T12:00+25:00`],
        ['note', note],
      ]),
    );
    expect(inputValue(extend.text, 'extension-note')).to.equal(note);
    expect(extend.text).to.include('Tidszonen skal ligge mellem -14:00 og +14:00');
  });

  it('shows what was typed as text to copy when the consultation moved on and its form is gone', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const awaiting = await makeConsultationInState(app.deps, people, 'awaiting_approval');
    const path = `/consultations/${awaiting.id}`;
    const chair = await loggedIn(app, people.chair);
    const page = (await chair.get(path)).text;
    // Meanwhile the chair approves in another window.
    const other = await loggedIn(app, people.chair);
    const otherPage = (await other.get(path)).text;
    await postPairs(other, `${path}/events`, [
      ['_csrf', WebSession.csrfToken(otherPage)],
      ['version', versionOn(otherPage)],
      ['type', 'APPROVE'],
      ['basis', 'chair_decision'],
    ]);
    const comment = 'Afsnittet om tolkebistand skal skrives om';
    const late = await back(
      chair,
      await postPairs(chair, `${path}/events`, [
        ['_csrf', WebSession.csrfToken(page)],
        ['version', versionOn(page)],
        ['type', 'REQUEST_CHANGES'],
        ['comment', comment],
      ]),
    );
    expect(late.text).not.to.include('value="REQUEST_CHANGES"');
    expect(late.text).to.include('formularen findes ikke længere her').and.include(`<pre class="draft-text typed-text">${comment}</pre>`);
  });

  it('refuses a meeting place over 1,000 characters beside the field and keeps it', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const secretary = await loggedIn(app, people.secretary);
    const path = `/councils/${people.council.slug}/meetings`;
    const page = (await secretary.get(path)).text;
    const place = 'Rådhuset, mødelokale 2 '.repeat(50);
    const answer = await secretary.postForm(path, { _csrf: WebSession.csrfToken(page), date: `${NEXT_YEAR}-02-03`, time: '17:00', place, note: '' });
    expect(answer.status).to.equal(422);
    expect(inputValue(answer.text, 'place')).to.equal(place);
    expect(answer.text).to.match(/id="place-fejl" class="field-error">Højst 200 tegn/);
  });

  it('answers a search for a NUL character with the queue, not a database error, and says so of an over-long search', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const secretary = await loggedIn(app, people.secretary);
    for (const query of ['q=%00', 'council=%00', 'state=a%00b', 'after=%00']) {
      const answer = await secretary.get(`/?${query}`);
      expect(answer.status, query).to.equal(200);
      expect(answer.text, query).to.include('Høringer');
    }
    const longSearch = 'integration '.repeat(20);
    const refused = await secretary.get(`/?q=${encodeURIComponent(longSearch)}`);
    expect(refused.status).to.equal(200);
    expect(inputValue(refused.text, 'q')).to.equal(longSearch);
    expect(refused.text).to.include('id="q-fejl">Søgningen er ikke brugt: højst 200 tegn');
  });

  it('saves a draft of 200,000 three-byte characters from the form, and answers a bigger body with a Danish 413 page', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const c = await makeConsultationInState(app.deps, people, 'drafting');
    const path = `/consultations/${c.id}`;
    const secretary = await loggedIn(app, people.secretary);
    const page = (await secretary.get(path)).text;
    const body = '€'.repeat(MAX_DRAFT_CHARS);
    const saved = await secretary.postForm(`${path}/draft`, { _csrf: WebSession.csrfToken(page), version: versionOn(page), body });
    expect(saved.status, saved.text.slice(0, 300)).to.equal(303);
    const after = (await secretary.get(path)).text;
    expect(textareaContent(after, 'body')).to.equal(body);

    const tooBig = await secretary.postForm(`${path}/draft`, {
      _csrf: WebSession.csrfToken(after),
      version: versionOn(after),
      body: `${body}${body}`,
    });
    expect(tooBig.status).to.equal(413);
    expect(tooBig.text).to.include('Formularen er for stor').and.include('Gå tilbage i browseren');
  });

  it('takes a draft of 200,000 characters through the API even when its JSON escapes every one as \\uXXXX', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const c = await makeConsultationInState(app.deps, people, 'drafting');
    const token = await apiTokenFor(db, people.secretary.email);
    const body = '€'.repeat(MAX_DRAFT_CHARS);
    const escapedJson = JSON.stringify({ version: c.version, body: 'BODY' }).replace('BODY', '\\u20ac'.repeat(MAX_DRAFT_CHARS));
    expect(escapedJson.length).to.be.above(1024 * 1024);
    const response = await fetch(`${app.baseUrl}/api/v1/consultations/${c.id}/draft`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: escapedJson,
    });
    expect(response.status).to.equal(200);
    expect(((await response.json()) as { draft: { body: string } }).draft.body).to.equal(body);
  });

  it('refuses an over-long summary, reference, link, e-mail or council beside its field, keeps every typed value, and names the chosen files', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const secretary = await loggedIn(app, people.secretary);
    const csrf = WebSession.csrfToken((await secretary.get('/consultations/new')).text);
    const fields = {
      title: 'Forslag til lov om ændring af integrationsloven',
      authority: 'Udlændinge- og Integrationsministeriet',
      authorityReference: 'R'.repeat(600),
      authorityEmail: `${'u'.repeat(600)}@uim.dk`,
      deadlineDate: `${NEXT_YEAR}-03-12`,
      deadlineTime: '12:00',
      summary: 'Resumé '.repeat(4000),
      sourceUrl: `https://hoeringsportalen.dk/${'x'.repeat(5000)}`,
      council: 'r'.repeat(120),
    };
    const form = new FormData();
    form.append('_csrf', csrf);
    for (const [key, value] of Object.entries(fields)) form.append(key, value);
    form.append('documents', new Blob([new Uint8Array(tinyPdf())], { type: 'application/pdf' }), 'faktura\u202Efdp.exe');
    const answer = await secretary.request('/consultations/new', { method: 'POST', body: form });
    expect(answer.status).to.equal(422);
    for (const field of ['authorityReference', 'authorityEmail', 'summary', 'sourceUrl', 'council']) {
      expect(answer.text, field).to.match(new RegExp(`id="${field}-fejl">[^<]+<`));
    }
    expect(inputValue(answer.text, 'authorityReference')).to.equal(fields.authorityReference);
    expect(inputValue(answer.text, 'authorityEmail')).to.equal(fields.authorityEmail);
    expect(inputValue(answer.text, 'sourceUrl')).to.equal(fields.sourceUrl);
    expect(textareaContent(answer.text, 'summary')).to.equal(fields.summary);
    expect(answer.text).to.include(`<option value="${fields.council}" selected>`);
    expect(answer.text).to.include('Du havde valgt: fakturafdp.exe').and.include('kun vedhæftede dokumenter skal vælges igen');
    expect(answer.text).not.to.include('\u202E');
  });

  it('stores an uploaded file name without bidirectional controls', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const secretary = await loggedIn(app, people.secretary);
    const csrf = WebSession.csrfToken((await secretary.get('/consultations/new')).text);
    const form = new FormData();
    form.append('_csrf', csrf);
    for (const [key, value] of Object.entries({ title: 'Høring om sprogcentre', authority: 'Næstved Kommune', deadlineDate: `${NEXT_YEAR}-03-12` }))
      form.append(key, value);
    form.append('documents', new Blob([new Uint8Array(tinyPdf())], { type: 'application/pdf' }), 'faktura\u202Efdp\u2066.pdf\u200F');
    const answer = await secretary.request('/consultations/new', { method: 'POST', body: form });
    expect(answer.status, answer.text.slice(0, 300)).to.equal(303);
    const shown = (await secretary.get(answer.headers.get('location')!)).text;
    expect(shown).to.include('>fakturafdp.pdf</a>');
    expect(shown).not.to.match(/[\u200e\u200f\u202a-\u202e\u2066-\u2069]/);
  });

  it('refuses API deadlines with impossible UTC offsets and a received date in the future', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const token = await apiTokenFor(db, people.secretary.email);
    const register = (fields: Record<string, unknown>) =>
      fetch(`${app.baseUrl}/api/v1/consultations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'Høring om ældreplejen', authority: 'Næstved Kommune', deadline: deadlineInDays(30), ...fields }),
      }).then(async (response) => ({
        status: response.status,
        body: (await response.json()) as { error?: { code: string; details: { path: string }[] } },
      }));
    for (const deadline of [`${NEXT_YEAR}-12-01T12:00+25:00`, `${NEXT_YEAR}-12-01T12:00-15:00`, `${NEXT_YEAR}-12-01T12:00+01:75`]) {
      const answer = await register({ deadline });
      expect(answer.status, deadline).to.equal(422);
      expect(
        answer.body.error!.details.map((d) => d.path),
        deadline,
      ).to.deep.equal(['deadline']);
    }
    expect((await register({ deadline: `${NEXT_YEAR}-12-01T12:00+14:00` })).status).to.equal(201);
    const future = await register({ receivedAt: '9999-12-31' });
    expect(future.status).to.equal(422);
    expect(future.body.error!.details.map((d) => d.path)).to.deep.equal(['receivedAt']);
    expect((await register({ receivedAt: '2026-01-05' })).status).to.equal(201);
  });
});
