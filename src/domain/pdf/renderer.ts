import { AppError } from '../errors.ts';

/*
 * How the domain renders HTML to PDF. The one implementation is Chromium through Puppeteer
 * (src/adapters/chromium-pdf.ts); the letter itself is built in letter.ts.
 */

/** A render failed: Chromium crashed, was killed, or refused the page. */
export class PdfRenderError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PdfRenderError';
  }
}

/**
 * A render went over the time limit, counted from the call (waiting for a slot included); a page
 * it had was closed and will be replaced.
 */
export class PdfRenderTimeoutError extends PdfRenderError {
  constructor(readonly timeoutMs: number) {
    super(`PDF-renderingen tog mere end ${timeoutMs} ms og blev afbrudt`);
    this.name = 'PdfRenderTimeoutError';
  }
}

/**
 * A render refused at once, before it waited for anything: the preview queue is full, or its user
 * already has their share of previews under way. `retryAfterSeconds` is a fair time to try again.
 */
export class PdfRenderRefusedError extends PdfRenderError {
  constructor(
    readonly reason: 'queue_full' | 'user_limit',
    readonly retryAfterSeconds: number,
  ) {
    super(reason === 'queue_full' ? 'PDF-køen er fuld' : 'Brugeren har allerede det højeste antal PDF-visninger i gang');
    this.name = 'PdfRenderRefusedError';
  }
}

/**
 * What a failed preview render (an agenda, a handover report) tells the user: when the renderer
 * refused it, 429 for the user's own limit and RENDER_FAILED when everyone's queue is full, both
 * with `retryAfterSeconds`; anything else is logged with `context` and becomes RENDER_FAILED
 * with `userMessage`.
 */
export function previewRenderFailure(
  error: unknown,
  logger: { error(details: object, message: string): void },
  context: object,
  messages: { logMessage: string; userMessage: string },
): AppError {
  if (error instanceof PdfRenderRefusedError) {
    const meta = { retryAfterSeconds: error.retryAfterSeconds };
    if (error.reason === 'user_limit')
      return new AppError('TOO_MANY_REQUESTS', 'Du har allerede en PDF under visning. Vent lidt, og prøv igen.', { meta });
    return new AppError('RENDER_FAILED', 'Der laves mange PDF-filer lige nu. Prøv igen om lidt.', { meta });
  }
  logger.error({ err: error, ...context }, messages.logMessage);
  return new AppError('RENDER_FAILED', messages.userMessage);
}

/**
 * Who waits for a render. A submission goes ahead of every waiting preview and is never refused
 * (a council is sending its answer); a preview is a draft shown on screen and can be asked for again.
 */
export type RenderPriority = 'submission' | 'preview';

/** What a document says about itself: the PDF's Info dictionary and XMP metadata. */
export interface DocumentMetadata {
  title: string;
  author: string;
  subject: string;
  keywords: string[];
  /** The application that made the document (Info /Creator, xmp:CreatorTool). */
  creator: string;
  /** Creation and modification date: an archived document is never modified. */
  creationDate: Date;
  /** BCP 47 language of the text, e.g. "da": the document's /Lang and dc:language. */
  language: string;
}

/** What one call of {@link PdfRenderer.render} is for. */
export interface RenderOptions {
  /** Default 'submission': a caller that says nothing is never refused. */
  priority?: RenderPriority;
  /** Whose preview this is (the user id): counted against `previewsPerUser`. */
  owner?: string | number;
  /** This render's time limit in ms, from the call; default the renderer's `timeoutMs`. */
  timeoutMs?: number;
  /**
   * The document's metadata. When given, the PDF is an archival PDF/A-2u document carrying it
   * (XMP and Info dictionary, sRGB OutputIntent, document ID, RoleMap of its structure types);
   * without it, the PDF is the renderer's own.
   */
  metadata?: DocumentMetadata;
}

/** Turns a complete HTML document into an A4 PDF. */
export interface PdfRenderer {
  /**
   * Renders `html` to a PDF, A4 unless its CSS `@page` says otherwise, with the margins, header and
   * footer (margin boxes) of its `@page` rules. The page runs no JavaScript and can load nothing but
   * data: URIs.
   *
   * @throws PdfRenderRefusedError at once when a preview cannot be queued (queue full, or its owner
   *   already has their share under way).
   * @throws PdfRenderTimeoutError when waiting and rendering together take longer than the time limit.
   * @throws PdfRenderError when the renderer fails or is closed.
   */
  render(html: string, options?: RenderOptions): Promise<Buffer>;
  /** Stops the renderer; queued renders are rejected and renders in progress fail. */
  close(): Promise<void>;
}
