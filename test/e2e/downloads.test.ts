import { expect } from 'chai';
import { request } from 'node:http';
import { useTestApp } from '../support/app.ts';
import { testDatabase } from '../support/db.ts';
import { largePdf, storeDocument } from '../support/documents.ts';
import { makeConsultation, makeCouncilWithPeople } from '../support/factories.ts';
import { waitUntil } from '../support/mail.ts';
import { WebSession } from '../support/web-session.ts';

const MB = 1024 * 1024;

describe('document downloads stream from the database', function () {
  this.timeout(120_000);
  const app = useTestApp();
  let people: Awaited<ReturnType<typeof makeCouncilWithPeople>>;
  let secretary: WebSession;
  let consultationId: string;

  before(async () => {
    people = await makeCouncilWithPeople(testDatabase().db);
    consultationId = (await makeConsultation(app.deps, people.secretary.actor, { council: people.council.slug })).id;
    secretary = new WebSession(app.baseUrl);
    await secretary.logIn(people.secretary.email, people.secretary.password);
  });

  it('serves a document of many slices byte for byte, with Content-Length and its file name, only to those who may see it', async () => {
    // Not a whole number of slices, so the last one is short.
    const bytes = largePdf(3 * MB + 12_345);
    const documentId = await storeDocument(testDatabase().db, people.secretary.actor, consultationId, bytes, 'Høringsbrev.pdf');
    const path = `/consultations/${consultationId}/documents/${documentId}`;

    const download = await fetch(app.baseUrl + path, { headers: { cookie: secretary.cookieHeader() } });
    expect(download.status).to.equal(200);
    expect(download.headers.get('content-length')).to.equal(String(bytes.length));
    expect(download.headers.get('content-type')).to.equal('application/pdf');
    expect(download.headers.get('content-disposition')).to.include('attachment').and.include('H%C3%B8ringsbrev.pdf');
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).to.equal(true);

    const head = await fetch(app.baseUrl + path, { method: 'HEAD', headers: { cookie: secretary.cookieHeader() } });
    expect(head.status).to.equal(200);
    expect(head.headers.get('content-length')).to.equal(String(bytes.length));

    const outsiders = await makeCouncilWithPeople(testDatabase().db);
    const outsider = new WebSession(app.baseUrl);
    await outsider.logIn(outsiders.secretary.email, outsiders.secretary.password);
    const refused = await outsider.get(path);
    expect(refused.status).to.equal(404);
    expect(refused.text).not.to.include('%PDF');
    expect((await new WebSession(app.baseUrl).get(path)).status).to.equal(303);
  });

  it('gives every pool connection back when the client goes away mid-download', async () => {
    const documentId = await storeDocument(testDatabase().db, people.secretary.actor, consultationId, largePdf(25 * MB));
    const { pool } = app.deps;
    const received = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${app.baseUrl}/consultations/${consultationId}/documents/${documentId}`,
        { headers: { cookie: secretary.cookieHeader() } },
        (res) => {
          expect(res.statusCode).to.equal(200);
          let got = 0;
          res.on('data', (chunk: Buffer) => {
            got += chunk.length;
            // Gone after the first bytes, long before the 25 MB are through.
            if (got >= 64 * 1024) {
              req.destroy();
              resolve(got);
            }
          });
        },
      );
      req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
      req.end();
    });
    expect(received).to.be.below(25 * MB);
    await waitUntil(() => pool.totalCount === pool.idleCount && pool.waitingCount === 0, 20_000, 'every pool connection idle again');

    // The server is fine afterwards: the same document downloads whole.
    const again = await fetch(`${app.baseUrl}/consultations/${consultationId}/documents/${documentId}`, {
      headers: { cookie: secretary.cookieHeader() },
    });
    expect((await again.arrayBuffer()).byteLength).to.equal(25 * MB);
  });
});
