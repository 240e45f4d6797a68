import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { PDFDict, PDFDocument, PDFName } from 'pdf-lib';
import { ChromiumPdfRenderer } from '../../src/adapters/chromium-pdf.ts';
import { ARCHIVE_PRODUCER, toArchivalPdf } from '../../src/adapters/pdf-archive-format.ts';
import { DEFAULT_CHROMIUM_PATH } from '../../src/config.ts';
import { letterMetadata, renderLetterHtml, renderLetterPdf, type LetterData } from '../../src/domain/pdf/letter.ts';
import { tinyPdf } from '../support/documents.ts';
import { pdfaFindings, withPdfFile } from '../support/pdfa-checks.ts';

const run = promisify(execFile);
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM_PATH;

// Bold, italics, a link, a list, a quote and a table: every kind of structure element Chromium tags.
const BODY = [
  '## Bemærkninger',
  'Rådet **støtter** forslaget, men ønsker _særlig_ opmærksomhed på [borgerrådgiveren](https://naestved.dk/raad).',
  '- ældre borgeres økonomi\n- sprogundervisning',
  '> Citat fra høringsmaterialet.',
  '| Emne | Rådets holdning |\n|---|---|\n| Bolig | Støttes |',
].join('\n\n');

function letter(overrides: Partial<LetterData> = {}): LetterData {
  return {
    council: { name: 'Integrationsrådet i Næstved Kommune', address: 'Rådmandshaven 20\n4700 Næstved', contact: 'ir@naestved.dk', logoDataUri: null },
    authority: 'Beskæftigelses- og Uddannelsesudvalget, Næstved Kommune',
    title: 'Udkast til Integrationsstrategi 2026–2029',
    authorityReference: '24.10.00-P15-3-25',
    reference: 'IR-2026-014',
    date: new Date('2026-03-12T11:00:00Z'),
    bodyMarkdown: BODY,
    signer: { name: 'Ahmad Hussein', title: 'formand' },
    draft: false,
    ...overrides,
  };
}

async function poppler(pdf: Buffer): Promise<{ struct: string; structErrors: string; text: string; textErrors: string; xmp: string }> {
  return withPdfFile(pdf, async (path) => {
    const [struct, text, meta] = await Promise.all([
      run('pdfinfo', ['-struct', path]),
      run('pdftotext', ['-enc', 'UTF-8', path, '-']),
      run('pdfinfo', ['-meta', path]),
    ]);
    return { struct: struct.stdout, structErrors: struct.stderr, text: text.stdout, textErrors: text.stderr, xmp: meta.stdout };
  });
}

