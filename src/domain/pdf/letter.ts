import { withDocumentInfo } from './metadata.ts';
import { letterMetadata, renderLetterHtml, type LetterData, type PdfRenderer } from './renderer.ts';

/**
 * Renders a consultation response letter (views/pdf/letter.hbs) to an A4 PDF whose document
 * information carries title, author (the council), subject, keywords and creation date.
 *
 * @throws PdfRenderError / PdfRenderTimeoutError from the renderer.
 */
export async function renderLetterPdf(renderer: Pick<PdfRenderer, 'render'>, letter: LetterData): Promise<Buffer> {
  const pdf = await renderer.render(renderLetterHtml(letter));
  return withDocumentInfo(pdf, letterMetadata(letter));
}
