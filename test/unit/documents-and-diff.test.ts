import { expect } from 'chai';
import { checkDocuments, MAX_DOCUMENT_BYTES } from '../../src/domain/consultations/documents.ts';
import { diffTexts } from '../../src/domain/consultations/page.ts';
import { AppError } from '../../src/domain/errors.ts';
import { storedZip, tinyDocx, tinyOdt, tinyPdf } from '../support/documents.ts';

async function refusal(files: { originalName: string; bytes: Buffer }[]): Promise<AppError> {
  try {
    await checkDocuments(files);
  } catch (error) {
    return error as AppError;
  }
  throw new Error('expected the documents to be refused');
}

describe('document checks', () => {
  it('accepts PDF, DOCX and ODT by their content, whatever their names say', async () => {
    const checked = await checkDocuments([
      { originalName: 'høringsbrev.bin', bytes: tinyPdf() },
      { originalName: 'bilag', bytes: tinyDocx() },
      { originalName: 'C:\\Users\\mette\\notat.odt', bytes: tinyOdt() },
    ]);
    expect(checked.map((d) => d.mediaType)).to.deep.equal([
      'application/pdf',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'application/vnd.oasis.opendocument.text',
    ]);
    expect(checked[2]!.filename).to.equal('notat.odt');
    expect(checked[0]!.sha256).to.match(/^[0-9a-f]{64}$/);
  });

  it('refuses text, other zips and HTML named .pdf, empty files and files over 25 MB, on the documents field', async () => {
    for (const bytes of [
      Buffer.from('bare tekst '.repeat(50)),
      storedZip([{ name: 'a.txt', data: 'hej' }]),
      Buffer.from('<html><script>alert(1)</script></html>'),
    ]) {
      const error = await refusal([{ originalName: 'forklædt.pdf', bytes }]);
      expect(error.code).to.equal('VALIDATION_FAILED');
      expect(error.details).to.deep.equal([{ path: 'documents', message: 'forklædt.pdf er ikke en PDF-, DOCX- eller ODT-fil' }]);
    }
    expect((await refusal([{ originalName: 'tom.pdf', bytes: Buffer.alloc(0) }])).details[0]!.message).to.equal('tom.pdf er tom');
    const big = Buffer.concat([tinyPdf(), Buffer.alloc(MAX_DOCUMENT_BYTES)]);
    expect((await refusal([{ originalName: 'stor.pdf', bytes: big }])).details[0]!.message).to.equal('stor.pdf er større end 25 MB');
  });
});

describe('version diff', () => {
  it('marks inserted and deleted words and keeps the rest, in order', () => {
    const parts = diffTexts('Rådet støtter strategien.', 'Rådet støtter varmt strategien og planen.');
    expect(parts.filter((p) => p.kind === 'added').map((p) => p.text.trim())).to.include('varmt');
    expect(parts.map((p) => (p.kind === 'removed' ? '' : p.text)).join('')).to.equal('Rådet støtter varmt strategien og planen.');
    expect(parts.map((p) => (p.kind === 'added' ? '' : p.text)).join('')).to.equal('Rådet støtter strategien.');
  });
});
