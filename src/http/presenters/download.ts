import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import type { Logger } from '../../logger.ts';

/**
 * Sends a stored file's `bytes` as the body, after the headers the caller set, with its
 * Content-Length. Each slice is read only when the client has taken the one before (pipeline's
 * backpressure), so a download costs about one slice of memory however large the file is; a
 * client that goes away stops the reading. A file that cannot be read to its end cuts the
 * response off (the client sees fewer bytes than Content-Length), since its status has been sent.
 */
export async function sendStoredBytes(
  req: Request,
  res: Response,
  file: { size: number; bytes: AsyncIterable<Buffer> },
  logger: Pick<Logger, 'warn'>,
): Promise<void> {
  res.setHeader('Content-Length', String(file.size));
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  try {
    await pipeline(file.bytes, res);
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE') return;
    logger.warn({ err: error, url: req.originalUrl }, 'download cut off');
  }
}
