import { expect } from 'chai';
import { extractDocumentText, TEXT_LIMITS } from '../../src/domain/consultations/text-extraction.ts';
import { extractStoredDocument, sweepPendingDocuments } from '../../src/domain/consultations/document-text.ts';
import { QUEUES } from '../../src/domain/jobs/jobs.ts';
import { createLogger } from '../../src/logger.ts';
import { docxWithText, odtWithText, pdfWithText, scannedPdf } from '../../src/seed/document-files.ts';
import { testDatabase } from '../support/db.ts';
import { storedZip, storeDocument, tinyPdf } from '../support/documents.ts';
import { recordingJobs, workflowDeps } from '../support/fakes.ts';
import { makeConsultationInState, makeCouncilWithPeople } from '../support/factories.ts';

const PDF = 'application/pdf';
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const ODT = 'application/vnd.oasis.opendocument.text';

const PARAGRAPHS = [
  'Udkast til integrationsstrategi 2027–2030',
  'Kommunen ønsker Integrationsrådets bemærkninger til beskæftigelsesplanen, sprogcentret og tolkebistanden.',
  'Høringsfristen er fire uger; svar sendes til forvaltningen.',
];

async function documentRow(id: number) {
  return testDatabase()
    .db.selectFrom('consultation_documents')
    .select(['text_status', 'extracted_text', 'text_error', 'page_count', 'text_extracted_at'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

describe('text extraction of the authorities’ documents', () => {
  it('reads the text of a PDF, page by page, with its page count and the Danish letters intact', async () => {
    const result = await extractDocumentText(PDF, await pdfWithText([PARAGRAPHS.slice(0, 2), [PARAGRAPHS[2]!]]));
    expect(result.status).to.equal('extracted');
    expect(result.pageCount).to.equal(2);
    expect(result.text).to.include('Udkast til integrationsstrategi 2027–2030');
    expect(result.text).to.include('Integrationsrådets bemærkninger til beskæftigelsesplanen');
    expect(result.text!.indexOf('Høringsfristen')).to.be.greaterThan(result.text!.indexOf('tolkebistanden'));
  });

  it('reads the paragraphs of a DOCX (mammoth) and of an ODT, each on its own line', async () => {
    for (const [type, bytes] of [
      [DOCX, await docxWithText(PARAGRAPHS)],
      [ODT, await odtWithText(PARAGRAPHS)],
    ] as const) {
      const result = await extractDocumentText(type, bytes);
      expect(result.status, type).to.equal('extracted');
      const lines = result.text!.split('\n').filter((l) => l.trim() !== '');
      expect(lines, type).to.deep.equal(PARAGRAPHS);
    }
  });

  it('says that a scanned PDF has no text, with its pages, and that a broken file failed and why', async () => {
    expect(await extractDocumentText(PDF, await scannedPdf(3))).to.deep.equal({ status: 'no_text', pageCount: 3 });
    const broken = await extractDocumentText(PDF, Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(2000, 0x41)]));
    expect(broken.status).to.equal('failed');
    expect(broken.error).to.match(/kunne ikke læses/);
    const notADocx = await extractDocumentText(DOCX, storedZip([{ name: 'andet.xml', data: '<x/>' }]));
    expect(notADocx).to.deep.equal({ status: 'failed', error: 'Filen mangler word/document.xml' });
    expect(await extractDocumentText('image/png', Buffer.from('x'))).to.deep.equal({ status: 'unsupported' });
  });

  it('keeps at most the text limit of a huge document', async () => {
    const long = 'beskæftigelsesindsats '.repeat(Math.ceil(TEXT_LIMITS.maxTextChars / 22) + 1000);
    const result = await extractDocumentText(DOCX, await docxWithText([long]));
    expect(result.status).to.equal('extracted');
    expect(result.text!.length).to.equal(TEXT_LIMITS.maxTextChars);
  });
});

describe('the document-text job', () => {
  const logger = createLogger('silent');

  it('is queued in the transaction that stores the document, and stores the text and status once', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const consultation = await makeConsultationInState(workflowDeps(db), people, 'assigned');
    const jobs = recordingJobs();
    const id = await storeDocument(db, people.secretary.actor, consultation.id, await odtWithText(PARAGRAPHS), 'høringsbrev.odt', jobs);
    expect(jobs.queued).to.deep.equal([{ queue: QUEUES.documentText, data: { documentId: id }, inTransaction: true }]);
    expect((await documentRow(id)).text_status).to.equal('pending');

    const now = new Date('2026-12-03T10:00:00Z');
    expect(await extractStoredDocument({ db, clock: () => now }, id)).to.equal('extracted');
    const row = await documentRow(id);
    expect(row.text_status).to.equal('extracted');
    expect(row.extracted_text).to.include('sprogcentret og tolkebistanden');
    expect(row.text_extracted_at?.toISOString()).to.equal(now.toISOString());
    expect(await extractStoredDocument({ db, clock: () => now }, id), 'a second run does nothing').to.equal(undefined);
  });

  it('records a failure and a scan on the document, and the sweep reads documents left waiting', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const consultation = await makeConsultationInState(workflowDeps(db), people, 'assigned');
    const scan = await storeDocument(db, people.secretary.actor, consultation.id, await scannedPdf(2), 'scannet.pdf');
    const broken = await storeDocument(
      db,
      people.secretary.actor,
      consultation.id,
      Buffer.concat([tinyPdf(), Buffer.alloc(10)]).subarray(0, 60),
      'itu.pdf',
    );
    // The sweep reads the oldest waiting documents first; other tests' documents may wait too.
    while ((await documentRow(broken)).text_status === 'pending') {
      expect(await sweepPendingDocuments({ db, clock: () => new Date(), logger })).to.be.greaterThan(0);
    }
    expect(await documentRow(scan)).to.include({ text_status: 'no_text', page_count: 2, extracted_text: null });
    const failed = await documentRow(broken);
    expect(failed.text_status).to.equal('failed');
    expect(failed.text_error).to.match(/kunne ikke læses/);
  });
});
