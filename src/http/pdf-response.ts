import type { Request, Response } from 'express';
import type { ArchivedLetterDownload } from '../domain/archive/service.ts';
import type { Logger } from '../logger.ts';
import { sendStoredBytes } from './presenters/download.ts';

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

/**
 * Sends an archived PDF (a letter, or minutes): its strong ETag, 304 when the client has it, and
 * revalidated on every use, privately or publicly cached (a public page's response can be taken down).
 */
export async function sendArchivedPdf(
  req: Request,
  res: Response,
  archived: ArchivedLetterDownload,
  cache: 'private' | 'public',
  logger: Logger,
): Promise<void> {
  res.setHeader('ETag', archived.etag);
  res.setHeader('Cache-Control', `${cache}, no-cache`);
  if (!archived.pdf) {
    res.status(304).end();
    return;
  }
  res.setHeader('Content-Type', 'application/pdf');
  res.setHeader('Content-Disposition', `inline; filename="${archived.fileName}"`);
  await sendStoredBytes(req, res, { size: archived.sizeBytes, bytes: archived.pdf }, logger);
}
