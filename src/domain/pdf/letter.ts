import { formatDanishDate } from '../time.ts';
import { renderMarkdownSafe } from './markdown.ts';
import { letterTextStyle, pdfTemplate } from './templates.ts';
import type { DocumentMetadata, PdfRenderer, RenderOptions } from './renderer.ts';

/**
 * Version of views/pdf/letter.hbs. Store it with every archived PDF: the archived file never
 * changes, and this says which layout produced it. Bump it whenever the template or the PDF
 * options below change the output.
 */
export const TEMPLATE_VERSION = 'letter-v2';

/** Everything the letter shows. Plain data, so the lead can fill it from any query. */
export interface LetterData {
  council: { name: string; address: string; contact: string; logoDataUri?: string | null };
  /** The recipient, e.g. "Beskæftigelses- og Uddannelsesudvalget, Næstved Kommune". */
  authority: string;
  /** The consultation's title; the letter says "Høringssvar vedr. <title>". */
  title: string;
  /** The authority's own case number ("Deres reference"). */
  authorityReference: string | null;
  /** The council's case number ("Vores reference"). */
  reference: string | null;
  date: Date;
  /** The draft or approved text, Markdown; sanitised before it reaches the page. */
  bodyMarkdown: string;
  /** Who signs on the council's behalf; required unless `draft`. */
  signer: { name: string; title: string } | null;
  /** A preview of a text not yet approved: every page is marked "UDKAST – ikke godkendt". */
  draft: boolean;
  /** How the text was approved, when the letter should record it (a written procedure's count); printed under the signature. */
  approvalRecord?: string | null;
}

/** A letter's PDF metadata (Info dictionary and XMP). */
export type LetterMetadata = DocumentMetadata;

// Only raster images and SVG, base64: anything else (a URL, or text/html) is dropped rather than
// handed to Chromium. SVG shown through <img> cannot run script or load anything.
const LOGO_DATA_URI = /^data:image\/(?:png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/]+={0,2}$/;

function documentTitle(letter: LetterData): string {
  return `Høringssvar vedr. ${letter.title}`;
}

/** The non-empty lines of a multi-line field (an address, a recipient), each trimmed. */
export function linesOf(text: string): string[] {
  return text
    .split(/\r\n|[\r\n\u2028\u2029]/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/**
 * `text` as a quoted CSS string. Everything but letters, digits and spaces is written as a CSS
 * escape (`\3C ` for `<`), so no council name or reference can end the string, the rule or the
 * <style> element it sits in. The space after each escape ends it and is not part of the text.
 */
export function cssString(text: string): string {
  const escaped = [...text.replace(/\s+/g, ' ')].map((char) =>
    /^[\p{L}\p{N} ]$/u.test(char) ? char : `\\${char.codePointAt(0)!.toString(16).toUpperCase()} `,
  );
  return `"${escaped.join('')}"`;
}

/** The council's stored logo as a data: URI for the letterhead, or null when it has none. */
export function councilLogoDataUri(council: { letterhead_logo: Buffer | null; letterhead_logo_type: string | null }): string | null {
  if (!council.letterhead_logo || !council.letterhead_logo_type) return null;
  return `data:${council.letterhead_logo_type};base64,${council.letterhead_logo.toString('base64')}`;
}

/** What views/pdf/partials/letterhead.hbs shows: the council's name, address and contact lines, and its logo when it is a safe data: URI. */
export function letterheadOf(council: LetterData['council']) {
  const logo = council.logoDataUri?.trim() ?? '';
  return {
    council: { name: council.name, addressLines: linesOf(council.address), contactLines: linesOf(council.contact) },
    logoDataUri: LOGO_DATA_URI.test(logo) ? logo : null,
  };
}

/** Pages 2 and later: the council, and the council's reference when there is one. */
function runningHeader(letter: LetterData): string {
  const council = letter.council.name.replace(/\s+/g, ' ').trim();
  return letter.reference?.trim() ? `${council} · Vores reference: ${letter.reference.trim()}` : council;
}

function keywords(letter: LetterData): string[] {
  return ['Høringssvar', letter.authority, letter.authorityReference, letter.reference].filter(
    (value): value is string => typeof value === 'string' && value.trim() !== '',
  );
}

/**
 * Builds the complete HTML document of a consultation response letter from views/pdf/letter.hbs
 * (compiled once per process). The body Markdown goes through {@link renderMarkdownSafe}; every
 * other field is escaped by Handlebars.
 *
 * @throws Error when a final (non-draft) letter has no signer: an archived letter must say who
 *   signed it on the council's behalf.
 */
export function renderLetterHtml(letter: LetterData): string {
  if (!letter.draft && !letter.signer) {
    throw new Error('Et endeligt høringssvar skal have en underskriver');
  }
  return pdfTemplate('letter.hbs')({
    templateVersion: TEMPLATE_VERSION,
    documentTitle: documentTitle(letter),
    keywords: keywords(letter).join(', '),
    letterTextCss: letterTextStyle(),
    runningHeaderCss: cssString(runningHeader(letter)),
    ...letterheadOf(letter.council),
    authorityLines: linesOf(letter.authority),
    authorityReference: letter.authorityReference,
    reference: letter.reference,
    dateText: formatDanishDate(letter.date),
    bodyHtml: renderMarkdownSafe(letter.bodyMarkdown),
    signer: letter.signer,
    approvalRecord: letter.approvalRecord ?? null,
    draft: letter.draft,
  });
}

/**
 * The PDF metadata a letter carries: title, author (the council), subject, keywords, creator
 * (this template's version), date and language (Danish).
 */
export function letterMetadata(letter: LetterData): LetterMetadata {
  return {
    title: documentTitle(letter),
    author: letter.council.name,
    subject: documentTitle(letter),
    keywords: keywords(letter),
    creator: `Rådssvar ${TEMPLATE_VERSION}`,
    creationDate: letter.date,
    language: 'da',
  };
}

/**
 * Renders a consultation response letter (views/pdf/letter.hbs) to an archival A4 PDF (PDF/A-2u)
 * whose metadata carries title, author (the council), subject, keywords and date.
 *
 * `options` say whether it is a submission or a user's preview (see PdfRenderer.render).
 *
 * @throws PdfRenderError / PdfRenderTimeoutError / PdfRenderRefusedError from the renderer.
 */
export async function renderLetterPdf(renderer: Pick<PdfRenderer, 'render'>, letter: LetterData, options?: RenderOptions): Promise<Buffer> {
  return renderer.render(renderLetterHtml(letter), { ...options, metadata: letterMetadata(letter) });
}
