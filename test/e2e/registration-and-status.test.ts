import { expect } from 'chai';
import { createCouncil } from '../../src/domain/councils/service.ts';
import { useTestApp, type TestApp } from '../support/app.ts';
import { testDatabase } from '../support/db.ts';
import { tinyPdf } from '../support/documents.ts';
import { apiTokenFor, makeConsultationInState, makeCouncilWithPeople, makeUser, unique } from '../support/factories.ts';
import { WebSession } from '../support/web-session.ts';

const NEXT_YEAR = new Date().getUTCFullYear() + 1;

function registrationForm(
  csrf: string | null,
  fields: Record<string, string>,
  files: { name: string; bytes: Buffer; type?: string }[] = [],
): FormData {
  const form = new FormData();
  if (csrf !== null) form.append('_csrf', csrf);
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  for (const file of files) form.append('documents', new Blob([new Uint8Array(file.bytes)], { type: file.type ?? 'application/pdf' }), file.name);
  return form;
}

const VALID = {
  title: 'Forslag til lov om ændring af integrationsloven',
  authority: 'Udlændinge- og Integrationsministeriet',
  authorityReference: '2026-4711',
  authorityEmail: 'uim@uim.dk',
  deadlineDate: `${NEXT_YEAR}-03-12`,
  deadlineTime: '12:00',
  summary: 'Ændringer i introduktionsprogrammet.',
  sourceUrl: 'https://hoeringsportalen.dk/Hearing/Details/70000',
};

async function loggedIn(app: TestApp, user: { email: string; password: string }): Promise<WebSession> {
  const web = new WebSession(app.baseUrl);
  await web.logIn(user.email, user.password);
  return web;
}

