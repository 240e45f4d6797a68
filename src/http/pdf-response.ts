import type { Response } from 'express';

/**
 * Sends a PDF made for this request (a preview, an agenda, a handover report): shown in the
 * browser under its file name, never stored by a cache. end(), not send(): it is made anew each
 * time and gets no ETag to revalidate against.
 */
export function sendRenderedPdf(res: Response, rendered: { pdf: Buffer; fileName: string }): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Type', 'application/pdf');
  res.setHeader('Content-Disposition', `inline; filename="${rendered.fileName}"`);
  res.setHeader('Content-Length', String(rendered.pdf.length));
  res.end(rendered.pdf);
}