function outline(struct: string): string[] {
  return struct.split('\n').flatMap((line) => {
    const element = /^(\s*)([A-Z][A-Za-z0-9]*)(?=[\s:(<]|$)/.exec(line);
    return element && element[2] !== 'Object' ? [`${element[1]}${element[2]}`] : [];
  });
}

describe('the archived letter’s format (PDF/A-2u)', function () {
  this.timeout(180_000);
  let renderer: ChromiumPdfRenderer;
  let chromiumPdf: Buffer;
  let archival: Buffer;

  before(async () => {
    renderer = new ChromiumPdfRenderer({ chromiumPath: CHROMIUM_PATH, poolSize: 1 });
    chromiumPdf = await renderer.render(renderLetterHtml(letter()));
    archival = await renderLetterPdf(renderer, letter());
  });

  after(async () => {
    await renderer.close();
  });

  it('Chromium’s own PDF breaks the rules the rewrite is there for', async () => {
    const findings = await pdfaFindings(chromiumPdf);
    for (const broken of [
      /filhovedet er ikke %PDF-1\.7/,
      /dokument-ID/,
      /XMP-strøm/,
      /GTS_PDFA1/,
      /strukturtypen Strong/,
      /strukturtypen Em/,
      /StructElem object is wrong type/,
    ]) {
      expect(
        findings.some((finding) => broken.test(finding)),
        `${String(broken)} in ${findings.join('; ')}`,
      ).to.equal(true);
    }
  });

  it('the rewritten letter keeps every checked PDF/A-2u rule', async () => {
    expect(await pdfaFindings(archival)).to.deep.equal([]);
  });

  it('claims PDF/A-2u and carries the Danish title and the council as author in XMP and Info', async () => {
    const { xmp } = await poppler(archival);
    expect(xmp).to.include('<pdfaid:part>2</pdfaid:part>').and.include('<pdfaid:conformance>U</pdfaid:conformance>');
    expect(xmp).to.include('<rdf:li xml:lang="da">Høringssvar vedr. Udkast til Integrationsstrategi 2026–2029</rdf:li>');
    expect(xmp).to.include('<dc:creator><rdf:Seq><rdf:li>Integrationsrådet i Næstved Kommune</rdf:li></rdf:Seq></dc:creator>');
    expect(xmp).to.include('<xmp:CreateDate>2026-03-12T12:00:00+01:00</xmp:CreateDate>');
    const doc = await PDFDocument.load(archival, { updateMetadata: false });
    expect(doc.getTitle()).to.equal('Høringssvar vedr. Udkast til Integrationsstrategi 2026–2029');
    expect(doc.getAuthor()).to.equal('Integrationsrådet i Næstved Kommune');
    expect(doc.getProducer()).to.equal(ARCHIVE_PRODUCER);
    expect(doc.getCreationDate()?.toISOString()).to.equal('2026-03-12T11:00:00.000Z');
  });

  it('maps Strong and Em to Span and keeps Chromium’s structure tree and text as they were', async () => {
    const doc = await PDFDocument.load(archival, { updateMetadata: false });
    const root = doc.catalog.lookup(PDFName.of('StructTreeRoot'), PDFDict);
    expect(root.lookup(PDFName.of('RoleMap'), PDFDict).toString())
      .to.include('/Strong /Span')
      .and.include('/Em /Span');

    const before = await poppler(chromiumPdf);
    const after = await poppler(archival);
    expect(before.structErrors).to.include('StructElem object is wrong type');
    expect(after.structErrors).to.equal('');
    expect(after.textErrors).to.equal('');
    // poppler drops the elements it cannot type; with the RoleMap it reads Strong and Em as Span.
    // The subject is the one H1; the body's `##` sits one level lower (H3).
    const elements = outline(after.struct).map((line) => line.trim());
    expect(elements).to.include.members(['Document', 'H1', 'H3', 'P', 'Link', 'L', 'LI', 'BlockQuote', 'Table', 'TR', 'TH', 'TD']);
    expect(elements.filter((type) => type === 'Span')).to.have.length(2);
    expect(outline(before.struct).map((line) => line.trim())).not.to.include('Span');
    expect(after.text.replace(/\s+/g, ' ')).to.equal(before.text.replace(/\s+/g, ' '));
  });

  it('gives the same bytes for the same letter, so a re-render can be compared with the archive', async () => {
    const meta = letterMetadata(letter());
    const [once, twice] = await Promise.all([toArchivalPdf(chromiumPdf, meta), toArchivalPdf(chromiumPdf, meta)]);
    expect(once.equals(twice)).to.equal(true);
    const other = await toArchivalPdf(chromiumPdf, { ...meta, title: 'Et andet brev' });
    expect(other.equals(once)).to.equal(false);
  });

  it('the checks find what the rewrite cannot mend: a font that is not embedded', async () => {
    const findings = await pdfaFindings(await toArchivalPdf(tinyPdf(), letterMetadata(letter())));
    expect(findings.join('\n')).to.match(/skrifttypen er ikke indlejret: Helvetica/);
  });

  it('the checks find Info and XMP that disagree, and a standard type renamed in the RoleMap', async () => {
    const doc = await PDFDocument.load(archival, { updateMetadata: false });
    doc.setTitle('Title');
    const root = doc.catalog.lookup(PDFName.of('StructTreeRoot'), PDFDict);
    root.lookup(PDFName.of('RoleMap'), PDFDict).set(PDFName.of('P'), PDFName.of('Span'));
    const findings = await pdfaFindings(Buffer.from(await doc.save({ useObjectStreams: false })));
    expect(findings.join('\n'))
      .to.match(/Title \/ dc:title er forskellige: "Title"/)
      .and.match(/RoleMap omdøber standardtypen \/P/);
  });
});
