import { launch, type Browser, type CDPSession, type HTTPRequest, type Page, type PDFOptions } from 'puppeteer-core';
import {
  PdfRenderError,
  PdfRenderRefusedError,
  PdfRenderTimeoutError,
  type PdfRenderer,
  type RenderOptions,
  type RenderPriority,
} from '../domain/pdf/renderer.ts';
import { toArchivalPdf } from './pdf-archive-format.ts';

export interface PdfRendererOptions {
  /**
   * Path to the Chromium binary (config.chromiumPath): Debian's headless shell,
   * /usr/lib/chromium/chromium-headless-shell, or a full Chromium such as /usr/bin/chromium.
   */
  chromiumPath: string;
  /** Most pages rendering at once; further renders wait in a queue. Default 2. */
  poolSize?: number;
  /**
   * Time limit for one render, counted from the call, so the wait for a slot is part of it
   * (starting Chromium is not: it has its own 30 s limit). Default 20 000 ms.
   */
  timeoutMs?: number;
  /** Most previews waiting for a slot; one more is refused (queue_full). Default 2 per pool slot. */
  maxQueuedPreviews?: number;
  /** Most previews one owner may have waiting or rendering; one more is refused (user_limit). Default 2. */
  previewsPerUser?: number;
}

export interface PdfRendererStats {
  poolSize: number;
  timeoutMs: number;
  /** Renders holding a pool slot right now. */
  active: number;
  /** The most renders that ever held a slot at the same time. */
  peakActive: number;
  /** Renders queued for a slot. */
  waiting: number;
  maxQueuedPreviews: number;
  previewsPerUser: number;
  /** Previews refused at once (queue full or the user's limit reached). */
  refused: number;
  /** Open pages kept ready for the next render. */
  idlePages: number;
  rendered: number;
  failed: number;
  timedOut: number;
  browserLaunches: number;
  /** Process id of the current Chromium, or null when none is running. */
  browserPid: number | null;
  /** Requests from rendered pages stopped by request interception (anything but data: URIs). */
  blockedRequests: number;
  /** Duration of the last successful render, in ms. */
  lastRenderMs: number | null;
}

const DEFAULT_POOL_SIZE = 2;
const DEFAULT_TIMEOUT_MS = 20_000;
const DEFAULT_QUEUED_PREVIEWS_PER_SLOT = 2;
const DEFAULT_PREVIEWS_PER_USER = 2;
// Closing a page or the browser is normally instant; a hang here means Chromium is wedged.
const CLOSE_TIMEOUT_MS = 5_000;
const LAUNCH_TIMEOUT_MS = 30_000;
// A page that has rendered this many letters is closed and replaced: its renderer's memory grows
// with every document. A new page is not free either (a renderer process to start, CDP domains to
// enable), so replacing pages more often costs CPU per letter; the figures behind this number are
// in BENCHMARKS.md (figures behind design choices).
const PAGE_MAX_RENDERS = 25;

// How often a page whose load event is still outstanding is made to lay itself out (loadContent).
const LAYOUT_NUDGE_MS = 50;

// The document lays out its own pages: size, margins, running header and "Side X af Y" footer
// come from its CSS @page rules and margin boxes (views/pdf/letter.hbs). Chromium draws margin
// boxes only when its own header and footer templates are off; those templates also could not
// leave the first page out of a running header.
const PDF_OPTIONS: PDFOptions = {
  format: 'A4',
  preferCSSPageSize: true,
  printBackground: true,
  displayHeaderFooter: false,
};

/**
 * Stops every request that is not a data: URI. Drafts are untrusted text; even after sanitising,
 * the page must not be able to make this server fetch anything (internal services, cloud
 * metadata endpoints, tracking pixels), so the logo is embedded as a data: URI instead.
 */
function allowOnlyDataUris(request: HTTPRequest, onBlocked: () => void): void {
  if (request.isInterceptResolutionHandled()) return;
  // A page closed mid-request makes continue/abort/respond reject; nothing is left to protect then.
  if (request.url().startsWith('data:')) {
    request.continue().catch(() => undefined);
    return;
  }
  onBlocked();
  if (request.isNavigationRequest()) {
    // An aborted navigation (e.g. <meta http-equiv="refresh">) replaces the letter with an empty
    // error page; a 204 answered here, without touching the network, keeps the letter in place.
    request.respond({ status: 204, headers: {}, contentType: 'text/plain', body: '' }).catch(() => undefined);
  } else {
    request.abort('blockedbyclient').catch(() => undefined);
  }
}

