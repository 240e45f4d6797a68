import { DateTime } from 'luxon';
import { ZONE } from '../time.ts';
import type { LetterMetadata } from './letter.ts';

/*
 * Chromium writes only Title (from <title>), Creator, Producer and CreationDate into a PDF's
 * document information. Author, subject and keywords are added here with an incremental update:
 * a new version of the Info object, a one-entry cross-reference section and a trailer pointing back
 * at Chromium's own (/Prev), appended after the original bytes. Nothing Chromium wrote is touched,
 * so no PDF library is needed and the page content stays byte for byte what Chromium produced.
 */

/** A PDF text string: UTF-16BE with a byte order mark, written as hex so no escaping is needed. */
function pdfText(value: string): string {
  // One line: an authority or address may carry line breaks that have no place in metadata.
  const utf16 = Buffer.from(`\uFEFF${value.replace(/\s+/g, ' ').trim()}`, 'utf16le').swap16();
  return `<${utf16.toString('hex').toUpperCase()}>`;
}

/** A PDF date in Danish time, e.g. D:20260312120000+01'00'. */
function pdfDate(value: Date): string {
  const dt = DateTime.fromJSDate(value, { zone: ZONE });
  const offset = dt.toFormat('ZZ'); // +01:00
  return `(D:${dt.toFormat('yyyyMMddHHmmss')}${offset.slice(0, 3)}'${offset.slice(4, 6)}')`;
}

interface Trailer {
  startxref: number;
  size: number;
  root: string;
  info: { object: number; generation: number } | null;
}

function readTrailer(pdf: Buffer): Trailer {
  // The last trailer and startxref sit in the last kilobytes of the file.
  const tail = pdf.subarray(Math.max(0, pdf.length - 4096)).toString('latin1');
  const startxref = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(tail);
  const trailerAt = tail.lastIndexOf('trailer');
  if (!startxref || trailerAt < 0) {
    throw new Error('PDF-filen har ikke en klassisk krydsreferencetabel; metadata kan ikke tilføjes');
  }
  const trailer = tail.slice(trailerAt, startxref.index);
  const size = /\/Size\s+(\d+)/.exec(trailer);
  const root = /\/Root\s+(\d+\s+\d+\s+R)/.exec(trailer);
  const info = /\/Info\s+(\d+)\s+(\d+)\s+R/.exec(trailer);
  if (!size || !root) throw new Error('PDF-filens trailer mangler /Size eller /Root');
  return {
    startxref: Number(startxref[1]),
    size: Number(size[1]),
    root: root[1]!,
    info: info ? { object: Number(info[1]), generation: Number(info[2]) } : null,
  };
}

/**
 * Returns the PDF with its document information set to `meta` (Title, Author, Subject, Keywords,
 * Creator, CreationDate and ModDate), added as an incremental update after Chromium's bytes.
 *
 * @throws Error when the PDF does not end in a classic cross-reference table and trailer, as
 *   Chromium's (Skia's) PDFs do.
 */
export function withDocumentInfo(pdf: Buffer, meta: LetterMetadata): Buffer {
  const trailer = readTrailer(pdf);
  // Replace Chromium's Info object in place (same number, same generation) when there is one.
  const object = trailer.info?.object ?? trailer.size;
  const generation = trailer.info?.generation ?? 0;
  const size = Math.max(trailer.size, object + 1);
  const date = pdfDate(meta.creationDate);
  const dictionary = [
    `/Title ${pdfText(meta.title)}`,
    `/Author ${pdfText(meta.author)}`,
    `/Subject ${pdfText(meta.subject)}`,
    `/Keywords ${pdfText(meta.keywords.join(', '))}`,
    `/Creator ${pdfText(meta.creator)}`,
    `/Producer ${pdfText('Chromium (Skia/PDF)')}`,
    `/CreationDate ${date}`,
    `/ModDate ${date}`,
  ].join('\n');
  const lead = pdf[pdf.length - 1] === 0x0a ? '' : '\n';
  const objectText = `${lead}${object} ${generation} obj\n<<${dictionary}>>\nendobj\n`;
  const objectOffset = pdf.length + Buffer.byteLength(lead, 'latin1');
  const xrefOffset = pdf.length + Buffer.byteLength(objectText, 'latin1');
  const xref =
    `xref\n${object} 1\n${String(objectOffset).padStart(10, '0')} ${String(generation).padStart(5, '0')} n \n` +
    `trailer\n<</Size ${size}\n/Root ${trailer.root}\n/Info ${object} ${generation} R\n/Prev ${trailer.startxref}>>\n` +
    `startxref\n${xrefOffset}\n%%EOF\n`;
  return Buffer.concat([pdf, Buffer.from(objectText + xref, 'latin1')]);
}
