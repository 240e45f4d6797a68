import { expect } from 'chai';
import { docxWithText, scannedPdf } from '../../src/seed/document-files.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { testDatabase } from '../support/db.ts';
import { makeCouncilWithPeople } from '../support/factories.ts';
import { startSmtp, startTestScheduler, waitUntil, type TestScheduler, type TestSmtp } from '../support/mail.ts';
import { WebSession } from '../support/web-session.ts';

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

describe('document text on the consultation page, read by the app’s workers', function () {
  this.timeout(120_000);
  let smtp: TestSmtp;
  let scheduler: TestScheduler;
  let app: TestApp;

  before(async () => {
    smtp = await startSmtp();
    scheduler = await startTestScheduler({ smtpUrl: smtp.url, clock: () => new Date() });
    app = await startTestApp({ deps: { jobs: scheduler.jobs } });
  });
  after(async () => {
    await app?.close();
    await scheduler?.stop();
    await smtp?.close();
  });

  it('registers with a DOCX and a scanned PDF; the job reads them and the page says what can be searched', async () => {
    const people = await makeCouncilWithPeople(testDatabase().db);
    const web = new WebSession(app.baseUrl);
    await web.logIn(people.secretary.email, people.secretary.password);
    const form = await web.get('/consultations/new');
    const body = new FormData();
    const fields = {
      _csrf: WebSession.csrfToken(form.text),
      council: people.council.slug,
      title: 'Udkast til beskæftigelsesplan',
      authority: 'Jobcenter Næstved',
      authorityReference: '26-1',
      authorityEmail: 'job@naestved.dk',
      deadlineDate: `${new Date().getUTCFullYear() + 1}-02-01`,
      deadlineTime: '12:00',
      summary: '',
      sourceUrl: '',
    };
    for (const [key, value] of Object.entries(fields)) body.append(key, value);
    const docx = await docxWithText(['Beskæftigelsesplan 2027', 'Planen styrker sprogundervisningen for nyankomne.']);
    body.append('documents', new Blob([new Uint8Array(docx)], { type: DOCX }), 'Beskæftigelsesplan.docx');
    body.append('documents', new Blob([new Uint8Array(await scannedPdf(2))], { type: 'application/pdf' }), 'Bilag scannet.pdf');
    const posted = await web.request('/consultations/new', { method: 'POST', body });
    expect(posted.status, posted.text.slice(0, 400)).to.equal(303);
    const page = posted.headers.get('location')!.split('?')[0]!;

    let text = '';
    await waitUntil(
      async () => {
        text = (await web.get(page)).text;
        return !text.includes('Teksten læses');
      },
      60_000,
      'both documents read',
    );
    expect(text).to.match(/Beskæftigelsesplan\.docx<\/a>[^]*?Tekst udtrukket – kan søges/);
    expect(text).to.match(/Bilag scannet\.pdf<\/a>[^]*?Ingen tekst i filen, 2 sider \(en scannet PDF\?\) – kan ikke søges/);
    const stored = await testDatabase()
      .db.selectFrom('consultation_documents')
      .select(['filename', 'extracted_text'])
      .where('consultation_id', '=', page.split('/').pop()!)
      .orderBy('id')
      .execute();
    expect(stored[0]!.extracted_text).to.equal('Beskæftigelsesplan 2027\n\nPlanen styrker sprogundervisningen for nyankomne.');
    expect(stored[1]!.extracted_text).to.equal(null);
  });
});
