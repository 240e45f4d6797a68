import { expect } from 'chai';
import fc from 'fast-check';
import { ChromiumPdfRenderer } from '../../src/adapters/chromium-pdf.ts';
import { DEFAULT_CHROMIUM_PATH } from '../../src/config.ts';
import { renderLetterPdf, type LetterData } from '../../src/domain/pdf/letter.ts';
import { pdfPageTexts, pdfStructure } from '../support/poppler.ts';

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM_PATH;

// Parts of Danish compounds; any sequence of them is a word a council might write.
const PARTS = [
  'børne',
  'ungdoms',
  'uddannelses',
  'vejlednings',
  'integrations',
  'råds',
  'medlems',
  'beskæftigelses',
  'indsats',
  'handleplans',
  'sprog',
  'undervisnings',
  'tilbuds',
  'forløbs',
  'kommune',
  'strategi',
  'økonomi',
  'ældre',
  'boligsocial',
  'sammenhængs',
  'kraft',
  'udvalgs',
  'høring',
] as const;

const compound = (minParts: number, maxParts: number) =>
  fc.array(fc.constantFrom(...PARTS), { minLength: minParts, maxLength: maxParts }).map((parts) => parts.join(''));
const plainWord = fc.constantFrom('Rådet', 'støtter', 'forslaget', 'men', 'savner', 'fokus', 'på', 'de', 'ældre', 'og', 'børn', 'i', '2026');
const word = fc.oneof({ weight: 3, arbitrary: plainWord }, { weight: 2, arbitrary: compound(2, 6) }, { weight: 1, arbitrary: compound(8, 25) });
const url = fc
  .tuple(compound(1, 3), fc.array(compound(1, 4), { minLength: 1, maxLength: 12 }))
  .map(([host, path]) => `https://www.${host}.dk/${path.join('/')}`);
const token = fc.oneof({ weight: 6, arbitrary: word }, { weight: 1, arbitrary: url });
const sentence = fc.array(token, { minLength: 1, maxLength: 25 });

/** One block of a draft: its Markdown and the words it shows, in reading order. */
interface Block {
  markdown: string;
  words: string[];
}

const paragraph = sentence.map((words): Block => ({ markdown: words.join(' '), words }));
const heading = fc
  .tuple(fc.integer({ min: 1, max: 6 }), fc.array(word, { minLength: 1, maxLength: 6 }))
  .map(([level, words]): Block => ({ markdown: `${'#'.repeat(level)} ${words.join(' ')}`, words }));
const list = fc.tuple(fc.boolean(), fc.array(sentence, { minLength: 1, maxLength: 6 })).map(([ordered, items]): Block => ({
  markdown: items.map((item, i) => `${ordered ? `${i + 1}.` : '-'} ${item.join(' ')}`).join('\n'),
  words: items.flat(),
}));
// Up to 8 columns of up to 250 letters each: a row then still fits on one page, where the letter
// keeps it (a row split over two pages would interleave its cells' text with the page break's).
const cell = fc.array(token, { minLength: 1, maxLength: 6 }).filter((words) => words.join(' ').length <= 250);
const table = fc.integer({ min: 1, max: 8 }).chain((columns) =>
  fc.array(fc.array(cell, { minLength: columns, maxLength: columns }), { minLength: 2, maxLength: 5 }).map(([header, ...rows]): Block => {
    const line = (cells: string[][]) => `| ${cells.map((cell) => cell.join(' ')).join(' | ')} |`;
    return {
      markdown: [line(header!), `|${' --- |'.repeat(columns)}`, ...rows.map(line)].join('\n'),
      words: [header!, ...rows].flat(2),
    };
  }),
);
// The length that was clipped at the right margin before words could break anywhere.
const longCompound = compound(20, 30)
  .filter((value) => value.length >= 135)
  .map((value): Block => ({ markdown: `Rådet bemærker ${value} i forslaget`, words: ['Rådet', 'bemærker', value, 'i', 'forslaget'] }));

const draft = fc
  .tuple(fc.array(fc.oneof(paragraph, heading, list, table), { minLength: 1, maxLength: 8 }), longCompound, fc.nat())
  .map(([blocks, long, at]) => {
    blocks.splice(at % (blocks.length + 1), 0, long);
    return blocks;
  });

function letter(bodyMarkdown: string): LetterData {
  return {
    council: { name: 'Ældrerådet i Næstved Kommune', address: 'Rådmandshaven 20\n4700 Næstved', contact: 'aeldreraad@naestved.dk' },
    authority: 'Social- og Sundhedsudvalget, Næstved Kommune',
    title: 'Forslag til ældrepolitik',
    authorityReference: null,
    reference: 'AR-2026-001',
    date: new Date('2026-03-12T11:00:00Z'),
    bodyMarkdown,
    signer: { name: 'Birgitte Ærø', title: 'formand' },
    draft: false,
  };
}

const RUNNING_HEADER = 'Ældrerådet i Næstved Kommune · Vores reference: AR-2026-001';

/**
 * The first of `words` that is not in `text` in order: the text is compared with all whitespace
 * removed, since a word broken over two lines comes out as two pieces.
 */
function firstMissing(words: string[], text: string): string | undefined {
  const flat = text.replace(/\s+/g, '');
  let from = 0;
  for (const word of words) {
    const at = flat.indexOf(word, from);
    if (at < 0) return word;
    from = at + word.length;
  }
  return undefined;
}

describe('the archived letter keeps every word of the draft', function () {
  this.timeout(600_000);
  let renderer: ChromiumPdfRenderer;

  before(() => {
    renderer = new ChromiumPdfRenderer({ chromiumPath: CHROMIUM_PATH });
  });

  after(async () => {
    await renderer.close();
  });

  it('long Danish compounds, URLs, wide tables and lists: every word is in the PDF text, in order', async () => {
    await fc.assert(
      fc.asyncProperty(draft, async (blocks) => {
        const markdown = blocks.map((block) => block.markdown).join('\n\n');
        // Rendered as the archive renders a submission.
        const pdf = await renderLetterPdf(renderer, letter(markdown), { priority: 'submission' });
        const words = blocks.flatMap((block) => block.words);
        // The printed text, page by page, without each page's running header and page number
        // (drawn before the page's text), so a word broken over a page break still reads whole.
        const pages = await pdfPageTexts(pdf);
        const printed = pages
          .map((page) =>
            page
              .split('\n')
              .filter((line) => line !== RUNNING_HEADER && !/^Side \d+ af \d+$/.test(line))
              .join('\n'),
          )
          .join('\n');
        const inText = firstMissing(words, printed);
        expect(inText, `missing from the PDF text (${inText?.length} letters)`).to.equal(undefined);
        // The tags, in the order a screen reader reads them.
        const tagged = (await pdfStructure(pdf)).text;
        const inTags = firstMissing(words, tagged);
        expect(inTags, `missing from the PDF tags (${inTags?.length} letters)`).to.equal(undefined);
      }),
      // No shrinking: every step of it renders a PDF, and the failure already names the missing word.
      { numRuns: 20, endOnFailure: true },
    );
  });
});
