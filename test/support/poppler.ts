import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { withPdfFile } from './pdfa-checks.ts';

/*
 * Poppler's command-line tools (poppler-utils, installed by scripts/setup.mjs) read a PDF the way an
 * archive or case system does, independently of the Chromium that wrote it.
 */

const run = promisify(execFile);

/** Runs a poppler tool on `pdf` written to a temporary file, and returns what it printed. */
function popplerOn(pdf: Buffer, tool: string, args: string[]): Promise<string> {
  return withPdfFile(pdf, async (file) => {
    const { stdout } = await run(tool, [...args, file, ...(tool === 'pdftotext' ? ['-'] : [])], { maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  });
}

/**
 * The text of the PDF's pages (or of page `page` alone) by `pdftotext -raw`: in the order the
 * content stream draws it, one output line per printed line.
 */
export function pdfToText(pdf: Buffer, page?: number): Promise<string> {
  return popplerOn(pdf, 'pdftotext', ['-raw', '-enc', 'UTF-8', ...(page === undefined ? [] : ['-f', String(page), '-l', String(page)])]);
}

/** The text of each page, by {@link pdfToText}. */
export async function pdfPageTexts(pdf: Buffer): Promise<string[]> {
  const pages = Number(/^Pages:\s+(\d+)$/m.exec(await popplerOn(pdf, 'pdfinfo', []))?.[1]);
  return Promise.all(Array.from({ length: pages }, (_, i) => pdfToText(pdf, i + 1)));
}

/** One element of a tagged PDF's structure tree, as `pdfinfo -struct-text` prints it. */
export interface StructElement {
  /** The structure type, e.g. H1, P, Table, NonStruct. */
  type: string;
  /** Nesting depth below the Document element (0 for its children). */
  depth: number;
  /** The text of the marked content directly inside it, joined. */
  text: string;
}

/** What a tagged PDF's structure tree says, by `pdfinfo -struct-text`. */
export interface PdfStructure {
  /** Every element in document order, with its type and the text directly inside it. */
  elements: StructElement[];
  /** All the tagged text in reading order, each piece of marked content on its own line. */
  text: string;
}

/** The structure tree of a tagged PDF (`pdfinfo -struct-text`). */
export async function pdfStructure(pdf: Buffer): Promise<PdfStructure> {
  const elements: StructElement[] = [];
  const texts: string[] = [];
  // The elements that enclose the current line, outermost first.
  const open: StructElement[] = [];
  for (const line of (await popplerOn(pdf, 'pdfinfo', ['-struct-text'])).split('\n')) {
    const depth = /^ */.exec(line)![0].length / 2 - 1;
    const content = line.trim();
    while (open.length > 0 && open.at(-1)!.depth >= depth) open.pop();
    const text = /^"(.*)"$/.exec(content);
    if (text) {
      texts.push(text[1]!);
      // NonStruct only wraps marked content: the text belongs to the element around it.
      const owner = open.findLast((element) => element.type !== 'NonStruct');
      if (owner) owner.text += text[1];
      continue;
    }
    const element = /^([A-Za-z][A-Za-z0-9]*)(?: \(|:| <|$)/.exec(content);
    if (!element || depth < 0 || element[1] === 'Object') continue;
    const parsed = { type: element[1]!, depth, text: '' };
    elements.push(parsed);
    open.push(parsed);
  }
  return { elements, text: texts.join('\n') };
}
