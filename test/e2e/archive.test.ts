import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { extractText } from 'unpdf';
import { ChromiumPdfRenderer } from '../../src/adapters/chromium-pdf.ts';
import { PdfRenderError } from '../../src/domain/pdf/renderer.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { testDatabase } from '../support/db.ts';
import { apiTokenFor, makeConsultationInState, makeCouncilWithPeople, makeUser } from '../support/factories.ts';
import { WebSession } from '../support/web-session.ts';

async function pdfText(bytes: ArrayBuffer | Buffer): Promise<string> {
  const { text } = await extractText(new Uint8Array(bytes), { mergePages: true });
  return text.replace(/\s+/g, ' ');
}

async function post(web: WebSession, path: string, page: string, fields: Record<string, string>) {
  const version = /name="version" value="(\d+)"/.exec(page)?.[1] ?? '0';
  return web.postForm(path, { _csrf: WebSession.csrfToken(page), version, ...fields });
}

describe('the archived letter over HTTP', function () {
  this.timeout(180_000);
  let app: TestApp;
  let people: Awaited<ReturnType<typeof makeCouncilWithPeople>>;
  let secretaryToken: string;

  before(async () => {
    app = await startTestApp();
    people = await makeCouncilWithPeople(testDatabase().db);
    secretaryToken = await apiTokenFor(testDatabase().db, people.secretary.email);
  });
  after(() => app.close());

  const api = (path: string, token: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
    fetch(`${app.baseUrl}/api/v1${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
    });

  it('API: 404 before submission; SUBMIT archives it; served with ETag, file name and 304', async () => {
    const approved = await makeConsultationInState(app.deps, people, 'approved');
    const before = await api(`/consultations/${approved.id}/response.pdf`, secretaryToken);
    expect(before.status).to.equal(404);
    expect((await before.json()).error.code).to.equal('NOT_FOUND');

    const submit = await api(`/consultations/${approved.id}/events`, secretaryToken, {
      method: 'POST',
      body: JSON.stringify({ type: 'SUBMIT', version: approved.version, channel: 'email', recipient: 'bu@naestved.dk' }),
    });
    expect(submit.status).to.equal(200);
    expect((await submit.json()).state).to.equal('submitted');

    const response = await api(`/consultations/${approved.id}/response.pdf`, secretaryToken);
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.equal('application/pdf');
    expect(response.headers.get('content-disposition')).to.equal(`inline; filename="Hoeringssvar-${approved.reference}.pdf"`);
    const bytes = Buffer.from(await response.arrayBuffer());
    const etag = `"sha256-${createHash('sha256').update(bytes).digest('hex')}"`;
    expect(response.headers.get('etag')).to.equal(etag);
    expect(await pdfText(bytes)).to.include('Integrationsrådet bakker op om strategien, men savner sprogcentret.');

    const again = await api(`/consultations/${approved.id}/response.pdf`, secretaryToken, { headers: { 'if-none-match': etag } });
    expect(again.status).to.equal(304);
    expect(again.headers.get('etag')).to.equal(etag);
    expect((await again.arrayBuffer()).byteLength).to.equal(0);
    const stale = await api(`/consultations/${approved.id}/response.pdf`, secretaryToken, { headers: { 'if-none-match': '"sha256-0"' } });
    expect(stale.status).to.equal(200);

    // Staff of the council may read it; another council's secretary and a missing token may not.
    const staffToken = await apiTokenFor(testDatabase().db, people.staff.email);
    expect((await api(`/consultations/${approved.id}/response.pdf`, staffToken)).status).to.equal(200);
    const other = await makeCouncilWithPeople(testDatabase().db);
    const otherToken = await apiTokenFor(testDatabase().db, other.secretary.email);
    expect((await api(`/consultations/${approved.id}/response.pdf`, otherToken)).status).to.equal(404);
    expect((await fetch(`${app.baseUrl}/api/v1/consultations/${approved.id}/response.pdf`)).status).to.equal(401);
    expect((await api('/consultations/ikke-et-id/response.pdf', secretaryToken)).status).to.equal(404);
  });

  it('web: the chair previews the draft as a marked letter, the secretary submits, both pages link the archived PDF', async () => {
    const awaiting = await makeConsultationInState(app.deps, people, 'awaiting_approval');
    const path = `/consultations/${awaiting.id}`;
    const chair = new WebSession(app.baseUrl);
    await chair.logIn(people.chair.email, people.chair.password);
    let page = (await chair.get(path)).text;
    expect(page).to.include(`href="${path}/preview.pdf"`);
    const preview = await chair.request(`${path}/preview.pdf`);
    expect(preview.status).to.equal(200);
    expect(preview.headers.get('content-type')).to.equal('application/pdf');
    expect(preview.headers.get('cache-control')).to.equal('no-store');
    expect(preview.headers.get('etag')).to.equal(null);
    // The PDF is read as text by the session client; fetch it raw for extraction.
    const raw = await fetch(`${app.baseUrl}${path}/preview.pdf`, {
      headers: { cookie: (chair as unknown as { cookieHeader(): string }).cookieHeader() },
    });
    expect(await pdfText(await raw.arrayBuffer()))
      .to.include('UDKAST – ikke godkendt')
      .and.include('Ahmad Hussein, formand');
    expect((await chair.get(`${path}/response.pdf`)).status).to.equal(404);

    const outsider = await makeUser(testDatabase().db, { name: 'Fremmed Formand' });
    const stranger = new WebSession(app.baseUrl);
    await stranger.logIn(outsider.email, outsider.password);
    expect((await stranger.get(`${path}/preview.pdf`)).status).to.equal(404);
    expect((await new WebSession(app.baseUrl).get(`${path}/preview.pdf`)).status).to.equal(303);

    expect((await post(chair, `${path}/events`, page, { type: 'APPROVE', basis: 'chair_decision' })).status).to.equal(303);
    const secretary = new WebSession(app.baseUrl);
    await secretary.logIn(people.secretary.email, people.secretary.password);
    page = (await secretary.get(path)).text;
    expect(page).to.include('Registrér indsendelse');
    expect(
      (await post(secretary, `${path}/events`, page, { type: 'SUBMIT', channel: 'letter', recipient: 'Beskæftigelsesudvalget', submittedAt: '' }))
        .status,
    ).to.equal(303);
    page = (await secretary.get(path)).text;
    expect(page).to.include(`href="${path}/response.pdf"`).and.not.include('preview.pdf');
    const letter = await secretary.get(`${path}/response.pdf`);
    expect(letter.status).to.equal(200);
    expect(letter.headers.get('etag')).to.match(/^"sha256-[0-9a-f]{64}"$/);
    expect(letter.headers.get('content-disposition')).to.equal(`inline; filename="Hoeringssvar-${awaiting.reference}.pdf"`);
    expect((await secretary.request(`${path}/response.pdf`, { headers: { 'if-none-match': letter.headers.get('etag')! } })).status).to.equal(304);
    expect((await stranger.get(`${path}/response.pdf`)).status).to.equal(404);
    const archived = await testDatabase().db.selectFrom('archived_documents').select('id').where('consultation_id', '=', awaiting.id).execute();
    expect(archived).to.have.length(1);
  });

  it('web: a flood of previews from one chair gets 429 with Retry-After beyond their share; another council submits meanwhile', async () => {
    const awaiting = await makeConsultationInState(app.deps, people, 'awaiting_approval');
    const others = await makeCouncilWithPeople(testDatabase().db);
    const approved = await makeConsultationInState(app.deps, others, 'approved');
    const othersToken = await apiTokenFor(testDatabase().db, others.secretary.email);
    const chair = new WebSession(app.baseUrl);
    await chair.logIn(people.chair.email, people.chair.password);
    const previews = Array.from({ length: 12 }, () => chair.request(`/consultations/${awaiting.id}/preview.pdf`));
    const submit = api(`/consultations/${approved.id}/events`, othersToken, {
      method: 'POST',
      body: JSON.stringify({ type: 'SUBMIT', version: approved.version, channel: 'portal' }),
    });
    const answers = await Promise.all(previews);
    expect((await submit).status).to.equal(200);

    expect(answers.map((a) => a.status).filter((status) => status !== 200 && status !== 429)).to.deep.equal([]);
    const refused = answers.filter((a) => a.status === 429);
    expect(refused.length, 'previews refused').to.be.at.least(1);
    expect(answers.filter((a) => a.status === 200).length, 'previews shown').to.be.at.least(2);
    for (const answer of refused) {
      expect(Number(answer.headers.get('retry-after'))).to.be.at.least(1);
      expect(answer.text).to.include('Du har allerede udkast under visning som PDF');
    }
    expect((app.deps.pdf as ChromiumPdfRenderer).stats()).to.deep.include({ active: 0, waiting: 0 });
  });

  it('web: with the preview queue full, a preview is refused at once with 503 and Retry-After', async () => {
    // One page and no waiting room: every preview that arrives while one renders is refused.
    const pdf = new ChromiumPdfRenderer({ chromiumPath: app.deps.config.chromiumPath, poolSize: 1, maxQueuedPreviews: 0 });
    const busy = await startTestApp({ deps: { pdf } });
    try {
      const awaiting = await makeConsultationInState(busy.deps, people, 'awaiting_approval');
      const sessions = await Promise.all(
        [people.chair, people.member, people.secretary].map(async (person) => {
          const web = new WebSession(busy.baseUrl);
          await web.logIn(person.email, person.password);
          return web;
        }),
      );
      const answers = await Promise.all(sessions.flatMap((web) => [web, web].map((w) => w.request(`/consultations/${awaiting.id}/preview.pdf`))));
      expect(answers.map((a) => a.status).filter((status) => status !== 200 && status !== 503)).to.deep.equal([]);
      const refused = answers.filter((a) => a.status === 503);
      expect(refused.length, 'previews refused').to.be.at.least(1);
      expect(answers.some((a) => a.status === 200)).to.equal(true);
      for (const answer of refused) {
        expect(Number(answer.headers.get('retry-after'))).to.be.at.least(1);
        expect(answer.text).to.include('Der laves mange PDF-udkast lige nu');
      }
    } finally {
      await busy.close();
      await pdf.close();
    }
  });

  it('web: when the letter cannot be rendered the page says so and the consultation stays approved', async () => {
    const broken = await startTestApp({
      deps: { pdf: { render: () => Promise.reject(new PdfRenderError('Chromium stoppede')), close: async () => {} } },
    });
    try {
      const approved = await makeConsultationInState(broken.deps, people, 'approved');
      const path = `/consultations/${approved.id}`;
      const secretary = new WebSession(broken.baseUrl);
      await secretary.logIn(people.secretary.email, people.secretary.password);
      const page = (await secretary.get(path)).text;
      const failed = await post(secretary, `${path}/events`, page, { type: 'SUBMIT', channel: 'email', recipient: 'bu@naestved.dk' });
      expect(failed.status).to.equal(303);
      const shown = await secretary.follow(failed);
      expect(shown).to.include({ path, hash: '#formular-submit' });
      expect(shown.text).to.include('Høringssvaret kunne ikke laves som PDF, så det er ikke sendt.');
      expect(shown.text).to.include('Registrér indsendelse').and.include('value="bu@naestved.dk"');
      const apiFailed = await fetch(`${broken.baseUrl}/api/v1/consultations/${approved.id}/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secretaryToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'SUBMIT', version: approved.version, channel: 'email', recipient: 'bu@naestved.dk' }),
      });
      expect(apiFailed.status).to.equal(503);
      expect((await apiFailed.json()).error.code).to.equal('RENDER_FAILED');
      const state = await testDatabase()
        .db.selectFrom('consultations')
        .select(['state', 'version'])
        .where('id', '=', approved.id)
        .executeTakeFirstOrThrow();
      expect(state).to.deep.equal({ state: 'approved', version: approved.version });
    } finally {
      await broken.close();
    }
  });
});
