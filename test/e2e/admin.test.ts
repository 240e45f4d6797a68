import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.ts';
import { testDatabase } from '../support/db.ts';
import { makeCouncilWithPeople, makeUser, unique } from '../support/factories.ts';
import { WebSession } from '../support/web-session.ts';

// A 1×1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

function multipart(fields: Record<string, string>, file?: { name: string; type: string; data: Buffer }): FormData {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  if (file) form.append('logo', new Blob([new Uint8Array(file.data)], { type: file.type }), file.name);
  return form;
}

/** The text of the field message beside an input (`<p class="field-error" id="<id>-fejl">`). */
function fieldError(html: string, id: string): string | undefined {
  return new RegExp(`id="${id}-fejl">([^<]+)<`).exec(html)?.[1];
}

describe('administration pages', () => {
  let app: TestApp;
  let admin: WebSession;
  before(async () => {
    app = await startTestApp();
    const { email, password } = await makeUser(testDatabase().db, { admin: true, name: 'Anne Administrator' });
    admin = new WebSession(app.baseUrl);
    expect((await admin.logIn(email, password)).status).to.equal(303);
  });
  after(() => app.close());

  async function csrf(session: WebSession, path = '/admin'): Promise<string> {
    return WebSession.csrfToken((await session.get(path)).text);
  }

  it('answers 404 to everyone but administrators, also for posts, and links admins to it', async () => {
    const { secretary, chair } = await makeCouncilWithPeople(testDatabase().db);
    const web = new WebSession(app.baseUrl);
    await web.logIn(secretary.email, secretary.password);
    const queue = await web.get('/');
    expect(queue.text).not.to.include('href="/admin"');
    for (const path of ['/admin', '/admin/councils', '/admin/users', '/admin/councils/new', `/admin/users/${chair.actor.userId}`]) {
      expect((await web.get(path)).status, path).to.equal(404);
    }
    const token = WebSession.csrfToken(queue.text);
    const post = await web.postForm('/admin/users', {
      _csrf: token,
      email: `x-${unique()}@example.dk`,
      name: 'Snyd',
      password: 'en-lang-adgangskode',
    });
    expect(post.status).to.equal(404);
    expect((await new WebSession(app.baseUrl).get('/admin/councils')).status).to.equal(404);
    expect((await admin.get('/')).text).to.include('<a href="/admin">Administration</a>');
  });

  it('refuses a POST without the CSRF token', async () => {
    const response = await admin.postForm('/admin/users', { email: `x-${unique()}@example.dk`, name: 'Uden token', password: 'en-lang-adgangskode' });
    expect(response.status).to.equal(403);
    const multipartPost = await admin.request('/admin/councils', { method: 'POST', body: multipart({ slug: `r-${unique()}`, name: 'Rådet' }) });
    expect(multipartPost.status).to.equal(403);
  });

  it('creates a council with a logo and settings, shows it, and edits it', async () => {
    const slug = `vordingborg-${unique()}`;
    const created = await admin.request('/admin/councils', {
      method: 'POST',
      body: multipart(
        {
          _csrf: await csrf(admin, '/admin/councils/new'),
          slug,
          name: 'Integrationsrådet i Vordingborg Kommune',
          municipality: 'Vordingborg Kommune',
          referencePrefix: 'vor',
          letterheadAddress: 'Valdemarsgade 43\n4760 Vordingborg',
          letterheadContact: 'integrationsraad@vordingborg.dk',
          letterheadEmail: ' Integrationsraad@Vordingborg.dk ',
          dueSoonWorkingDays: '7',
          reminderWorkingDays: '3, 10, 0',
        },
        { name: 'logo.png', type: 'image/png', data: PNG },
      ),
    });
    expect(created.status).to.equal(303);
    const location = created.headers.get('location')!;
    expect(location).to.match(/^\/admin\/councils\/\d+\?ok=oprettet$/);
    const page = await admin.get(location);
    expect(page.text).to.include('Rådet er oprettet.').and.include('Integrationsrådet i Vordingborg Kommune');
    expect(page.text).to.include('value="VOR"').and.include('value="10, 3, 0"').and.include('value="7"');
    expect(page.text, 'minutes not published by default').to.match(
      /id="minutesPublished" name="minutesPublished" type="checkbox" value="1" aria-describedby="minutesPublished-hint">/,
    );
    expect(page.text, 'the reply e-mail, lower-cased').to.include('value="integrationsraad@vordingborg.dk"');
    const id = /\/admin\/councils\/(\d+)/.exec(location)![1];
    const logo = await admin.get(`/admin/councils/${id}/logo`);
    expect(logo.status).to.equal(200);
    expect(logo.headers.get('content-type')).to.equal('image/png');

    const list = await admin.get('/admin/councils');
    expect(list.text).to.include(slug);

    const edited = await admin.request(`/admin/councils/${id}`, {
      method: 'POST',
      body: multipart({
        _csrf: WebSession.csrfToken(page.text),
        name: 'Integrationsrådet i Vordingborg',
        municipality: 'Vordingborg Kommune',
        referencePrefix: 'VORD',
        letterheadAddress: 'Valdemarsgade 43',
        letterheadContact: 'Tlf. 55 36 36 36',
        letterheadEmail: '',
        dueSoonWorkingDays: '5',
        reminderWorkingDays: '5',
        removeLogo: '1',
        minutesPublished: '1',
      }),
    });
    expect(edited.status).to.equal(303);
    expect(edited.headers.get('location')).to.equal(`/admin/councils/${id}?ok=gemt`);
    const after = await admin.get(edited.headers.get('location')!);
    expect(after.text).to.include('Ændringerne er gemt.').and.include('value="VORD"').and.include('Tlf. 55 36 36 36');
    expect(after.text).not.to.include(`/admin/councils/${id}/logo`);
    expect((await admin.get(`/admin/councils/${id}/logo`)).status).to.equal(404);
    const row = await testDatabase().db.selectFrom('councils').selectAll().where('id', '=', Number(id)).executeTakeFirstOrThrow();
    expect(row).to.include({
      name: 'Integrationsrådet i Vordingborg',
      reference_prefix: 'VORD',
      due_soon_working_days: 5,
      letterhead_logo: null,
      letterhead_email: null,
      minutes_published: true,
    });
    expect(row.reminder_working_days).to.deep.equal([5]);
    expect(after.text).to.match(/id="minutesPublished"[^>]* checked>/);
  });

  it('re-renders the council form with Danish messages beside the fields and the input kept', async () => {
    const response = await admin.request('/admin/councils', {
      method: 'POST',
      body: multipart(
        {
          _csrf: await csrf(admin, '/admin/councils/new'),
          slug: 'Næstved Råd',
          name: '',
          municipality: 'Næstved Kommune',
          referencePrefix: 'N',
          letterheadAddress: 'Rådmandshaven 20',
          letterheadEmail: 'integrationsrådet ved næstved',
          dueSoonWorkingDays: 'fem',
          reminderWorkingDays: '10, tre',
        },
        { name: 'logo.png', type: 'image/png', data: Buffer.from('dette er ikke et billede') },
      ),
    });
    expect(response.status).to.equal(422);
    expect(fieldError(response.text, 'slug')).to.match(/^Kortnavnet må kun have små bogstaver/);
    expect(fieldError(response.text, 'name')).to.equal('Skal udfyldes');
    expect(fieldError(response.text, 'referencePrefix')).to.match(/^Præfikset skal være/);
    expect(fieldError(response.text, 'dueSoonWorkingDays')).to.equal('Skriv et helt antal arbejdsdage');
    expect(fieldError(response.text, 'reminderWorkingDays')).to.match(/Skriv hele tal/);
    expect(fieldError(response.text, 'logo')).to.equal('Logoet skal være et PNG- eller JPEG-billede');
    expect(fieldError(response.text, 'letterheadEmail')).to.equal('Ugyldig e-mailadresse');
    expect(response.text).to.include('value="integrationsrådet ved næstved"');
    expect(response.text).to.include('value="Næstved Råd"').and.include('value="Næstved Kommune"').and.include('Rådmandshaven 20');
    expect(response.text).to.include('value="fem"').and.include('value="10, tre"');

    const { council } = await makeCouncilWithPeople(testDatabase().db);
    const taken = await admin.request('/admin/councils', {
      method: 'POST',
      body: multipart({
        _csrf: await csrf(admin, '/admin/councils/new'),
        slug: council.slug,
        name: 'Et andet råd',
        referencePrefix: 'AND',
        dueSoonWorkingDays: '5',
        reminderWorkingDays: '',
      }),
    });
    expect(taken.status).to.equal(409);
    expect(fieldError(taken.text, 'slug')).to.equal('Kortnavnet er allerede i brug');
  });

  it('refuses a logo over 1 MB', async () => {
    const big = Buffer.concat([PNG, Buffer.alloc(1024 * 1024)]);
    const { council } = await makeCouncilWithPeople(testDatabase().db);
    const response = await admin.request(`/admin/councils/${council.id}`, {
      method: 'POST',
      body: multipart(
        {
          _csrf: await csrf(admin),
          name: council.name,
          referencePrefix: council.referencePrefix,
          dueSoonWorkingDays: '5',
          reminderWorkingDays: '10, 3, 0',
        },
        { name: 'stort.png', type: 'image/png', data: big },
      ),
    });
    expect(response.status).to.equal(422);
    expect(fieldError(response.text, 'logo')).to.equal('Logoet må højst fylde 1 MB');
  });

  it('adds and deletes a meeting, and keeps the input of a wrong one', async () => {
    const { council } = await makeCouncilWithPeople(testDatabase().db);
    const page = await admin.get(`/admin/councils/${council.id}`);
    expect(page.text).to.include('Ingen kommende møder.');
    const year = new Date().getFullYear() + 1;
    const added = await admin.postForm(`/admin/councils/${council.id}/meetings`, {
      _csrf: WebSession.csrfToken(page.text),
      date: `${year}-03-12`,
      time: '17:00',
      place: 'Rådhuset, mødelokale 2',
    });
    expect(added.status).to.equal(303);
    const after = await admin.get(`/admin/councils/${council.id}`);
    expect(after.text).to.include(`12. marts ${year}, kl. 17.00`).and.include('Rådhuset, mødelokale 2');
    const meeting = await testDatabase().db.selectFrom('meetings').selectAll().where('council_id', '=', council.id).executeTakeFirstOrThrow();
    // 17:00 Danish winter time is 16:00 UTC.
    expect(meeting.starts_at.toISOString()).to.equal(`${year}-03-12T16:00:00.000Z`);

    const wrong = await admin.postForm(`/admin/councils/${council.id}/meetings`, {
      _csrf: WebSession.csrfToken(after.text),
      date: '12-03-2027',
      time: '25:00',
      place: 'Biblioteket',
    });
    expect(wrong.status).to.equal(422);
    expect(fieldError(wrong.text, 'meeting-date')).to.equal('Skriv datoen som åååå-mm-dd');
    expect(fieldError(wrong.text, 'meeting-time')).to.match(/^Skriv klokkeslættet/);
    expect(wrong.text).to.include('value="Biblioteket"').and.include('value="12-03-2027"');

    const deleted = await admin.postForm(`/admin/councils/${council.id}/meetings/${meeting.id}/delete`, { _csrf: WebSession.csrfToken(after.text) });
    expect(deleted.status).to.equal(303);
    expect((await admin.get(`/admin/councils/${council.id}`)).text).to.include('Ingen kommende møder.');
  });

  it('creates a person with a password, gives them a role with a title, removes it, and disables them', async () => {
    const { council } = await makeCouncilWithPeople(testDatabase().db);
    const email = `fatima-${unique()}@naestved.dk`;
    const bad = await admin.postForm('/admin/users', { _csrf: await csrf(admin), email, name: 'Fatima Øberg', password: 'kort' });
    expect(bad.status).to.equal(422);
    expect(fieldError(bad.text, 'password')).to.equal('Adgangskoden skal være mindst 10 tegn');
    expect(bad.text).to.include(`value="${email}"`).and.include('value="Fatima Øberg"').and.not.include('value="kort"');

    const created = await admin.postForm('/admin/users', { _csrf: await csrf(admin), email, name: 'Fatima Øberg', password: 'en-lang-adgangskode' });
    expect(created.status).to.equal(303);
    const userPath = created.headers.get('location')!.split('?')[0]!;
    const userId = Number(userPath.split('/').pop());

    const duplicate = await admin.postForm('/admin/users', { _csrf: await csrf(admin), email, name: 'Igen', password: 'en-lang-adgangskode' });
    expect(duplicate.status).to.equal(409);
    expect(fieldError(duplicate.text, 'email')).to.equal('E-mailen er allerede i brug');

    const noRole = await admin.postForm(`${userPath}/memberships`, {
      _csrf: await csrf(admin),
      councilId: String(council.id),
      role: '',
      title: 'næstformand',
    });
    expect(noRole.status).to.equal(422);
    expect(fieldError(noRole.text, 'role')).to.equal('Vælg en rolle');
    expect(noRole.text)
      .to.include('value="næstformand"')
      .and.match(new RegExp(`<option value="${council.id}" selected>`));

    const added = await admin.postForm(`${userPath}/memberships`, {
      _csrf: await csrf(admin),
      councilId: String(council.id),
      role: 'chair',
      title: 'næstformand',
    });
    expect(added.status).to.equal(303);
    const page = await admin.get(userPath);
    expect(page.text).to.include(council.name).and.include('Formand').and.include('næstformand');

    // The person can log in and sees the council's queue.
    const them = new WebSession(app.baseUrl);
    expect((await them.logIn(email, 'en-lang-adgangskode')).status).to.equal(303);
    expect((await them.get('/')).text).to.include(council.name);

    const removed = await admin.postForm(`${userPath}/memberships/${council.id}/delete`, { _csrf: WebSession.csrfToken(page.text) });
    expect(removed.status).to.equal(303);
    const memberships = await testDatabase().db.selectFrom('memberships').selectAll().where('user_id', '=', userId).execute();
    expect(memberships).to.have.length(0);

    const disabled = await admin.postForm(`${userPath}/disable`, { _csrf: await csrf(admin) });
    expect(disabled.status).to.equal(303);
    expect((await admin.get(userPath)).text).to.include('Deaktiveret');
    // Their open session ends with the next request.
    expect((await them.get('/')).headers.get('location')).to.match(/^\/login/);
    expect((await new WebSession(app.baseUrl).logIn(email, 'en-lang-adgangskode')).status).to.equal(401);
  });

  it('creates an API token that is shown once and works, lists it without the secret, and revokes it', async () => {
    const { secretary } = await makeCouncilWithPeople(testDatabase().db);
    const userPath = `/admin/users/${secretary.actor.userId}`;
    const created = await admin.postForm(`${userPath}/tokens`, { _csrf: await csrf(admin), name: 'ESDH-integration' });
    expect(created.status).to.equal(200);
    expect(created.headers.get('cache-control')).to.equal('no-store');
    const token = /id="ny-noegle">(rs_[^<]+)</.exec(created.text)?.[1];
    expect(token).to.be.a('string');
    const api = (t: string) => fetch(`${app.baseUrl}/api/v1/consultations`, { headers: { authorization: `Bearer ${t}` } });
    expect((await api(token!)).status).to.equal(200);

    const page = await admin.get(userPath);
    expect(page.text).to.include('ESDH-integration').and.not.include(token!);
    const tokenId = new RegExp(`${userPath}/tokens/(\\d+)/revoke`).exec(page.text)?.[1];
    const revoked = await admin.postForm(`${userPath}/tokens/${tokenId}/revoke`, { _csrf: WebSession.csrfToken(page.text) });
    expect(revoked.status).to.equal(303);
    expect((await admin.get(userPath)).text).to.include('Tilbagekaldt');
    expect((await api(token!)).status).to.equal(401);
    const again = await admin.postForm(`${userPath}/tokens/${tokenId}/revoke`, { _csrf: WebSession.csrfToken(page.text) });
    expect(again.status).to.equal(404);
  });
});
