import { expect } from 'chai';
import { extractText, getMeta } from 'unpdf';
import { ChromiumPdfRenderer } from '../../src/adapters/chromium-pdf.ts';
import { PdfRenderError, PdfRenderRefusedError, PdfRenderTimeoutError } from '../../src/domain/pdf/renderer.ts';
import { TEMPLATE_VERSION, cssString, letterMetadata, renderLetterHtml, renderLetterPdf, type LetterData } from '../../src/domain/pdf/letter.ts';

import { startListener, type RecordingListener } from '../support/listener.ts';
import { pdfPageTexts, pdfStructure } from '../support/poppler.ts';
import { DEFAULT_CHROMIUM_PATH } from '../../src/config.ts';

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM_PATH;

// 1×1 PNG; a raster logo shows up in the PDF as an image XObject we can count.
const PNG_LOGO = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

function letter(overrides: Partial<LetterData> = {}): LetterData {
  return {
    council: {
      name: 'Integrationsrådet i Næstved Kommune',
      address: 'Rådmandshaven 20\n4700 Næstved',
      contact: 'integrationsraad@naestved.dk · 55 88 55 88',
      logoDataUri: null,
    },
    authority: 'Beskæftigelses- og Uddannelsesudvalget, Næstved Kommune',
    title: 'Udkast til Integrationsstrategi 2026–2029',
    authorityReference: '24.10.00-P15-3-25',
    reference: 'IR-2026-014',
    date: new Date('2026-03-12T11:00:00Z'),
    bodyMarkdown:
      '## Bemærkninger\n\nRådet støtter målet om, at flere får fodfæste på arbejdsmarkedet, og ønsker særlig opmærksomhed på ældre borgeres økonomi.',
    signer: { name: 'Ahmad Hussein', title: 'formand' },
    draft: false,
    ...overrides,
  };
}

interface PdfContent {
  pages: number;
  /** Text per page, whitespace collapsed so line wrapping does not matter. */
  pageText: string[];
  text: string;
}

async function readPdf(pdf: Buffer): Promise<PdfContent> {
  const { totalPages, text } = await extractText(new Uint8Array(pdf), { mergePages: false });
  const pageText = text.map((page) => page.replace(/\s+/g, ' ').trim());
  return { pages: totalPages, pageText, text: pageText.join(' ') };
}

/** External references of every kind the brief names, plus script that would leave a trace. */
function hostileMarkup(url: string): string {
  return [
    `<script>document.write('SKRIPT-KØRTE')</script>`,
    `<script src="${url}/script.js"></script>`,
    `<img src="${url}/x">`,
    `<iframe src="${url}/frame"></iframe>`,
    `<style>body{background:url(${url}/y)}</style>`,
    `<link rel=stylesheet href="${url}/style.css">`,
  ].join('\n');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A plain HTML document of `paragraphs` paragraphs, heavy enough to take seconds to print. */
function heavyHtml(paragraphs: number): string {
  const body = Array.from(
    { length: paragraphs },
    (_, i) => `<p>Afsnit ${i + 1}: Rådet bemærker, at økonomien for de ældre borgere skal sikres på længere sigt.</p>`,
  ).join('');
  return `<!DOCTYPE html><html lang="da"><head><meta charset="utf-8"><title>Tung</title></head><body>${body}</body></html>`;
}

async function timed<T>(label: string, timings: string[], work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    timings.push(`${label}: ${Math.round(performance.now() - started)} ms`);
  }
}