describe('registering a consultation, documents, comments and status links (web)', () => {
  const app = useTestApp();

  it('registers with a PDF, stores it in the database and serves it only to those who may see the consultation', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const outsiders = await makeCouncilWithPeople(db);
    const secretary = await loggedIn(app, people.secretary);
    const page = await secretary.get('/consultations/new');
    expect(page.status).to.equal(200);
    expect(page.text).to.include('Registrér høring').and.include(people.council.name);
    const pdf = tinyPdf();
    const posted = await secretary.request('/consultations/new', {
      method: 'POST',
      body: registrationForm(WebSession.csrfToken(page.text), { ...VALID, council: people.council.slug }, [
        { name: 'Høringsbrev æøå.pdf', bytes: pdf },
      ]),
    });
    expect(posted.status, posted.text.slice(0, 500)).to.equal(303);
    const location = posted.headers.get('location')!;
    expect(location).to.match(/^\/consultations\/[0-9a-f-]{36}\?registered=1$/);
    const consultationPath = location.split('?')[0]!;
    const shown = await secretary.get(location);
    expect(shown.text).to.include('Høringen er registreret').and.include('Høringsbrev æøå.pdf').and.include('/status/');
    expect(shown.text).to.include(`12. marts ${NEXT_YEAR}, kl. 12.00`).and.include('Fordelt');
    const docPath = /href="(\/consultations\/[^"]+\/documents\/\d+)"/.exec(shown.text)![1]!;

    const download = await fetch(app.baseUrl + docPath, { headers: { cookie: (secretary as unknown as { cookieHeader(): string }).cookieHeader() } });
    expect(download.status).to.equal(200);
    expect(download.headers.get('content-type')).to.equal('application/pdf');
    expect(download.headers.get('content-disposition'))
      .to.include('attachment')
      .and.include("filename*=UTF-8''H%C3%B8ringsbrev%20%C3%A6%C3%B8%C3%A5.pdf");
    expect(Buffer.from(await download.arrayBuffer()).equals(pdf)).to.equal(true);

    const member = await loggedIn(app, people.member);
    expect((await member.get(docPath)).status).to.equal(200);
    const outsider = await loggedIn(app, outsiders.secretary);
    expect((await outsider.get(docPath)).status).to.equal(404);
    expect((await outsider.get(consultationPath)).status).to.equal(404);
    expect((await secretary.get(`${consultationPath}/documents/999999`)).status).to.equal(404);
  });

  it('refuses a file by its content, not its name, and keeps every typed value with Danish messages beside the fields', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const secretary = await loggedIn(app, people.secretary);
    const page = await secretary.get('/consultations/new');
    const posted = await secretary.request('/consultations/new', {
      method: 'POST',
      body: registrationForm(
        WebSession.csrfToken(page.text),
        { ...VALID, authority: '', authorityEmail: 'ikke-en-adresse', title: 'Høring om <script>alert(1)</script> ældrepleje' },
        [{ name: 'forklædt.pdf', bytes: Buffer.from('Dette er bare tekst, ikke en PDF.\n'.repeat(20)) }],
      ),
    });
    expect(posted.status).to.equal(422);
    expect(posted.text).to.include('forklædt.pdf er ikke en PDF-, DOCX- eller ODT-fil');
    expect(posted.text).to.include('Ugyldig e-mailadresse').and.include('id="authority-fejl"');
    expect(posted.text).to.include('Vælg filerne igen');
    expect(posted.text).to.include('value="Høring om &lt;script&gt;alert(1)&lt;/script&gt; ældrepleje"').and.not.include('<script>alert(1)');
    expect(posted.text).to.include('value="ikke-en-adresse"').and.include(`value="${NEXT_YEAR}-03-12"`);
    const queue = await secretary.get('/?state=all');
    expect(queue.text).to.not.include('ældrepleje');
  });

  it('enforces the CSRF token on the multipart form', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const secretary = await loggedIn(app, people.secretary);
    await secretary.get('/consultations/new');
    const title = `CSRF-prøve ${unique()}`;
    const missing = await secretary.request('/consultations/new', {
      method: 'POST',
      body: registrationForm(null, { ...VALID, title }, [{ name: 'a.pdf', bytes: tinyPdf() }]),
    });
    expect(missing.status).to.equal(403);
    const wrong = await secretary.request('/consultations/new', { method: 'POST', body: registrationForm('forkert-token', { ...VALID, title }) });
    expect(wrong.status).to.equal(403);
    expect((await secretary.get('/?state=all')).text).to.not.include(title);
  });

  it('answers a document over 25 MB with a message beside the field, keeping the typed values', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const secretary = await loggedIn(app, people.secretary);
    const page = await secretary.get('/consultations/new');
    const title = `For stor fil ${unique()}`;
    const huge = Buffer.concat([tinyPdf(), Buffer.alloc(25 * 1024 * 1024)]);
    const posted = await secretary.request('/consultations/new', {
      method: 'POST',
      body: registrationForm(WebSession.csrfToken(page.text), { ...VALID, title }, [{ name: 'kæmpe.pdf', bytes: huge }]),
    });
    expect(posted.status).to.equal(413);
    expect(posted.text).to.include('Et dokument er større end 25 MB').and.include(`value="${title}"`);
    expect((await secretary.get('/?state=all')).text).to.not.include(title);
  });

  it('hides the registration page from members and staff (404) and offers the link only to secretaries', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const member = await loggedIn(app, people.member);
    expect((await member.get('/consultations/new')).status).to.equal(404);
    expect((await member.get('/')).text).to.not.include('href="/consultations/new"');
    const secretary = await loggedIn(app, people.secretary);
    expect((await secretary.get('/')).text).to.include('href="/consultations/new"');
  });

  it('lets members comment on a draft (CSRF-checked), refuses staff with 403, and shows a diff between versions', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const c = await makeConsultationInState(app.deps, people, 'drafted');
    const path = `/consultations/${c.id}`;
    const secretary = await loggedIn(app, people.secretary);
    let page = (await secretary.get(path)).text;
    const version = /name="version" value="(\d+)"/.exec(page)![1]!;
    await secretary.postForm(`${path}/draft`, {
      _csrf: WebSession.csrfToken(page),
      version,
      body: 'Integrationsrådet bakker stærkt op om strategien, men savner sprogcentret.',
    });

    const member = await loggedIn(app, people.member);
    page = (await member.get(path)).text;
    expect(page).to.include('Din kommentar til udkastet (version 2)');
    expect((await member.postForm(`${path}/comments`, { body: 'Husk tolkene.' })).status).to.equal(403);
    const empty = await member.postForm(`${path}/comments`, { _csrf: WebSession.csrfToken(page), body: '  ' });
    expect(empty.status).to.equal(303);
    const refused = await member.follow(empty);
    expect(refused).to.include({ path, hash: '#formular-comment' });
    expect(refused.text).to.match(/<textarea id="comment-body"[^>]* aria-invalid="true" aria-describedby="comment-body-fejl">/);
    expect(refused.text).to.include('id="comment-body-fejl">Skriv en kommentar');
    const ok = await member.postForm(`${path}/comments`, { _csrf: WebSession.csrfToken(page), body: 'Husk tolkene – og <b>børnene</b>.' });
    expect(ok.status).to.equal(303);
    page = (await secretary.get(path)).text;
    expect(page).to.include('Husk tolkene – og &lt;b&gt;børnene&lt;/b&gt;.').and.include('Birgitte Sørensen');

    const staff = await loggedIn(app, people.staff);
    const staffPage = (await staff.get(path)).text;
    expect(staffPage).to.not.include('id="comment-body"').and.not.include('Handlinger').and.not.include('/status/');
    expect((await staff.postForm(`${path}/comments`, { _csrf: WebSession.csrfToken(staffPage), body: 'Fra forvaltningen' })).status).to.equal(403);

    const diff = (await secretary.get(`${path}?from=1&to=2`)).text;
    expect(diff).to.include('Forskelle fra version 1 til version 2');
    expect(diff).to.match(/<ins><span class="visually-hidden">\[tilføjet: <\/span>\s*stærkt\s*<span class="visually-hidden">\]<\/span><\/ins>/);
  });

  it('gives a public status page behind an unguessable link, which renewing kills; strangers get 404', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const c = await makeConsultationInState(app.deps, people, 'drafted');
    const path = `/consultations/${c.id}`;
    const secretary = await loggedIn(app, people.secretary);
    const page = (await secretary.get(path)).text;
    const oldUrl = /value="(http:\/\/[^"]+\/status\/[^"]+)"/.exec(page)![1]!;
    const anonymous = await fetch(oldUrl);
    const text = await anonymous.text();
    expect(anonymous.status).to.equal(200);
    expect(text).to.include(c.title).and.include('Under udarbejdelse').and.include(c.authority);
    expect(text).to.not.include('savner sprogcentret');

    const member = await loggedIn(app, people.member);
    const memberPage = (await member.get(path)).text;
    expect(memberPage).to.not.include('/status/');
    expect((await member.postForm(`${path}/status-link`, { _csrf: WebSession.csrfToken(memberPage) })).status).to.equal(403);

    const renewed = await secretary.postForm(`${path}/status-link`, { _csrf: WebSession.csrfToken(page) });
    expect(renewed.status).to.equal(200);
    const newUrl = /value="(http:\/\/[^"]+\/status\/[^"]+)"/.exec(renewed.text)![1]!;
    expect(newUrl).to.not.equal(oldUrl);
    expect((await fetch(oldUrl)).status).to.equal(404);
    expect((await fetch(newUrl)).status).to.equal(200);
    expect((await fetch(`${app.baseUrl}/status/${'A'.repeat(43)}`)).status).to.equal(404);
  });

  it('shows municipal staff a read-only overview of their municipality’s councils, and no one else’s', async () => {
    const { db } = testDatabase();
    const municipality = `Vordingborg Kommune ${unique()}`;
    const id = unique();
    const own = await createCouncil(db, {
      slug: `vord-${id}`,
      name: `Integrationsrådet i Vordingborg ${id}`,
      municipality,
      referencePrefix: `V${id.slice(0, 4).toUpperCase()}`,
    });
    const neighbour = await createCouncil(db, {
      slug: `vaeld-${id}`,
      name: `Ældrerådet i Vordingborg ${id}`,
      municipality,
      referencePrefix: `W${id.slice(0, 4).toUpperCase()}`,
    });
    const elsewhere = await makeCouncilWithPeople(db);
    const staff = await makeUser(db, { council: own, role: 'staff', name: 'Søren Østergaard' });
    const ownSecretary = await makeUser(db, { council: own, role: 'secretary' });
    const ownChair = await makeUser(db, { council: own, role: 'chair' });
    const neighbourSecretary = await makeUser(db, { council: neighbour, role: 'secretary' });
    const neighbourChair = await makeUser(db, { council: neighbour, role: 'chair' });
    await makeConsultationInState(app.deps, { council: own, secretary: ownSecretary, chair: ownChair }, 'submitted', { title: `Egen høring ${id}` });
    await makeConsultationInState(app.deps, { council: neighbour, secretary: neighbourSecretary, chair: neighbourChair }, 'drafted', {
      title: `Nabohøring ${id}`,
    });
    await makeConsultationInState(app.deps, elsewhere, 'assigned', { title: `Fremmed høring ${id}` });

    const web = await loggedIn(app, staff);
    expect((await web.get('/')).text).to.include('href="/overview"');
    const overview = await web.get('/overview');
    expect(overview.status).to.equal(200);
    expect(overview.text).to.include(`Egen høring ${id}`).and.include('Indsendt').and.include(`Nabohøring ${id}`).and.include('Under udarbejdelse');
    // Open ones first, the finished after them.
    expect(overview.text.indexOf(`Nabohøring ${id}`)).to.be.lessThan(overview.text.indexOf(`Egen høring ${id}`));
    expect(overview.text)
      .to.not.include(`Fremmed høring ${id}`)
      .and.not.match(/<button[^>]*class="button/)
      .and.not.include('method="post" action="/consultations');
    const member = await loggedIn(app, elsewhere.member);
    expect((await member.get('/overview')).status).to.equal(404);
  });

  it('puts the status URL in the API JSON of one consultation for the secretary and chair only, and it opens the status page', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const c = await makeConsultationInState(app.deps, people, 'assigned');
    const get = async (email: string) => {
      const response = await fetch(`${app.baseUrl}/api/v1/consultations/${c.id}`, {
        headers: { authorization: `Bearer ${await apiTokenFor(db, email)}` },
      });
      return (await response.json()) as { statusUrl?: string };
    };
    const secretary = await get(people.secretary.email);
    const chair = await get(people.chair.email);
    expect(secretary.statusUrl).to.match(/\/status\/[A-Za-z0-9_-]{43}$/);
    expect(chair.statusUrl).to.equal(secretary.statusUrl);
    expect(await get(people.member.email)).to.not.have.property('statusUrl');
    expect(await get(people.staff.email)).to.not.have.property('statusUrl');
    const page = await fetch(secretary.statusUrl!);
    expect(page.status).to.equal(200);
    expect(await page.text()).to.include('Fordelt');
  });
});
