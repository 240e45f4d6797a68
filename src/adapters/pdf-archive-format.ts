import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import {
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFHeader,
  PDFHexString,
  PDFName,
  PDFNumber,
  PDFRawStream,
  PDFRef,
  PDFString,
  type PDFObject,
} from 'pdf-lib';
import type { DocumentMetadata } from '../domain/pdf/renderer.ts';
import { ZONE } from '../domain/time.ts';

/*
 * Chromium's PDFs are tagged but are not PDF/A: no XMP metadata, no OutputIntent, no document ID,
 * PDF 2.0 structure types (Strong, Em) in a PDF 1.4 file without a RoleMap. This step rewrites
 * them with pdf-lib into PDF/A-2u (ISO 19005-2, Unicode level: Chromium embeds every font as a
 * subset with a ToUnicode map). Ghostscript's PDF/A conversion is no substitute: it drops the
 * structure tree and the metadata. Page content is copied as Chromium wrote it.
 */

/** The PDF/A part and conformance level the archived letter claims (pdfaid:part, pdfaid:conformance). */
export const PDFA_PART = 2;
export const PDFA_CONFORMANCE = 'U';

/** Producer of every archival PDF, in the Info dictionary and as pdf:Producer in XMP. */
export const ARCHIVE_PRODUCER = 'Chromium (Skia/PDF); pdf-lib (PDF/A-2u)';

const ICC_PROFILE_PATH = new URL('../../views/pdf/sRGB.icc', import.meta.url);
const OUTPUT_CONDITION = 'sRGB IEC61966-2.1';
let iccProfile: Buffer | null = null;

/**
 * The standard structure types of PDF 1.7 (ISO 32000-1, 14.8.4), the ones PDF/A-2 lets a structure
 * element use without a RoleMap entry. A standard type must not be mapped itself.
 */
export const STANDARD_STRUCTURE_TYPES: ReadonlySet<string> = new Set(
  (
    'Document Part Art Sect Div BlockQuote Caption TOC TOCI Index NonStruct Private P H H1 H2 H3 H4 H5 H6 ' +
    'L LI Lbl LBody Table TR TH TD THead TBody TFoot Span Quote Note Reference BibEntry Code Link Annot ' +
    'Ruby RB RT RP Warichu WT WP Figure Formula Form'
  ).split(' '),
);

// PDF 2.0 types Chromium's tagging may emit, each with the PDF 1.7 type closest in meaning; any
// other unknown type is mapped to Span, which reads its content in place and claims nothing.
const PDF20_EQUIVALENTS: Readonly<Record<string, string>> = {
  Strong: 'Span',
  Em: 'Span',
  Sub: 'Span',
  Title: 'P',
  Aside: 'Div',
  DocumentFragment: 'Div',
  FENote: 'Note',
};

// Annotation flags (ISO 32000-1, 12.5.3): PDF/A wants every annotation printed and none hidden.
const ANNOTATION_PRINT = 4;
const ANNOTATION_HIDDEN_BITS = 1 | 2 | 32; // Invisible, Hidden, NoView

function sRgbProfile(): Buffer {
  iccProfile ??= readFileSync(ICC_PROFILE_PATH);
  return iccProfile;
}

