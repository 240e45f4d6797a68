import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';

/*
 * The Handlebars environment of the PDF documents (views/pdf): the letter and the agenda, with
 * the partials they share (views/pdf/partials: the page's style and the council's letterhead).
 * Its own environment: helpers and partials registered for the web views must not leak into an
 * archived letter.
 */

const PDF_VIEWS = new URL('../../../views/pdf/', import.meta.url);
// The typography of the letter's text, which the draft preview on the consultation page shares.
const LETTER_TEXT_CSS_PATH = fileURLToPath(new URL('../../../public/css/letter-text.css', import.meta.url));

const handlebars = Handlebars.create();
let partialsRegistered = false;
const compiled = new Map<string, Handlebars.TemplateDelegate>();
let letterTextCss: string | null = null;

/** The shared partials: `pageStyle` and `letterhead`. */
const PARTIALS = { pageStyle: 'page-style.hbs', letterhead: 'letterhead.hbs' } as const;

/** A template of views/pdf (e.g. 'letter.hbs'), compiled once per process with the shared partials. */
export function pdfTemplate(file: string): Handlebars.TemplateDelegate {
  if (!partialsRegistered) {
    for (const [name, partialFile] of Object.entries(PARTIALS)) {
      handlebars.registerPartial(name, readFileSync(fileURLToPath(new URL(`partials/${partialFile}`, PDF_VIEWS)), 'utf8'));
    }
    partialsRegistered = true;
  }
  let template = compiled.get(file);
  if (!template) {
    template = handlebars.compile(readFileSync(fileURLToPath(new URL(file, PDF_VIEWS)), 'utf8'), { strict: true });
    compiled.set(file, template);
  }
  return template;
}

/** public/css/letter-text.css: the typography of a document's Markdown text. */
export function letterTextStyle(): string {
  letterTextCss ??= readFileSync(LETTER_TEXT_CSS_PATH, 'utf8');
  return letterTextCss;
}
