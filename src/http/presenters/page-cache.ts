import { gzipSync } from 'node:zlib';
import type { NextFunction, Request, Response } from 'express';
import { LRUCache } from 'lru-cache';
import type { Clock } from '../../domain/time.ts';

interface CachedPage {
  /** The data token (DataVersions) the page was rendered under. */
  token: string;
  /** The CSRF token the page's forms carry. */
  csrfToken: string | undefined;
  body: Buffer;
  /** The same body gzipped, sent to every client that accepts gzip (every browser does). */
  gzipped: Buffer;
  /** The ETag Express gives this body (its `etag fn` setting); undefined when the app sends none. */
  etag: string | undefined;
  /** When it was rendered, by the app's clock. */
  renderedAt: number;
}

export interface PageCacheOptions {
  /**
   * How long a rendered page is used at most, by the app's clock: what depends on the time
   * alone (days left, "overdue") may be this much behind; what depends on data never is.
   */
  ttlMs: number;
  /** Bytes of HTML kept at most; the least recently used pages go first. */
  maxBytes: number;
}

/**
 * Rendered pages of one route, per session and URL, for pages that many people reload all day
 * (the queue). A page is served again only while the data token it was rendered under is
 * unchanged (see src/db/change-feed.ts), the session still has the same CSRF token, and it is
 * younger than `ttlMs`. Without a token (not listening for changes) nothing is cached.
 */
export class PageCache {
  private readonly pages: LRUCache<string, CachedPage>;

  constructor(
    private readonly clock: Clock,
    private readonly options: PageCacheOptions,
  ) {
    this.pages = new LRUCache({ maxSize: options.maxBytes, sizeCalculation: (page) => page.body.length + page.gzipped.length + 256 });
  }

  /** Sends the page cached for this request if it is still good; true when it did. */
  serve(req: Request, res: Response, token: string | null): boolean {
    if (token === null) return false;
    const page = this.pages.get(keyOf(req));
    if (!page || page.token !== token || page.csrfToken !== res.locals.csrfToken) return false;
    const age = this.clock().getTime() - page.renderedAt;
    if (age < 0 || age >= this.options.ttlMs) return false;
    send(req, res, page);
    return true;
  }

  /** Renders `view`, sends it and keeps it for the next request under `token` (when not null). */
  render(req: Request, res: Response, next: NextFunction, view: string, locals: object, token: string | null): void {
    const renderedAt = this.clock().getTime();
    res.render(view, locals, (error: Error | null, html?: string) => {
      if (error || html === undefined) return next(error);
      const body = Buffer.from(html);
      const etagOf = res.app.get('etag fn') as ((body: Buffer) => string) | undefined;
      const page: CachedPage = {
        token: token ?? '',
        csrfToken: res.locals.csrfToken,
        body,
        gzipped: gzipSync(body),
        etag: etagOf?.(body),
        renderedAt,
      };
      if (token !== null) this.pages.set(keyOf(req), page);
      send(req, res, page);
    });
  }

  /** Forgets every page of this session (after it changed something, its next view is fresh). */
  forgetSession(req: Request): void {
    const prefix = `${req.sessionID}\u0000`;
    for (const key of this.pages.keys()) if (key.startsWith(prefix)) this.pages.delete(key);
  }
}

function keyOf(req: Request): string {
  return `${req.sessionID}\u0000${req.originalUrl}`;
}

/**
 * Sends the page gzipped when the client accepts it. A page is compressed once, when it is
 * rendered, and sent many times: compressing on every answer (the compression middleware) would
 * cost more CPU than the whole cached answer (gzip of 18.8 KB takes about 170 µs), while the
 * gzipped queue page is a sixth of the bytes (3.3 of 18.8 KB) for the network and the kernel.
 */
function send(req: Request, res: Response, page: CachedPage): void {
  res.type('html');
  res.vary('Accept-Encoding');
  // Set here so Express does not hash the body again on every reuse; res.send still answers 304
  // to a matching If-None-Match. A weak ETag holds for both encodings of the same page.
  if (page.etag) res.setHeader('ETag', page.etag);
  if (req.acceptsEncodings('gzip', 'identity') === 'gzip') {
    res.setHeader('Content-Encoding', 'gzip');
    res.send(page.gzipped);
  } else {
    res.send(page.body);
  }
}
