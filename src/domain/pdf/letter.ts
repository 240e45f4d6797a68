import { withDocumentInfo } from './metadata.ts';
import { letterMetadata, renderLetterHtml, type LetterData, type PdfRenderer, type RenderOptions } from './renderer.ts';

/**
 * Renders a consultation response letter (views/pdf/letter.hbs) to an A4 PDF whose document
 * information carries title, author (the council), subject, keywords and creation date.
 *
 * `options` say whether it is a submission or a user's preview (see PdfRenderer.render).
 *
 * @throws PdfRenderError / PdfRenderTimeoutError / PdfRenderRefusedError from the renderer.
 */
export async function renderLetterPdf(renderer: Pick<PdfRenderer, 'render'>, letter: LetterData, options?: RenderOptions): Promise<Buffer> {
  const pdf = await renderer.render(renderLetterHtml(letter), options);
  return withDocumentInfo(pdf, letterMetadata(letter));
}