/** One line: an authority or address may carry line breaks that have no place in metadata. */
function oneLine(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The same instant as a PDF date and as an XMP date, both in Danish time so they read alike. */
function dates(value: Date): { pdf: string; xmp: string } {
  const dt = DateTime.fromJSDate(value, { zone: ZONE }).startOf('second');
  const offset = dt.toFormat('ZZ'); // +01:00
  return {
    pdf: `D:${dt.toFormat('yyyyMMddHHmmss')}${offset.slice(0, 3)}'${offset.slice(4, 6)}'`,
    xmp: dt.toISO({ suppressMilliseconds: true, includeOffset: true })!,
  };
}

/** An RFC 4122-shaped UUID (version 4 bits) from the first 16 bytes of a digest. */
function uuidFrom(digest: Buffer): string {
  const bytes = Buffer.from(digest.subarray(0, 16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

interface Described {
  title: string;
  author: string;
  subject: string;
  keywords: string;
  creator: string;
  language: string;
  date: { pdf: string; xmp: string };
  documentId: string;
}

/** The XMP packet: PDF/A identification and the same facts as the Info dictionary. */
function xmpPacket(d: Described): string {
  const lang = escapeXml(d.language);
  return `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
    xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/">
   <pdfaid:part>${PDFA_PART}</pdfaid:part>
   <pdfaid:conformance>${PDFA_CONFORMANCE}</pdfaid:conformance>
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">${escapeXml(d.title)}</rdf:li><rdf:li xml:lang="${lang}">${escapeXml(d.title)}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>${escapeXml(d.author)}</rdf:li></rdf:Seq></dc:creator>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">${escapeXml(d.subject)}</rdf:li><rdf:li xml:lang="${lang}">${escapeXml(d.subject)}</rdf:li></rdf:Alt></dc:description>
   <dc:language><rdf:Bag><rdf:li>${lang}</rdf:li></rdf:Bag></dc:language>
   <pdf:Keywords>${escapeXml(d.keywords)}</pdf:Keywords>
   <pdf:Producer>${escapeXml(ARCHIVE_PRODUCER)}</pdf:Producer>
   <xmp:CreatorTool>${escapeXml(d.creator)}</xmp:CreatorTool>
   <xmp:CreateDate>${d.date.xmp}</xmp:CreateDate>
   <xmp:ModifyDate>${d.date.xmp}</xmp:ModifyDate>
   <xmp:MetadataDate>${d.date.xmp}</xmp:MetadataDate>
   <xmpMM:DocumentID>uuid:${d.documentId}</xmpMM:DocumentID>
   <xmpMM:InstanceID>uuid:${d.documentId}</xmpMM:InstanceID>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="r"?>`;
}

function lookupDict(doc: PDFDocument, value: PDFObject | undefined): PDFDict | undefined {
  const resolved = value instanceof PDFRef ? doc.context.lookup(value) : value;
  if (resolved instanceof PDFDict) return resolved;
  if (resolved instanceof PDFRawStream) return resolved.dict;
  return undefined;
}

function lookupArray(doc: PDFDocument, value: PDFObject | undefined): PDFArray | undefined {
  const resolved = value instanceof PDFRef ? doc.context.lookup(value) : value;
  return resolved instanceof PDFArray ? resolved : undefined;
}

/** The children of a structure element or of the root (/K: one kid or an array of them). */
function kids(doc: PDFDocument, node: PDFDict): PDFObject[] {
  const k = node.get(PDFName.of('K'));
  if (!k) return [];
  const array = lookupArray(doc, k);
  return array ? array.asArray() : [k];
}

/**
 * Every structure type (/S) the structure tree uses, each once. Marked-content and object
 * references (/MCR, /OBJR) among the kids are not structure elements and have no type.
 */
export function structureTypesOf(doc: PDFDocument): Set<string> {
  const root = lookupDict(doc, doc.catalog.get(PDFName.of('StructTreeRoot')));
  const types = new Set<string>();
  if (!root) return types;
  const seen = new Set<PDFDict>();
  const pending = kids(doc, root);
  while (pending.length > 0) {
    const element = lookupDict(doc, pending.pop());
    if (!element || seen.has(element)) continue;
    seen.add(element);
    const type = element.get(PDFName.of('Type'));
    if (type instanceof PDFName && (type.asString() === '/MCR' || type.asString() === '/OBJR')) continue;
    const s = element.get(PDFName.of('S'));
    if (s instanceof PDFName) types.add(s.decodeText());
    pending.push(...kids(doc, element));
  }
  return types;
}

/** Adds a RoleMap entry for every non-standard structure type in use, keeping any entries there are. */
function mapNonStandardTypes(doc: PDFDocument): void {
  const root = lookupDict(doc, doc.catalog.get(PDFName.of('StructTreeRoot')));
  if (!root) return;
  const roleMap = lookupDict(doc, root.get(PDFName.of('RoleMap'))) ?? doc.context.obj({});
  for (const type of structureTypesOf(doc)) {
    if (STANDARD_STRUCTURE_TYPES.has(type) || roleMap.has(PDFName.of(type))) continue;
    roleMap.set(PDFName.of(type), PDFName.of(PDF20_EQUIVALENTS[type] ?? 'Span'));
  }
  root.set(PDFName.of('RoleMap'), roleMap);
}

/** Every annotation printed and visible, and no image asking for interpolation (PDF/A forbids it). */
function fixPageObjects(doc: PDFDocument): void {
  for (const page of doc.getPages()) {
    for (const annotation of lookupArray(doc, page.node.get(PDFName.of('Annots')))?.asArray() ?? []) {
      const dict = lookupDict(doc, annotation);
      if (!dict) continue;
      const flags = dict.get(PDFName.of('F'));
      const current = flags instanceof PDFNumber ? flags.asNumber() : 0;
      dict.set(PDFName.of('F'), PDFNumber.of((current | ANNOTATION_PRINT) & ~ANNOTATION_HIDDEN_BITS));
    }
  }
  for (const [, object] of doc.context.enumerateIndirectObjects()) {
    if (object instanceof PDFRawStream && object.dict.has(PDFName.of('Interpolate'))) {
      object.dict.set(PDFName.of('Interpolate'), doc.context.obj(false));
    }
  }
}

function setInfo(doc: PDFDocument, d: Described): void {
  const info = doc.context.obj({});
  info.set(PDFName.of('Title'), PDFHexString.fromText(d.title));
  info.set(PDFName.of('Author'), PDFHexString.fromText(d.author));
  info.set(PDFName.of('Subject'), PDFHexString.fromText(d.subject));
  info.set(PDFName.of('Keywords'), PDFHexString.fromText(d.keywords));
  info.set(PDFName.of('Creator'), PDFHexString.fromText(d.creator));
  info.set(PDFName.of('Producer'), PDFHexString.fromText(ARCHIVE_PRODUCER));
  info.set(PDFName.of('CreationDate'), PDFString.of(d.date.pdf));
  info.set(PDFName.of('ModDate'), PDFString.of(d.date.pdf));
  // Chromium's own Info object goes: left unreferenced it would still say Creator "Chromium".
  const previous = doc.context.trailerInfo.Info;
  if (previous instanceof PDFRef) doc.context.delete(previous);
  doc.context.trailerInfo.Info = doc.context.register(info);
}

function setCatalog(doc: PDFDocument, d: Described): void {
  const { catalog, context } = doc;
  // UTF-8, as XMP is; a string would be written as Latin-1.
  const metadata = context.stream(new Uint8Array(Buffer.from(xmpPacket(d), 'utf8')), { Type: 'Metadata', Subtype: 'XML' });
  catalog.set(PDFName.of('Metadata'), context.register(metadata));
  const profile = context.flateStream(sRgbProfile(), { N: 3 });
  const outputIntent = context.obj({
    Type: 'OutputIntent',
    S: 'GTS_PDFA1',
    OutputConditionIdentifier: PDFString.of(OUTPUT_CONDITION),
    Info: PDFString.of(OUTPUT_CONDITION),
    RegistryName: PDFString.of('http://www.color.org'),
    DestOutputProfile: context.register(profile),
  });
  catalog.set(PDFName.of('OutputIntents'), context.obj([outputIntent]));
  catalog.set(PDFName.of('Lang'), PDFString.of(d.language));
  catalog.set(PDFName.of('MarkInfo'), context.obj({ Marked: true }));
  const preferences = lookupDict(doc, catalog.get(PDFName.of('ViewerPreferences'))) ?? context.obj({});
  preferences.set(PDFName.of('DisplayDocTitle'), context.obj(true));
  catalog.set(PDFName.of('ViewerPreferences'), preferences);
}

/**
 * Rewrites a PDF from Chromium as PDF/A-2u carrying `meta`: PDF 1.7 header, XMP metadata
 * (pdfaid part 2, conformance U; title, author, subject, keywords, creator tool, dates, producer,
 * all equal to the Info dictionary's), an sRGB OutputIntent with the embedded ICC profile, a
 * document ID in the trailer, a RoleMap for every non-standard structure type, MarkInfo, /Lang and
 * DisplayDocTitle; annotations printable, no image interpolation. The result depends only on the
 * input bytes and `meta`, so the same letter rewritten twice gives the same bytes.
 *
 * @throws Error when `pdf` cannot be parsed or is encrypted.
 */
export async function toArchivalPdf(pdf: Uint8Array, meta: DocumentMetadata): Promise<Buffer> {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  if (doc.isEncrypted) throw new Error('En krypteret PDF kan ikke arkiveres som PDF/A');
  const described: Omit<Described, 'documentId'> = {
    title: oneLine(meta.title),
    author: oneLine(meta.author),
    subject: oneLine(meta.subject),
    keywords: oneLine(meta.keywords.join(', ')),
    creator: oneLine(meta.creator),
    language: meta.language,
    date: dates(meta.creationDate),
  };
  const digest = createHash('sha256').update(pdf).update(JSON.stringify(described)).digest();
  const d: Described = { ...described, documentId: uuidFrom(digest) };

  (doc.context as { header: PDFHeader }).header = PDFHeader.forVersion(1, 7);
  setInfo(doc, d);
  setCatalog(doc, d);
  mapNonStandardTypes(doc);
  fixPageObjects(doc);
  // The same value twice: the file is new, so its first version and this one are the same.
  const id = PDFHexString.of(digest.subarray(0, 16).toString('hex').toUpperCase());
  doc.context.trailerInfo.ID = doc.context.obj([id, id]);
  // A classic cross-reference table rather than object streams: every PDF tool reads it.
  return Buffer.from(await doc.save({ useObjectStreams: false, updateFieldAppearances: false }));
}
