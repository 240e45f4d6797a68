import { randomBytes } from 'node:crypto';
import type { Db } from '../../src/db/database.ts';
import type { Actor } from '../../src/domain/access/actor.ts';
import { crc32 } from 'node:zlib';
import { checkDocuments, storeDocuments } from '../../src/domain/consultations/documents.ts';
import type { Jobs } from '../../src/domain/jobs/jobs.ts';
import { recordingJobs } from './fakes.ts';

/** A small but well-formed one-page PDF, as file-type and browsers recognise it. */
export function tinyPdf(text = 'Udkast til Integrationsstrategi'): Buffer {
  const stream = `BT /F1 18 Tf 72 720 Td (${text.replace(/[()\\]/g, '')}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((obj, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${obj}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

/** A zip archive with stored (uncompressed) entries, enough to make DOCX and ODT skeletons. */
export function storedZip(entries: { name: string; data: string }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const data = Buffer.from(entry.data, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, data);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += 30 + name.length + data.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}

/** A DOCX skeleton: what file-type reads to tell Word documents from other zips. */
export function tinyDocx(): Buffer {
  return storedZip([
    {
      name: '[Content_Types].xml',
      data: '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
    },
    { name: 'word/document.xml', data: '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>' },
  ]);
}

/** An ODT skeleton: the `mimetype` entry first, as OpenDocument requires. */
export function tinyOdt(): Buffer {
  return storedZip([
    { name: 'mimetype', data: 'application/vnd.oasis.opendocument.text' },
    { name: 'content.xml', data: '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>' },
  ]);
}

/**
 * A PDF of exactly `size` bytes: a real one-page PDF followed by random bytes in a comment, as
 * incompressible as the images of a real consultation letter.
 */
export function largePdf(size: number): Buffer {
  const head = tinyPdf('Stor høringsbilag');
  const comment = Buffer.from('%', 'latin1');
  return Buffer.concat([head, comment, randomBytes(Math.max(0, size - head.length - comment.length))]);
}

/**
 * Stores `bytes` as a document of the consultation (its text job queued on `jobs`, by default
 * one that runs nothing); returns the document's id.
 */
export async function storeDocument(
  db: Db,
  actor: Actor,
  consultationId: string,
  bytes: Buffer,
  name = 'bilag.pdf',
  jobs: Jobs = recordingJobs(),
): Promise<number> {
  const [id] = await storeDocuments(db, jobs, actor, consultationId, await checkDocuments([{ originalName: name, bytes }]));
  return id!;
}

/**
 * An authority's document of the consultation whose name and extracted text carry `marker`, stored
 * as read already: for the tests that check a document never reaches a public page or mail.
 */
export async function insertReadDocumentWithMarker(db: Db, consultationId: string, marker: string): Promise<void> {
  await db
    .insertInto('consultation_documents')
    .values({
      consultation_id: consultationId,
      filename: `bilag-${marker}.pdf`,
      media_type: 'application/pdf',
      size: 4,
      sha256: '0'.repeat(64),
      bytes: Buffer.from('%PDF'),
      text_status: 'extracted',
      extracted_text: `Bilagstekst ${marker}`,
    })
    .execute();
}