/**
 * How Puppeteer must start the binary at `chromiumPath`: Chromium's headless shell (Debian's
 * chromium-headless-shell) is headless only and started as 'shell'; a full Chromium runs its
 * new headless mode. The shell is the one to use for PDFs: it prints inside the renderer instead
 * of starting a print-compositor process per document, and it has no browser UI to load, so the
 * same letters take clearly less memory and time (BENCHMARKS.md, figures behind design choices).
 */
export function headlessModeFor(chromiumPath: string): true | 'shell' {
  return /headless[-_]shell$/.test(chromiumPath) ? 'shell' : true;
}

/**
 * Puts `html` into the page and waits for its load event. The headless shell runs with
 * --enable-begin-frame-control and so draws no frames; work Chromium leaves for the next frame
 * (starting an <object> once a failed stylesheet has settled, say) would then wait for ever, and
 * so would the load event. Asking for the layout metrics runs that work, so while the load event
 * is outstanding the page is asked every LAYOUT_NUDGE_MS. A letter normally loads before the
 * first nudge and is never asked.
 */
async function loadContent(page: Page, session: CDPSession, html: string, timeoutMs: number): Promise<void> {
  const nudge = setInterval(() => {
    session.send('Page.getLayoutMetrics').catch(() => undefined);
  }, LAYOUT_NUDGE_MS);
  try {
    await page.setContent(html, { waitUntil: 'load', timeout: timeoutMs });
  } finally {
    clearInterval(nudge);
  }
}

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Turns HTML into A4 PDFs with one headless Chromium shared by the whole process.
 *
 * Chromium is started on the first render, not at boot, so that processes which never render
 * (CLI, most tests) never pay for it; and it is started again when it has crashed or been killed.
 * At most `poolSize` pages render at once, because each one costs a renderer process and memory;
 * the rest wait, submissions ahead of previews and each kind in order. Previews are bounded, so
 * that one user asking for many cannot make everyone wait: a full preview queue or a user over
 * their share refuses the preview at once (PdfRenderRefusedError) instead of queueing it.
 * Pages are reused between renders and replaced when a render fails or after PAGE_MAX_RENDERS renders.
 */
export class ChromiumPdfRenderer implements PdfRenderer {
  private readonly chromiumPath: string;
  private readonly poolSize: number;
  private readonly timeoutMs: number;
  private readonly maxQueuedPreviews: number;
  private readonly previewsPerUser: number;

  private browser: Promise<Browser> | null = null;
  private currentBrowser: Browser | null = null;
  private idle: Page[] = [];
  private readonly discarded = new WeakSet<Page>();
  private readonly renders = new WeakMap<Page, number>();
  private readonly sessions = new WeakMap<Page, CDPSession>();
  private active = 0;
  private readonly waiting: Record<RenderPriority, Waiter[]> = { submission: [], preview: [] };
  /** Previews waiting or rendering, per owner. */
  private readonly previewsByOwner = new Map<string | number, number>();
  private closed = false;

  private peakActive = 0;
  private rendered = 0;
  private failed = 0;
  private timedOut = 0;
  private refused = 0;
  private browserLaunches = 0;
  private lastRenderMs: number | null = null;
  private blockedRequests = 0;
  private readonly onRequest = (request: HTTPRequest): void =>
    allowOnlyDataUris(request, () => {
      this.blockedRequests += 1;
    });

