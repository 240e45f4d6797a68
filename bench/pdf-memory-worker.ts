import { renderLetterPdf } from '../src/domain/pdf/letter.ts';
import { ChromiumPdfRenderer } from '../src/adapters/chromium-pdf.ts';
import { letter } from './pdf-letters.ts';
import { DEFAULT_CHROMIUM_PATH } from '../src/config.ts';

/**
 * The memory run's app: a process that only renders letters the way the app does (the app's
 * PdfRenderer with its default pool of 2, two callers at once), so what is measured is the app's
 * PDF work and its Chromium, not the benchmark's own bookkeeping of the other runs. Tells the
 * parent over IPC after every render, and when all are done waits to be told to go, so the
 * parent can take a last sample with Chromium still running.
 */
const renders = Number(process.env.BENCH_PDF_MEMORY_RENDERS);
const chromiumPath = process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM_PATH;

function tell(message: object): Promise<void> {
  return new Promise((resolve) => {
    process.once('message', () => resolve());
    process.send?.(message);
  });
}

const renderer = new ChromiumPdfRenderer({ chromiumPath });
try {
  await renderLetterPdf(renderer, letter(0));
  let started = 0;
  let finished = 0;
  const caller = async () => {
    while (started < renders) {
      started += 1;
      await renderLetterPdf(renderer, letter(started));
      finished += 1;
      // Not waited for: the parent samples on each of these while the renders go on.
      process.send?.({ type: 'rendered', finished });
    }
  };
  await Promise.all([caller(), caller()]);
  await tell({ type: 'done', rendered: renderer.stats().rendered, failed: renderer.stats().failed, browserPid: renderer.stats().browserPid });
} finally {
  await renderer.close();
}
process.disconnect?.();