describe('renderLetterHtml', () => {
  it('escapes every field except the sanitised body', () => {
    const html = renderLetterHtml(
      letter({
        authority: '<img src="http://127.0.0.1:9/a">Ministeriet',
        title: '<script>x()</script>Forslag',
        bodyMarkdown: 'Tekst <img src="http://127.0.0.1:9/b">',
      }),
    );
    expect(html).to.include('&lt;img src&#x3D;&quot;http://127.0.0.1:9/a&quot;&gt;Ministeriet');
    expect(html).to.include('Høringssvar vedr. &lt;script&gt;x()&lt;/script&gt;Forslag');
    expect(html).not.to.match(/<img|<script/i);
  });

  it('carries the title, author, subject and keywords in the head', () => {
    const html = renderLetterHtml(letter());
    expect(html).to.include('<title>Høringssvar vedr. Udkast til Integrationsstrategi 2026–2029</title>');
    expect(html).to.include('<meta name="author" content="Integrationsrådet i Næstved Kommune">');
    expect(html).to.include(
      '<meta name="keywords" content="Høringssvar, Beskæftigelses- og Uddannelsesudvalget, Næstved Kommune, 24.10.00-P15-3-25, IR-2026-014">',
    );
    expect(html).to.include(`Rådssvar ${TEMPLATE_VERSION}`);
    expect(letterMetadata(letter())).to.deep.include({
      author: 'Integrationsrådet i Næstved Kommune',
      subject: 'Høringssvar vedr. Udkast til Integrationsstrategi 2026–2029',
    });
  });

  it('uses only a data: image URI as logo', () => {
    expect(renderLetterHtml(letter({ council: { ...letter().council, logoDataUri: PNG_LOGO } }))).to.include('<img class="logo"');
    for (const logo of ['http://127.0.0.1:9/logo.png', 'data:text/html;base64,PHNjcmlwdD4=', 'data:image/png;base64,"onerror="x']) {
      const html = renderLetterHtml(letter({ council: { ...letter().council, logoDataUri: logo } }));
      expect(html, logo).not.to.include('<img');
    }
  });

  it('writes the running header as a CSS string that no council name can end', () => {
    expect(cssString('Rådet i Køge')).to.equal('"Rådet i Køge"');
    expect(cssString('a"b\\c</style>')).to.equal('"a\\22 b\\5C c\\3C \\2F style\\3E "');
    const html = renderLetterHtml(letter({ council: { ...letter().council, name: 'Rådet"; } @page { margin: 0 } </style><p>x' } }));
    // The template's own two style elements, and no third end tag from the council's name.
    expect(html.match(/<\/style>/g)).to.have.length(2);
  });

  it('refuses a final letter without a signer, but previews a draft without one', () => {
    expect(() => renderLetterHtml(letter({ signer: null }))).to.throw(/underskriver/);
    expect(renderLetterHtml(letter({ signer: null, draft: true }))).to.include('På vegne af Integrationsrådet i Næstved Kommune');
  });
});

