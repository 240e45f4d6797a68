import { expect } from 'chai';
import { get as httpGet } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { Db } from '../../src/db/database.ts';
import { addMember } from '../../src/domain/users/service.ts';
import { useTestApp } from '../support/app.ts';
import { testDatabase } from '../support/db.ts';
import { deadlineInDays, makeConsultation, makeConsultationInState, makeCouncilWithPeople, unique } from '../support/factories.ts';
import { WebSession } from '../support/web-session.ts';
import { workflowDeps } from '../support/fakes.ts';

/** The titles of the queue table's rows, in order. */
function rowTitles(html: string): string[] {
  const table = /<table class="queue">[\s\S]*?<\/table>/.exec(html)?.[0] ?? '';
  return [...table.matchAll(/<td[^>]*><a href="\/consultations\/[^"]+">([^<]+)<\/a><\/td>/g)].map((m) => m[1]!);
}

/** A GET with exactly these headers, answered with the raw (undecoded) body. */
function rawGet(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    httpGet(url, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

/** The titles listed in the chair's approval box. */
function approvalTitles(html: string): string[] {
  const box = /<section class="approval-box"[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
  return [...box.matchAll(/<a href="\/consultations\/[^"]+">([^<]+)<\/a>/g)].map((m) => m[1]!);
}

function moveDeadline(db: Db, id: string, days: number) {
  return db
    .updateTable('consultations')
    .set({ deadline: new Date(Date.now() + days * 86_400_000) })
    .where('id', '=', id)
    .execute();
}

describe('the queue', () => {
  const app = useTestApp();

  it('lists the consultations of all the user’s councils soonest first, marks due soon and overdue in words, and filters', async () => {
    const { db } = testDatabase();
    const deps = workflowDeps(db);
    const a = await makeCouncilWithPeople(db);
    const b = await makeCouncilWithPeople(db);
    await addMember(db, { email: a.secretary.email, council: b.council.slug, role: 'secretary' });
    const tag = unique();
    const soon = await makeConsultation(deps, a.secretary.actor, {
      council: a.council.slug,
      title: `Udkast til Integrationsstrategi ${tag}`,
      deadline: deadlineInDays(2),
    });
    const later = await makeConsultation(deps, b.secretary.actor, {
      council: b.council.slug,
      title: `Forslag til lov om ændring af integrationsloven ${tag}`,
      authority: 'Udlændinge- og Integrationsministeriet',
      deadline: deadlineInDays(40),
    });
    const late = await makeConsultation(deps, a.secretary.actor, {
      council: a.council.slug,
      title: `Budget 2027 ${tag}`,
      deadline: deadlineInDays(20),
    });
    await moveDeadline(db, late.id, -3);
    const done = await makeConsultationInState(deps, a, 'submitted', { title: `Sundhedspolitik ${tag}` });
    await db.updateTable('consultations').set({ assignee_id: a.secretary.actor.userId }).where('id', '=', soon.id).execute();
    await db.updateTable('consultations').set({ assignee_id: null }).where('id', 'in', [late.id, later.id]).execute();

    const web = new WebSession(app.baseUrl);
    await web.logIn(a.secretary.email, a.secretary.password);
    const all = await web.get('/');
    expect(rowTitles(all.text)).to.deep.equal([late.title, soon.title, later.title]);
    expect(all.text).to.include('3 høringer matcher');
    expect(all.text).to.match(/class="deadline deadline-overdue">[\s\S]*?Overskredet for 3 dage siden/);
    expect(all.text).to.match(/class="deadline deadline-due_soon">[\s\S]*?Snart: 2 dage tilbage/);
    expect(all.text).to.include(a.council.name).and.include(b.council.name).and.include(soon.reference!);
    expect(all.text).to.include('Mette Kjærgaard'); // the assignee column

    const titles = async (query: string) => rowTitles((await web.get(`/?${query}`)).text);
    expect(await titles('state=all')).to.deep.equal([late.title, soon.title, done.title, later.title]);
    expect(await titles('state=submitted')).to.deep.equal([done.title]);
    expect(await titles(`council=${b.council.slug}`)).to.deep.equal([later.title]);
    expect(await titles('due=week')).to.deep.equal([soon.title]);
    expect(await titles('due=overdue')).to.deep.equal([late.title]);
    expect(await titles('mine=1')).to.deep.equal([soon.title]);
    expect(await titles(`q=${encodeURIComponent('integrationsministeriet')}`)).to.deep.equal([later.title]);
    expect(await titles(`q=${encodeURIComponent(soon.reference!)}`)).to.deep.equal([soon.title]);
    expect(await titles(`q=${encodeURIComponent('budget 2027 ' + tag)}&state=all`)).to.deep.equal([late.title]);
    const filtered = await web.get(`/?council=${a.council.slug}&due=overdue`);
    expect(filtered.text)
      .to.include('1 høring matcher')
      .and.match(new RegExp(`<option value="${a.council.slug}" selected>`));
    // A council the user does not sit on gives nothing, not an error.
    const other = await makeCouncilWithPeople(db);
    await makeConsultation(deps, other.secretary.actor, { council: other.council.slug, title: `Fremmed ${tag}`, deadline: deadlineInDays(5) });
    const foreign = await web.get(`/?council=${other.council.slug}`);
    expect(foreign.status).to.equal(200);
    expect(rowTitles(foreign.text)).to.deep.equal([]);
  });

  it('pages forward, back and to the first page, keeping the filters', async () => {
    const { db } = testDatabase();
    const deps = workflowDeps(db);
    const people = await makeCouncilWithPeople(db);
    const tag = unique();
    for (let i = 0; i < 28; i++) {
      await makeConsultation(deps, people.secretary.actor, {
        council: people.council.slug,
        title: `Høring ${tag} nr. ${String(i).padStart(2, '0')}`,
        deadline: deadlineInDays(10 + i),
      });
    }
    const web = new WebSession(app.baseUrl);
    await web.logIn(people.secretary.email, people.secretary.password);
    const first = await web.get(`/?q=${tag}`);
    const firstTitles = rowTitles(first.text);
    expect(firstTitles).to.have.length(25);
    expect(firstTitles[0]).to.equal(`Høring ${tag} nr. 00`);
    expect(first.text).to.include('28 høringer matcher');
    expect(first.text).not.to.include('rel="prev"');
    const next = /href="([^"]+)" rel="next"/
      .exec(first.text)![1]!
      .replace(/&amp;/g, '&')
      .replace(/&#x3D;/g, '=');
    expect(next).to.include(`q=${tag}`);
    const second = await web.get(next);
    expect(rowTitles(second.text)).to.deep.equal([`Høring ${tag} nr. 25`, `Høring ${tag} nr. 26`, `Høring ${tag} nr. 27`]);
    expect(second.text).not.to.include('rel="next"');
    expect(second.text).to.include('Første side');
    const prev = /href="([^"]+)" rel="prev"/
      .exec(second.text)![1]!
      .replace(/&amp;/g, '&')
      .replace(/&#x3D;/g, '=');
    const back = await web.get(prev);
    expect(rowTitles(back.text)).to.deep.equal(firstTitles);
    expect(back.text).not.to.include('rel="prev"');
    expect(back.text).to.include('rel="next"');
    const broken = await web.get('/?after=ikke-en-markør');
    expect(broken.status).to.equal(422);
  });

  it('shows a chair everything awaiting their approval at the top, whatever the page and filters', async () => {
    const { db } = testDatabase();
    const deps = workflowDeps(db);
    const people = await makeCouncilWithPeople(db);
    const tag = unique();
    // 26 earlier deadlines push the one awaiting approval off the first page of the list.
    for (let i = 0; i < 26; i++) {
      await makeConsultation(deps, people.secretary.actor, {
        council: people.council.slug,
        title: `Tidlig ${tag} ${i}`,
        deadline: deadlineInDays(5),
      });
    }
    const waiting = await makeConsultationInState(deps, people, 'awaiting_approval', {
      title: `Til godkendelse ${tag}`,
      deadline: deadlineInDays(50),
    });
    const waiting2 = await makeConsultationInState(deps, people, 'awaiting_approval', {
      title: `Også til godkendelse ${tag}`,
      deadline: deadlineInDays(45),
    });

    const chair = new WebSession(app.baseUrl);
    await chair.logIn(people.chair.email, people.chair.password);
    const page = await chair.get('/');
    expect(rowTitles(page.text)).not.to.include(waiting.title);
    expect(approvalTitles(page.text)).to.deep.equal([waiting2.title, waiting.title]);
    expect(page.text).to.include('2 høringer venter på, at du godkender svaret.');
    const filtered = await chair.get(`/?q=${encodeURIComponent(`Tidlig ${tag} 1`)}`);
    expect(approvalTitles(filtered.text)).to.deep.equal([waiting2.title, waiting.title]);

    const secretary = new WebSession(app.baseUrl);
    await secretary.logIn(people.secretary.email, people.secretary.password);
    expect((await secretary.get('/')).text).not.to.include('Venter på din godkendelse');
    const otherChair = (await makeCouncilWithPeople(db)).chair;
    const other = new WebSession(app.baseUrl);
    await other.logIn(otherChair.email, otherChair.password);
    expect(approvalTitles((await other.get('/')).text)).to.deep.equal([]);
  });

  it('goes gzipped to a browser that accepts gzip, like every page, and plain to one that does not', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const tag = unique();
    const consultation = await makeConsultation(workflowDeps(db), people.secretary.actor, {
      council: people.council.slug,
      title: `Komprimeret ${tag}`,
      deadline: deadlineInDays(9),
    });
    const web = new WebSession(app.baseUrl);
    await web.logIn(people.secretary.email, people.secretary.password);
    const cookie = web.cookieHeader();

    const plain = await rawGet(`${app.baseUrl}/`, { cookie });
    expect(plain.status).to.equal(200);
    expect(plain.headers['content-encoding']).to.equal(undefined);
    expect(rowTitles(plain.body.toString())).to.deep.equal([`Komprimeret ${tag}`]);
    for (const path of ['/', `/?q=${encodeURIComponent('Komprimeret')}`]) {
      const zipped = await rawGet(`${app.baseUrl}${path}`, { cookie, 'accept-encoding': 'gzip, deflate' });
      expect(zipped.status, path).to.equal(200);
      expect(zipped.headers['content-encoding'], path).to.equal('gzip');
      expect(zipped.headers.vary, path).to.match(/Accept-Encoding/);
      expect(zipped.body.length, path).to.be.below(plain.body.length / 2);
      expect(rowTitles(gunzipSync(zipped.body).toString()), path).to.deep.equal([`Komprimeret ${tag}`]);
    }
    // Brotli for a browser that offers it.
    const brotli = await rawGet(`${app.baseUrl}/`, { cookie, 'accept-encoding': 'gzip, deflate, br' });
    expect(brotli.headers['content-encoding']).to.equal('br');
    expect(rowTitles(brotliDecompressSync(brotli.body).toString())).to.deep.equal([`Komprimeret ${tag}`]);
    const page = await rawGet(`${app.baseUrl}/consultations/${consultation.id}`, { cookie, 'accept-encoding': 'gzip' });
    expect(page.headers['content-encoding']).to.equal('gzip');
    expect(gunzipSync(page.body).toString()).to.include(`Komprimeret ${tag}`);
    const refused = await rawGet(`${app.baseUrl}/`, { cookie, 'accept-encoding': 'gzip;q=0, identity' });
    expect(refused.headers['content-encoding']).to.equal(undefined);
    expect(refused.body.equals(plain.body)).to.equal(true);
    // The weak ETag stands for the page in either encoding.
    const etag = String(plain.headers.etag);
    const notModified = await rawGet(`${app.baseUrl}/`, { cookie, 'accept-encoding': 'gzip', 'if-none-match': etag });
    expect(notModified.status).to.equal(304);
  });
});
