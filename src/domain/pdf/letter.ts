import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { formatDanishDate } from '../time.ts';
import { renderMarkdownSafe } from './markdown.ts';
import type { DocumentMetadata, PdfRenderer, RenderOptions } from './renderer.ts';

/**
 * Version of views/pdf/letter.hbs. Store it with every archived PDF: the archived file never
 * changes, and this says which layout produced it. Bump it whenever the template or the PDF
 * options below change the output.
 */
export const TEMPLATE_VERSION = 'letter-v1';

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
}

/** A letter's PDF metadata (Info dictionary and XMP). */
export type LetterMetadata = DocumentMetadata;

const LETTER_TEMPLATE_PATH = fileURLToPath(new URL('../../../views/pdf/letter.hbs', import.meta.url));
// Its own Handlebars environment: helpers and partials registered for the web views must not
// leak into the archived letter.
const handlebars = Handlebars.create();
let letterTemplate: Handlebars.TemplateDelegate | null = null;

// Only raster images and SVG, base64: anything else (a URL, or text/html) is dropped rather than
// handed to Chromium. SVG shown through <img> cannot run script or load anything.
const LOGO_DATA_URI = /^data:image\/(?:png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/]+={0,2}$/;

function documentTitle(letter: LetterData): string {
  return `Høringssvar vedr. ${letter.title}`;
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
  letterTemplate ??= handlebars.compile(readFileSync(LETTER_TEMPLATE_PATH, 'utf8'), { strict: true });
  const logo = letter.council.logoDataUri?.trim() ?? '';
  return letterTemplate({
    templateVersion: TEMPLATE_VERSION,
    documentTitle: documentTitle(letter),
    keywords: keywords(letter).join(', '),
    council: { name: letter.council.name, address: letter.council.address, contact: letter.council.contact },
    logoDataUri: LOGO_DATA_URI.test(logo) ? logo : null,
    authority: letter.authority,
    authorityReference: letter.authorityReference,
    reference: letter.reference,
    dateText: formatDanishDate(letter.date),
    bodyHtml: renderMarkdownSafe(letter.bodyMarkdown),
    signer: letter.signer,
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