  constructor(options: PdfRendererOptions) {
    const poolSize = options.poolSize ?? DEFAULT_POOL_SIZE;
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isInteger(poolSize) || poolSize < 1) throw new RangeError(`poolSize skal være et helt tal ≥ 1, ikke ${poolSize}`);
    if (!(timeoutMs > 0)) throw new RangeError(`timeoutMs skal være positiv, ikke ${timeoutMs}`);
    this.chromiumPath = options.chromiumPath;
    this.poolSize = poolSize;
    this.timeoutMs = timeoutMs;
    this.maxQueuedPreviews = options.maxQueuedPreviews ?? poolSize * DEFAULT_QUEUED_PREVIEWS_PER_SLOT;
    this.previewsPerUser = options.previewsPerUser ?? DEFAULT_PREVIEWS_PER_USER;
  }

  /**
   * Renders a complete HTML document to a PDF, A4 unless its CSS `@page` says otherwise, with the
   * margins, header and footer of its `@page` rules. The page runs no JavaScript and can load
   * nothing but data: URIs. With `options.metadata` the PDF is then rewritten as PDF/A-2u carrying
   * it (toArchivalPdf, pdf-archive-format.ts).
   *
   * @throws PdfRenderRefusedError at once when a preview cannot be queued (queue full, or its owner
   *   already has `previewsPerUser` under way).
   * @throws PdfRenderTimeoutError when waiting and rendering together take longer than the time limit.
   * @throws PdfRenderError when Chromium fails or the renderer is closed, or its PDF cannot be
   *   rewritten as PDF/A.
   */
  async render(html: string, options: RenderOptions = {}): Promise<Buffer> {
    const pdf = await this.renderWithChromium(html, options);
    if (!options.metadata) return pdf;
    // After the slot is free: the rewrite runs in this process and needs no page.
    try {
      return await toArchivalPdf(pdf, options.metadata);
    } catch (error) {
      this.failed += 1;
      const reason = error instanceof Error ? error.message : String(error);
      throw new PdfRenderError(`PDF'en kunne ikke skrives som PDF/A: ${reason}`, { cause: error });
    }
  }

  private async renderWithChromium(html: string, options: RenderOptions): Promise<Buffer> {
    if (this.closed) throw new PdfRenderError('PDF-rendereren er lukket');
    const priority = options.priority ?? 'submission';
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const deadline = performance.now() + timeoutMs;
    const owner = priority === 'preview' ? options.owner : undefined;
    if (priority === 'preview') this.admitPreview(owner);
    if (owner !== undefined) this.previewsByOwner.set(owner, (this.previewsByOwner.get(owner) ?? 0) + 1);
    try {
      await this.acquireSlot(priority, timeoutMs);
      this.peakActive = Math.max(this.peakActive, this.active);
      const started = performance.now();
      try {
        const pdf = await this.renderInSlot(html, deadline, timeoutMs);
        this.rendered += 1;
        this.lastRenderMs = Math.round(performance.now() - started);
        return pdf;
      } catch (error) {
        this.failed += 1;
        throw error;
      } finally {
        this.releaseSlot();
      }
    } finally {
      if (owner !== undefined) {
        const left = (this.previewsByOwner.get(owner) ?? 1) - 1;
        if (left > 0) this.previewsByOwner.set(owner, left);
        else this.previewsByOwner.delete(owner);
      }
    }
  }

  /** Closes Chromium and rejects queued renders. Renders in progress fail. */
  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of [...this.waiting.submission.splice(0), ...this.waiting.preview.splice(0)]) {
      waiter.reject(new PdfRenderError('PDF-rendereren er lukket'));
    }
    this.idle = [];
    const current = this.browser;
    this.browser = null;
    this.currentBrowser = null;
    const browser = current ? await current.catch(() => null) : null;
    if (browser) await this.shutDownBrowser(browser);
  }

  /** Counters for health checks, logs and tests. */
  stats(): PdfRendererStats {
    return {
      poolSize: this.poolSize,
      timeoutMs: this.timeoutMs,
      active: this.active,
      peakActive: this.peakActive,
      waiting: this.waiting.submission.length + this.waiting.preview.length,
      maxQueuedPreviews: this.maxQueuedPreviews,
      previewsPerUser: this.previewsPerUser,
      refused: this.refused,
      idlePages: this.idle.length,
      rendered: this.rendered,
      failed: this.failed,
      timedOut: this.timedOut,
      browserLaunches: this.browserLaunches,
      browserPid: this.currentBrowser?.connected ? (this.currentBrowser.process()?.pid ?? null) : null,
      blockedRequests: this.blockedRequests,
      lastRenderMs: this.lastRenderMs,
    };
  }

  /** Refuses a preview that would wait behind too many others or exceed its owner's share. */
  private admitPreview(owner: string | number | undefined): void {
    const slotFree = this.active < this.poolSize;
    // A preview waits about one render per preview ahead of it, shared out over the slots.
    const retryAfterSeconds = Math.max(1, Math.ceil(((this.waiting.preview.length + 1) * (this.lastRenderMs ?? 1_000)) / this.poolSize / 1_000));
    if (owner !== undefined && (this.previewsByOwner.get(owner) ?? 0) >= this.previewsPerUser) {
      this.refused += 1;
      throw new PdfRenderRefusedError('user_limit', retryAfterSeconds);
    }
    if (!slotFree && this.waiting.preview.length >= this.maxQueuedPreviews) {
      this.refused += 1;
      throw new PdfRenderRefusedError('queue_full', retryAfterSeconds);
    }
  }

  /** A slot now, or a place in its priority's queue until one is free or `timeoutMs` has passed. */
  private acquireSlot(priority: RenderPriority, timeoutMs: number): Promise<void> {
    if (this.active < this.poolSize) {
      this.active += 1;
      return Promise.resolve();
    }
    const queue = this.waiting[priority];
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      // Gone from the queue when its time is up: a render that waited its whole limit is not
      // started late, and its caller hears at once.
      const timer = setTimeout(() => {
        const index = queue.indexOf(waiter);
        if (index >= 0) queue.splice(index, 1);
        this.timedOut += 1;
        this.failed += 1;
        reject(new PdfRenderTimeoutError(timeoutMs));
      }, timeoutMs);
      queue.push(waiter);
    });
  }

  private releaseSlot(): void {
    // Hand the slot straight to the next in line, submissions first, so `active` never dips and a
    // newcomer cannot overtake the queue.
    const next = this.waiting.submission.shift() ?? this.waiting.preview.shift();
    if (next) next.resolve();
    else this.active -= 1;
  }

  private async renderInSlot(html: string, deadline: number, timeoutMs: number): Promise<Buffer> {
    // Starting Chromium is outside the time limit (it has its own, LAUNCH_TIMEOUT_MS): the limit
    // is there to stop a document that takes too long, not to fail the first render after boot.
    const launchStarted = performance.now();
    const browser = await this.getBrowser();
    // What was left when the launch began is what is left now.
    const remainingMs = Math.max(1, deadline - launchStarted);
    let page: Page | undefined;
    let timedOut = false;
    const work = (async () => {
      page = await this.checkoutPage(browser);
      if (timedOut) throw new PdfRenderTimeoutError(timeoutMs);
      await loadContent(page, this.sessions.get(page)!, html, remainingMs);
      const pdf = await page.pdf({ ...PDF_OPTIONS, timeout: remainingMs });
      return Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
    })();

    let timer: NodeJS.Timeout | undefined;
    const overTime = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        reject(new PdfRenderTimeoutError(timeoutMs));
      }, remainingMs);
    });

    try {
      const pdf = await Promise.race([work, overTime]);
      if (page) await this.returnPage(page);
      return pdf;
    } catch (error) {
      // A page that failed or is still busy is never reused: it may be wedged in layout or belong
      // to a dead browser. Closing it also stops a render that ran over time. If the page is still
      // being created, close it as soon as it exists.
      void work.then(
        () => page && this.discardPage(page),
        () => page && this.discardPage(page),
      );
      if (page) await this.discardPage(page);
      if (timedOut || error instanceof PdfRenderTimeoutError) {
        this.timedOut += 1;
        throw new PdfRenderTimeoutError(timeoutMs);
      }
      if (error instanceof PdfRenderError) throw error;
      const browserGone = !browser.connected;
      const reason = error instanceof Error ? error.message : String(error);
      throw new PdfRenderError(browserGone ? `Chromium stoppede under PDF-renderingen (${reason})` : `PDF-renderingen fejlede: ${reason}`, {
        cause: error,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  private async checkoutPage(browser: Browser): Promise<Page> {
    while (this.idle.length > 0) {
      const page = this.idle.pop()!;
      if (!page.isClosed() && page.browser() === browser && browser.connected) return page;
    }
    const page = await browser.newPage();
    try {
      await page.setJavaScriptEnabled(false);
      await page.setRequestInterception(true);
      page.on('request', this.onRequest);
      this.sessions.set(page, await page.createCDPSession());
      return page;
    } catch (error) {
      await this.discardPage(page);
      throw error;
    }
  }

  private async returnPage(page: Page): Promise<void> {
    if (this.closed || this.discarded.has(page) || page.isClosed() || !page.browser().connected) return;
    const renders = (this.renders.get(page) ?? 0) + 1;
    if (renders >= PAGE_MAX_RENDERS) {
      // Closed before the slot passes on, so that the old page's renderer is gone before the
      // next render opens a new one: otherwise both hold their memory at the same moment.
      await this.discardPage(page);
      return;
    }
    this.renders.set(page, renders);
    this.idle.push(page);
  }

  private async discardPage(page: Page): Promise<void> {
    if (this.discarded.has(page)) return;
    this.discarded.add(page);
    this.idle = this.idle.filter((p) => p !== page);
    if (page.isClosed() || !page.browser().connected) return;
    const closed = await withTimeout(
      page.close({ runBeforeUnload: false }).then(
        () => true,
        () => false,
      ),
      CLOSE_TIMEOUT_MS,
    );
    // A page that will not close means the browser is wedged; start over with a new one.
    if (!closed) this.recycleBrowser(page.browser());
  }

  private async getBrowser(): Promise<Browser> {
    // Two tries: the cached browser may have died between renders without us hearing yet.
    for (let attempt = 0; attempt < 2; attempt += 1) {
      if (this.closed) throw new PdfRenderError('PDF-rendereren er lukket');
      const launching = (this.browser ??= this.launchBrowser());
      const browser = await launching;
      if (browser.connected) return browser;
      if (this.browser === launching) this.browser = null;
    }
    throw new PdfRenderError('Chromium kunne ikke startes');
  }

  private launchBrowser(): Promise<Browser> {
    const args = [
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      // No spare renderer process kept warm for the next navigation: the pool reuses its pages,
      // so a spare would only hold memory.
      '--disable-features=SpareRendererForSitePerProcess',
      // At most two renderer processes for the pool's pages (each holds a large part of the
      // memory: BENCHMARKS.md): two cores keep two busy, and more only add memory.
      '--renderer-process-limit=2',
      // The network service in the browser process instead of one of its own: every request is
      // blocked anyway (data: URIs only), so its own process would only hold memory.
      '--enable-features=NetworkServiceInProcess2',
      // Software compositing needs no process of its own: one process and its memory fewer.
      '--in-process-gpu',
      // Second wall behind request interception: <link rel="prefetch"> and preconnect are fetched
      // by the browser process, outside interception. Sending all HTTP(S) through a proxy on a
      // closed local port (and not exempting loopback) makes every such fetch fail at once.
      '--proxy-server=http://127.0.0.1:9',
      '--proxy-bypass-list=<-loopback>',
    ];
    const headless = headlessModeFor(this.chromiumPath);
    if (headless === 'shell') {
      // The headless shell then draws no frames unless a DevTools client asks for one, and we
      // never do: a PDF is printed from the document, not from a picture of it. Without this, every
      // letter is also composited and rastered for an 800×600 screen nobody sees, a good part of a
      // letter's CPU (BENCHMARKS.md, figures behind design choices).
      args.push('--enable-begin-frame-control');
    }
    // Chromium refuses to start its sandbox as root (as in our containers); elsewhere keep it.
    if (process.getuid?.() === 0) args.push('--no-sandbox');

    const launching = launch({
      executablePath: this.chromiumPath,
      headless,
      args,
      timeout: LAUNCH_TIMEOUT_MS,
      // No userDataDir: puppeteer makes a fresh temporary profile per launch and deletes it when
      // Chromium exits, so nothing carries over between browsers.
      // A pipe instead of a DevTools port: no other local process can attach to the browser.
      pipe: true,
      // Puppeteer's SIGINT handler calls process.exit(); the app does its own graceful shutdown
      // and calls close(). Chromium is still killed if Node exits.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    }).then(
      async (browser) => {
        // Chromium opens with an about:blank tab, and each tab holds a renderer process and its
        // memory. The pool opens its own pages, so close it before any of them exists.
        await Promise.all((await browser.pages()).map((page) => page.close())).catch(() => undefined);
        this.browserLaunches += 1;
        this.currentBrowser = browser;
        browser.once('disconnected', () => {
          if (this.browser === launching) this.browser = null;
          if (this.currentBrowser === browser) this.currentBrowser = null;
          this.idle = this.idle.filter((page) => page.browser() !== browser);
          // Disconnected but possibly still alive (a broken pipe): make sure it is gone.
          browser.process()?.kill('SIGKILL');
        });
        if (this.closed) {
          void this.shutDownBrowser(browser);
          throw new PdfRenderError('PDF-rendereren er lukket');
        }
        return browser;
      },
      (error: unknown) => {
        if (this.browser === launching) this.browser = null;
        const reason = error instanceof Error ? error.message : String(error);
        throw new PdfRenderError(`Chromium kunne ikke startes fra ${this.chromiumPath}: ${reason}`, { cause: error });
      },
    );
    return launching;
  }

  private recycleBrowser(browser: Browser): void {
    if (this.currentBrowser === browser) {
      this.currentBrowser = null;
      this.browser = null;
    }
    this.idle = this.idle.filter((page) => page.browser() !== browser);
    void this.shutDownBrowser(browser);
  }

  private async shutDownBrowser(browser: Browser): Promise<void> {
    const closed = await withTimeout(
      browser.close().then(
        () => true,
        () => false,
      ),
      CLOSE_TIMEOUT_MS,
    );
    if (!closed) browser.process()?.kill('SIGKILL');
  }
}
