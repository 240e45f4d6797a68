import { XMLParser } from 'fast-xml-parser';
import JSZip from 'jszip';
import mammoth from 'mammoth';
import { extractText, getDocumentProxy } from 'unpdf';
import type { DocumentTextStatus } from '../../db/types.ts';

/** The result of reading one document's text. */
export interface ExtractedText {
  status: Exclude<DocumentTextStatus, 'pending'>;
  /** The text, for `extracted`; at most MAX_TEXT_CHARS. */
  text?: string;
  /** Pages of a PDF. */
  pageCount?: number;
  /** Why it failed, in Danish, for the document's line on the page. */
  error?: string;
}

/**
 * Limits that keep a hostile or huge file from taking the worker's memory: the stored text (a
 * 500-page report holds about 1.5 million characters), the pages read of a PDF, and the unpacked
 * size of the XML inside a DOCX or ODT (a zip bomb unpacks a few kilobytes into gigabytes).
 */
export const TEXT_LIMITS = { maxTextChars: 2_000_000, maxPdfPages: 1_000, maxUnpackedXmlBytes: 100 * 1024 * 1024 };

/** A reason to give up on a file, shown on the page as it is. */
class UnreadableDocument extends Error {}

function limited(text: string): string {
  const tidy = text
    .replaceAll('\u0000', '')
    .replace(/[ \t\f\v\u00a0]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return tidy.length > TEXT_LIMITS.maxTextChars ? tidy.slice(0, TEXT_LIMITS.maxTextChars) : tidy;
}

async function pdfText(bytes: Buffer): Promise<ExtractedText> {
  // verbosity 0: pdf.js tells of repaired files on the console, which the result already says.
  const pdf = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0 });
  try {
    const pageCount = pdf.numPages;
    if (pageCount > TEXT_LIMITS.maxPdfPages) throw new UnreadableDocument(`PDF-filen har ${pageCount} sider; højst ${TEXT_LIMITS.maxPdfPages} læses`);
    const { text } = await extractText(pdf, { mergePages: false });
    const joined = limited(text.join('\n\n'));
    // A scan has pages but no text layer: nothing to search until someone runs OCR on it.
    return joined === '' ? { status: 'no_text', pageCount } : { status: 'extracted', text: joined, pageCount };
  } finally {
    await pdf.destroy();
  }
}

/** The entry `name` of a zip, refused when it unpacks to more than the limit. */
async function zipEntry(bytes: Buffer, name: string): Promise<{ zip: JSZip; entry: JSZip.JSZipObject }> {
  const zip = await JSZip.loadAsync(bytes);
  const entry = zip.file(name);
  if (!entry) throw new UnreadableDocument(`Filen mangler ${name}`);
  // jszip reads the sizes from the zip's central directory; a liar there stops at the real end.
  const unpacked = (entry as unknown as { _data?: { uncompressedSize?: number } })._data?.uncompressedSize ?? 0;
  if (unpacked > TEXT_LIMITS.maxUnpackedXmlBytes) throw new UnreadableDocument('Filen pakker sig ud til mere end 100 MB tekst');
  return { zip, entry };
}

async function docxText(bytes: Buffer): Promise<ExtractedText> {
  await zipEntry(bytes, 'word/document.xml');
  const { value } = await mammoth.extractRawText({ buffer: bytes });
  const text = limited(value);
  return text === '' ? { status: 'no_text' } : { status: 'extracted', text };
}

type XmlNode = Record<string, unknown>;

// The elements of ODF text that stand for white space, and those whose text is not the document's.
const ODF_SPACES: Record<string, string> = { 'text:s': ' ', 'text:tab': '\t', 'text:line-break': '\n' };
const ODF_BLOCKS = new Set(['text:p', 'text:h', 'table:table-row', 'text:list-item']);
const ODF_SKIPPED = new Set(['office:annotation', 'text:note-citation', ':@']);

/** The text of ODF content nodes (fast-xml-parser's `preserveOrder` form), paragraphs on their own lines. */
function odfNodesText(nodes: XmlNode[], out: string[]): void {
  for (const node of nodes) {
    for (const [key, value] of Object.entries(node)) {
      if (key === '#text') out.push(String(value));
      else if (key in ODF_SPACES) out.push(ODF_SPACES[key]!);
      else if (ODF_SKIPPED.has(key) || !Array.isArray(value)) continue;
      else {
        odfNodesText(value as XmlNode[], out);
        if (ODF_BLOCKS.has(key)) out.push('\n');
        else if (key === 'table:table-cell') out.push('\t');
      }
    }
  }
}

async function odtText(bytes: Buffer): Promise<ExtractedText> {
  const { entry } = await zipEntry(bytes, 'content.xml');
  const xml = await entry.async('string');
  const parser = new XMLParser({ preserveOrder: true, ignoreAttributes: true, trimValues: false, processEntities: true, htmlEntities: false });
  const out: string[] = [];
  odfNodesText(parser.parse(xml) as XmlNode[], out);
  const text = limited(out.join(''));
  return text === '' ? { status: 'no_text' } : { status: 'extracted', text };
}

const READERS: Record<string, (bytes: Buffer) => Promise<ExtractedText>> = {
  'application/pdf': pdfText,
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': docxText,
  'application/vnd.oasis.opendocument.text': odtText,
};

/**
 * Reads the text of a stored document by its media type (PDF with unpdf, DOCX with mammoth, ODT
 * with jszip and fast-xml-parser). Never throws: a file that cannot be read is `failed` with the
 * reason in Danish, a PDF without a text layer (a scan) `no_text`, another type `unsupported`.
 */
export async function extractDocumentText(mediaType: string, bytes: Buffer): Promise<ExtractedText> {
  const read = READERS[mediaType];
  if (!read) return { status: 'unsupported' };
  try {
    return await read(bytes);
  } catch (error) {
    if (error instanceof UnreadableDocument) return { status: 'failed', error: error.message };
    return { status: 'failed', error: 'Filen kunne ikke læses: den er beskadiget eller ikke det format, den angiver' };
  }
}