describe('ChromiumPdfRenderer', function () {
  this.timeout(180_000);
  const timings: string[] = [];
  let renderer: ChromiumPdfRenderer;

  before(() => {
    renderer = new ChromiumPdfRenderer({ chromiumPath: CHROMIUM_PATH });
  });

  after(async () => {
    await renderer.close();
    if (process.env.PDF_TIMINGS) console.log(`      ${timings.join('\n      ')}`);
  });

  it('renders the formal letter with letterhead, recipient, date, references, body and signature', async () => {
    const pdf = await timed('letter (cold, includes starting Chromium)', timings, () =>
      renderer.render(
        renderLetterHtml(
          letter({
            bodyMarkdown:
              '## Bemærkninger\n\nRådet **støtter** målet om, at flere får fodfæste på arbejdsmarkedet.\n\n- Større fokus på ældre borgeres økonomi\n- Sprogundervisning for både børn og forældre\n\n| Punkt | Bemærkning |\n|---|---|\n| 3.2 | Rådet ønsker at blive inddraget løbende |',
          }),
        ),
      ),
    );
    expect(pdf.subarray(0, 5).toString('latin1')).to.equal('%PDF-');
    const { pages, text } = await readPdf(pdf);
    expect(pages).to.equal(1);
    for (const expected of [
      'Integrationsrådet i Næstved Kommune',
      'Rådmandshaven 20 4700 Næstved',
      'integrationsraad@naestved.dk · 55 88 55 88',
      'Beskæftigelses- og Uddannelsesudvalget, Næstved Kommune',
      '12. marts 2026',
      'Deres reference: 24.10.00-P15-3-25',
      'Vores reference: IR-2026-014',
      'Høringssvar vedr. Udkast til Integrationsstrategi 2026–2029',
      'Rådet støtter målet om, at flere får fodfæste på arbejdsmarkedet.',
      'Større fokus på ældre borgeres økonomi',
      'Rådet ønsker at blive inddraget løbende',
      'Med venlig hilsen På vegne af Integrationsrådet i Næstved Kommune Ahmad Hussein, formand',
      'Side 1 af 1',
    ]) {
      expect(text).to.include(expected);
    }
    expect(text).not.to.include('UDKAST');
    // A one-page letter has no running header: its letterhead says it all.
    expect(text).not.to.include('· Vores reference');

    const { info } = await getMeta(new Uint8Array(pdf));
    expect(info.Title).to.equal('Høringssvar vedr. Udkast til Integrationsstrategi 2026–2029');
  });

  it('leaves out the references that are missing', async () => {
    const { text } = await readPdf(await renderer.render(renderLetterHtml(letter({ authorityReference: null, reference: null }))));
    expect(text).not.to.include('Deres reference');
    expect(text).not.to.include('Vores reference');
    expect(text).to.include('12. marts 2026');
  });

  it('keeps the widest reference and the date each on one line beside a long recipient', async () => {
    // A prefix of eight wide letters (the longest a council may choose) beside a recipient that fills its column:
    // the references must not break at their hyphens, the recipient gives way.
    const widest = 'WWWWWWWW-2026-0142';
    const pdf = await renderer.render(
      renderLetterHtml(
        letter({
          reference: widest,
          authorityReference: '24.10.00-P15-3-25-WWWW',
          authority: 'Beskæftigelses- og Uddannelsesudvalget og Social- og Sundhedsudvalget, Næstved Kommune',
        }),
      ),
    );
    const lines = (await pdfPageTexts(pdf))[0]!.split('\n').map((line) => line.trim());
    expect(lines).to.include(`Vores reference: ${widest}`);
    expect(lines).to.include('Deres reference: 24.10.00-P15-3-25-WWWW');
    expect(lines).to.include('12. marts 2026');
  });

  describe('structure and text, read by poppler', () => {
    const longWord =
      'integrationbeskæftigelsesuddannelsesvejledningsindsatshandleplansundervisningstilbudsforløbskommunestrategiøkonomiældreboligsocialkraft';
    const body = [
      '# Indledning',
      `Rådet bemærker ${longWord} i forslaget.`,
      '## Detaljer',
      '<h1>Rå HTML-overskrift</h1>',
      [
        '| Punkt | Bemærkning | Kilde |',
        '|---|---|---|',
        `| 3.2 | Rådet ønsker at blive inddraget løbende | https://www.naestved.dk/${'integrationsstrategien/'.repeat(6)} |`,
      ].join('\n'),
    ].join('\n\n');
    let pdf: Buffer;

    before(async () => {
      expect(longWord).to.have.length(135);
      pdf = await renderLetterPdf(
        renderer,
        letter({
          council: { ...letter().council, address: 'Rådmandshaven 20\n4700 Næstved\nDanmark' },
          authority: 'Beskæftigelsesudvalget\nNæstved Kommune',
          bodyMarkdown: body,
        }),
      );
    });

    it('keeps a 135-letter word whole, in the text and in the tags', async () => {
      const [page] = await pdfPageTexts(pdf);
      expect(page!.replace(/\s+/g, '')).to.include(longWord);
      expect((await pdfStructure(pdf)).text.replace(/\s+/g, '')).to.include(longWord);
    });

    it('has one H1, the subject; the body’s headings sit one level below it', async () => {
      const { elements } = await pdfStructure(pdf);
      const headings = elements.filter((element) => /^H\d$/.test(element.type)).map((element) => `${element.type} ${element.text}`);
      expect(headings).to.deep.equal([
        'H1 Høringssvar vedr. Udkast til Integrationsstrategi 2026–2029',
        'H2 Indledning',
        'H3 Detaljer',
        'H2 Rå HTML-overskrift',
      ]);
    });

    it('gives every address line its own line in the text and its own paragraph in the tags', async () => {
      const lines = (await pdfPageTexts(pdf))[0]!.split('\n');
      const paragraphs = (await pdfStructure(pdf)).elements.filter((element) => element.type === 'P').map((element) => element.text);
      for (const line of ['Rådmandshaven 20', '4700 Næstved', 'Danmark', 'Beskæftigelsesudvalget', 'Næstved Kommune']) {
        expect(lines, line).to.include(line);
        expect(paragraphs, line).to.include(line);
      }
    });

    it('reads in order: letterhead, recipient, references, subject, text, closing and signature', async () => {
      const { elements } = await pdfStructure(pdf);
      const paragraphs = elements.filter((element) => element.text !== '').map((element) => element.text);
      const order = [
        'Integrationsrådet i Næstved Kommune',
        'Rådmandshaven 20',
        'integrationsraad@naestved.dk · 55 88 55 88',
        'Beskæftigelsesudvalget',
        '12. marts 2026',
        'Deres reference: 24.10.00-P15-3-25',
        'Vores reference: IR-2026-014',
        'Høringssvar vedr. Udkast til Integrationsstrategi 2026–2029',
        'Indledning',
        'Punkt',
        'Med venlig hilsen',
        'På vegne af Integrationsrådet i Næstved Kommune',
        'Ahmad Hussein, formand',
      ].map((text) => paragraphs.indexOf(text));
      expect(order).not.to.include(-1);
      expect(order).to.deep.equal([...order].sort((a, b) => a - b));
      // The letter ends with the closing and the signature.
      expect(paragraphs.slice(-3)).to.deep.equal(['Med venlig hilsen', 'På vegne af Integrationsrådet i Næstved Kommune', 'Ahmad Hussein, formand']);
    });

    it('puts the running header on page 2 and later only, outside the tags, with the council’s name as written', async () => {
      const council = 'Rådet "for" \\ ældre; } </style> & co';
      const markdown = Array.from({ length: 40 }, (_, i) => `Afsnit ${i + 1}: Rådet savner en plan for de ældre medlemmer af foreningerne.`).join(
        '\n\n',
      );
      const long = await renderLetterPdf(renderer, letter({ council: { ...letter().council, name: council }, bodyMarkdown: markdown }));
      const pages = await pdfPageTexts(long);
      expect(pages.length).to.be.at.least(2);
      const header = `${council} · Vores reference: IR-2026-014`;
      expect(pages[0]!.split('\n')).not.to.include(header);
      for (const page of pages.slice(1)) expect(page.split('\n')).to.include(header);
      // A screen reader reads the letterhead once, not a header on every page.
      expect((await pdfStructure(long)).text).not.to.include('· Vores reference');

      const withoutReference = await pdfPageTexts(await renderLetterPdf(renderer, letter({ reference: null, bodyMarkdown: markdown })));
      expect(withoutReference[1]!.split('\n')).to.include('Integrationsrådet i Næstved Kommune');
      expect(withoutReference.join('\n')).not.to.include('Vores reference');
    });
  });

  it('numbers the pages "Side X af Y" on a letter of exactly three pages', async () => {
    const paragraph =
      'Integrationsrådet bemærker, at strategien bør styrke samarbejdet med foreninger, skoler og jobcentret, så nyankomne familier får én indgang til kommunen. Rådet foreslår, at der afsættes midler til brobyggere, og at erfaringerne fra Næstved Kommunes sprogcaféer udbredes til flere bydele.';
    let count = 8;
    let result: PdfContent | undefined;
    // Grow the body until the letter spills onto a third page; one paragraph cannot add two pages.
    for (;;) {
      const markdown = Array.from({ length: count }, (_, i) => `${i + 1}. afsnit. ${paragraph}`).join('\n\n');
      const pdf = await timed(`letter with ${count} paragraphs`, timings, () =>
        renderer.render(renderLetterHtml(letter({ bodyMarkdown: markdown }))),
      );
      result = await readPdf(pdf);
      if (result.pages >= 3) break;
      count += result.pages === 1 ? 4 : 1;
      expect(count, 'paragraphs needed for three pages').to.be.below(80);
    }
    expect(result.pages).to.equal(3);
    expect(result.pageText[0]).to.include('Side 1 af 3');
    expect(result.pageText[1]).to.include('Side 2 af 3');
    expect(result.pageText[2]).to.include('Side 3 af 3');
    expect(result.pageText[0]).to.include('Høringssvar vedr. Udkast til Integrationsstrategi 2026–2029');
    expect(result.text).to.include(`${count}. afsnit.`);
    expect(result.pageText[2]).to.include('Med venlig hilsen På vegne af Integrationsrådet i Næstved Kommune Ahmad Hussein, formand');
    // Pages 2 and 3 carry the running header; page 1 has the letterhead instead.
    const header = 'Integrationsrådet i Næstved Kommune · Vores reference: IR-2026-014';
    expect(result.pageText[0]).not.to.include(header);
    expect(result.pageText[1]).to.include(header);
    expect(result.pageText[2]).to.include(header);
  });

  it('marks every page of a draft preview "UDKAST – ikke godkendt"', async () => {
    const markdown = Array.from({ length: 30 }, (_, i) => `Afsnit ${i + 1}: Rådet savner en plan for de ældre medlemmer af foreningerne.`).join(
      '\n\n',
    );
    const { pages, pageText } = await readPdf(await renderer.render(renderLetterHtml(letter({ draft: true, signer: null, bodyMarkdown: markdown }))));
    expect(pages).to.be.at.least(2);
    for (const page of pageText) expect(page).to.include('UDKAST – ikke godkendt');
  });

  it('shows a data: URI logo, so data: requests still load', async () => {
    // Skia writes image XObjects as plain dictionaries, so counting them in the bytes is enough.
    const imagesIn = (pdf: Buffer) => pdf.toString('latin1').match(/\/Subtype \/Image\b/g)?.length ?? 0;
    const withLogo = await renderer.render(renderLetterHtml(letter({ council: { ...letter().council, logoDataUri: PNG_LOGO } })));
    const withoutLogo = await renderer.render(renderLetterHtml(letter()));
    // The PNG has an alpha channel, so Skia may add a soft mask as a second image.
    expect(imagesIn(withLogo)).to.be.at.least(1);
    expect(imagesIn(withoutLogo)).to.equal(0);
  });

  describe('untrusted content', () => {
    let listener: RecordingListener;
    // A renderer of each test's own: closing it after the render ends every fetch Chromium could
    // still make, so the listener's record is final once it has settled (no waiting on a clock).
    let own: ChromiumPdfRenderer;

    beforeEach(async () => {
      listener = await startListener();
      own = new ChromiumPdfRenderer({ chromiumPath: CHROMIUM_PATH });
    });

    afterEach(async () => {
      await own.close();
      await listener.close();
    });

    /** Renders `html` with this test's renderer, then closes its browser and lets the listener settle. */
    async function renderThenStopBrowser(html: string) {
      const pdf = await own.render(html);
      await own.close();
      await listener.settle();
      return pdf;
    }

    it('a hostile draft makes no request and runs no script', async () => {
      const html = renderLetterHtml(
        letter({ draft: true, bodyMarkdown: `Første afsnit om sprogskolen.\n\n${hostileMarkup(listener.url)}\n\nSidste afsnit om ældre.` }),
      );
      const { text } = await readPdf(await renderThenStopBrowser(html));
      expect(listener.requests).to.deep.equal([]);
      expect(listener.connections()).to.equal(0);
      expect(text).to.include('Første afsnit om sprogskolen.');
      expect(text).to.include('Sidste afsnit om ældre.');
      expect(text).not.to.include('SKRIPT');
    });

    it('unsanitised HTML with the same references: request interception alone stops every fetch', async () => {
      const blockedBefore = own.stats().blockedRequests;
      const html = `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><p>Før æøå</p>${hostileMarkup(listener.url)}<p>Efter</p></body></html>`;
      const pdf = await own.render(html);
      const blocked = own.stats().blockedRequests - blockedBefore;
      await own.close();
      await listener.settle();
      const { text } = await readPdf(pdf);
      expect(listener.requests).to.deep.equal([]);
      expect(listener.connections()).to.equal(0);
      // x, frame, y and style.css each reached the interceptor and were stopped there (with
      // JavaScript off, Chromium does not even ask for script.js).
      expect(blocked).to.be.at.least(4);
      expect(text).to.include('Før æøå');
      expect(text).to.include('Efter');
      expect(text).not.to.include('SKRIPT');
    });

    it('browser-level fetches (prefetch, preconnect) and a meta refresh do not get out either', async () => {
      const url = listener.url;
      const html =
        `<!DOCTYPE html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${url}/refresh">` +
        `<link rel="prefetch" href="${url}/prefetch"><link rel="preconnect" href="${url}"><link rel="dns-prefetch" href="${url}">` +
        `<link rel="preload" as="image" href="${url}/preload"><link rel="icon" href="${url}/icon">` +
        `<style>@import url(${url}/import); @font-face { font-family: X; src: url(${url}/font) } p { font-family: X, sans-serif }</style>` +
        `</head><body><p>Brevet står der stadig</p><object data="${url}/object"></object><embed src="${url}/embed">` +
        `<svg><image href="${url}/svg"/></svg></body></html>`;
      const { text } = await readPdf(await renderThenStopBrowser(html));
      expect(listener.requests).to.deep.equal([]);
      expect(listener.connections()).to.equal(0);
      expect(text).to.include('Brevet står der stadig');
    });
  });

  it('fails a render when Chromium is killed mid-render, and the next render starts a new browser', async () => {
    const own = new ChromiumPdfRenderer({ chromiumPath: CHROMIUM_PATH });
    try {
      await own.render('<p>opvarmning</p>');
      const pid = own.stats().browserPid;
      expect(pid).to.be.a('number');

      const heavy = own.render(heavyHtml(10_000));
      const outcome = heavy.then(
        () => 'resolved',
        (error: unknown) => error,
      );
      await sleep(400); // well into setContent/pdf, which take seconds for this document
      expect(own.stats().active).to.equal(1);
      process.kill(pid!, 'SIGKILL');

      const error = await outcome;
      expect(error).to.be.instanceOf(PdfRenderError);
      expect((error as Error).message).to.match(/^Chromium stoppede under PDF-renderingen/);

      const { text } = await readPdf(
        await timed('render after crash (includes new browser)', timings, () => own.render('<p>Efter genstart: æ, ø og å</p>')),
      );
      expect(text).to.include('Efter genstart: æ, ø og å');
      expect(own.stats().browserLaunches).to.equal(2);
      expect(own.stats().browserPid).to.be.a('number').and.not.equal(pid);
    } finally {
      await own.close();
    }
  });

  it('never runs more than poolSize renders at once', async () => {
    const own = new ChromiumPdfRenderer({ chromiumPath: CHROMIUM_PATH, poolSize: 2 });
    try {
      let maxActive = 0;
      let maxWaiting = 0;
      const sampler = setInterval(() => {
        const { active, waiting } = own.stats();
        maxActive = Math.max(maxActive, active);
        maxWaiting = Math.max(maxWaiting, waiting);
      }, 2);
      const pdfs = await timed('6 concurrent renders, pool of 2', timings, () =>
        Promise.all(Array.from({ length: 6 }, (_, i) => own.render(heavyHtml(300).replace('<body>', `<body><h1>Render ${i + 1}</h1>`)))),
      ).finally(() => clearInterval(sampler));

      for (const [i, pdf] of pdfs.entries()) expect((await readPdf(pdf)).text).to.include(`Render ${i + 1}`);
      const stats = own.stats();
      expect(stats.peakActive).to.equal(2);
      expect(maxActive).to.be.at.most(2);
      expect(maxWaiting).to.be.at.least(1);
      expect(stats.rendered).to.equal(6);
      expect(stats.active).to.equal(0);
      expect(stats.waiting).to.equal(0);
      expect(stats.idlePages).to.be.at.most(2);
      expect(stats.browserLaunches).to.equal(1);
    } finally {
      await own.close();
    }
  });

  it('rejects a render over the time limit, closes its page, and renders the next one', async () => {
    const own = new ChromiumPdfRenderer({ chromiumPath: CHROMIUM_PATH, timeoutMs: 1_500 });
    try {
      await own.render('<p>opvarmning</p>');
      const started = performance.now();
      let error: unknown;
      try {
        await own.render(heavyHtml(20_000));
      } catch (caught) {
        error = caught;
      }
      const elapsed = performance.now() - started;
      timings.push(`render over the 1500 ms limit rejected after ${Math.round(elapsed)} ms`);
      expect(error).to.be.instanceOf(PdfRenderTimeoutError);
      expect((error as Error).message).to.equal('PDF-renderingen tog mere end 1500 ms og blev afbrudt');
      // The warm-up page did the heavy render and was closed, not put back for reuse.
      expect(own.stats()).to.deep.include({ timedOut: 1, idlePages: 0, active: 0 });

      const { text } = await readPdf(await own.render('<p>Næste brev går igennem</p>'));
      expect(text).to.include('Næste brev går igennem');
      expect(own.stats().browserLaunches).to.equal(1);
    } finally {
      await own.close();
    }
  });

  describe('under load', () => {
    const page = (label: string) => `<p>${label}</p>`;
    async function refusal(render: Promise<unknown>): Promise<PdfRenderRefusedError> {
      const error = await render.then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).to.be.instanceOf(PdfRenderRefusedError);
      return error as PdfRenderRefusedError;
    }

    it('renders a submission next, ahead of a full queue of previews, and refuses one preview more at once', async () => {
      const own = new ChromiumPdfRenderer({ chromiumPath: CHROMIUM_PATH, poolSize: 1, maxQueuedPreviews: 3 });
      try {
        const finished: string[] = [];
        const render = (label: string, options: Parameters<ChromiumPdfRenderer['render']>[1]) =>
          own.render(page(label), options).then((pdf) => {
            finished.push(label);
            return pdf;
          });
        // All called in one go: the first takes the only slot, the rest queue in call order.
        const renders = [
          render('første udkast', { priority: 'preview', owner: 1 }),
          render('udkast 2', { priority: 'preview', owner: 2 }),
          render('udkast 3', { priority: 'preview', owner: 3 }),
          render('udkast 4', { priority: 'preview', owner: 4 }),
          render('indsendelse', { priority: 'submission' }),
        ];
        const tooMany = await refusal(own.render(page('udkast 5'), { priority: 'preview', owner: 5 }));
        expect(tooMany.reason).to.equal('queue_full');
        expect(tooMany.retryAfterSeconds).to.be.at.least(1);
        expect(own.stats()).to.deep.include({ waiting: 4, refused: 1 });

        await Promise.all(renders);
        expect(finished).to.deep.equal(['første udkast', 'indsendelse', 'udkast 2', 'udkast 3', 'udkast 4']);
        expect(own.stats()).to.deep.include({ rendered: 5, active: 0, waiting: 0 });
      } finally {
        await own.close();
      }
    });

    it('lets one user have at most previewsPerUser previews under way; others and later ones go through', async () => {
      const own = new ChromiumPdfRenderer({ chromiumPath: CHROMIUM_PATH, poolSize: 1, previewsPerUser: 2 });
      try {
        const first = [own.render(page('a1'), { priority: 'preview', owner: 7 }), own.render(page('a2'), { priority: 'preview', owner: 7 })];
        const third = await refusal(own.render(page('a3'), { priority: 'preview', owner: 7 }));
        expect(third.reason).to.equal('user_limit');
        const someoneElse = own.render(page('b1'), { priority: 'preview', owner: 8 });
        await Promise.all([...first, someoneElse]);
        const { text } = await readPdf(await own.render(page('a4 bagefter'), { priority: 'preview', owner: 7 }));
        expect(text).to.include('a4 bagefter');
        expect(own.stats()).to.deep.include({ rendered: 4, refused: 1 });
      } finally {
        await own.close();
      }
    });

    it('fails a render that waited its whole time limit for a slot, without starting it late', async () => {
      const own = new ChromiumPdfRenderer({ chromiumPath: CHROMIUM_PATH, poolSize: 1 });
      await own.render(page('opvarmning'));
      const pid = own.stats().browserPid!;
      // A stopped Chromium holds the only slot for as long as the test wants, whatever the machine's load.
      process.kill(pid, 'SIGSTOP');
      try {
        const holder = own.render(page('holder pladsen'), { timeoutMs: 120_000 });
        const error = await own.render(page('venter'), { timeoutMs: 1_000 }).then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect(error).to.be.instanceOf(PdfRenderTimeoutError);
        expect((error as Error).message).to.equal('PDF-renderingen tog mere end 1000 ms og blev afbrudt');
        expect(own.stats()).to.deep.include({ active: 1, waiting: 0, rendered: 1, timedOut: 1 });
        process.kill(pid, 'SIGCONT');
        expect((await readPdf(await holder)).text).to.include('holder pladsen');
        expect(own.stats()).to.deep.include({ active: 0, rendered: 2 });
      } finally {
        process.kill(pid, 'SIGCONT');
        await own.close();
      }
    });
  });

  it('prints a page whose load event waits for a layout, although the headless shell draws no frames', async () => {
    // A failed @import holds back the <object>, which Chromium then starts at the next layout;
    // with no frames drawn that layout only comes when the renderer asks for one.
    const own = new ChromiumPdfRenderer({ chromiumPath: CHROMIUM_PATH, timeoutMs: 5_000 });
    try {
      const html =
        '<!DOCTYPE html><html><head><meta charset="utf-8"><style>@import url(http://127.0.0.1:9/a.css);</style></head>' +
        '<body><p>Brevet venter på layout</p><object data="http://127.0.0.1:9/b"></object></body></html>';
      const { text } = await readPdf(await own.render(html));
      expect(text).to.include('Brevet venter på layout');
      expect(own.stats().timedOut).to.equal(0);
    } finally {
      await own.close();
    }
  });

  it('refuses to render after close()', async () => {
    const own = new ChromiumPdfRenderer({ chromiumPath: CHROMIUM_PATH });
    await own.close();
    let error: unknown;
    try {
      await own.render('<p>x</p>');
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(PdfRenderError);
  });
});
