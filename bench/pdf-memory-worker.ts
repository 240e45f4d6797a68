import { renderLetterPdf } from '../src/domain/pdf/letter.ts';
import { PdfRenderer } from '../src/domain/pdf/renderer.ts';
import { letter } from './pdf-letters.ts';

/**
 * The memory run's app: a process that only renders letters the way the app does (the app's
 * PdfRenderer with its default pool of 2, two callers at once), so what is measured is the app's
 * PDF work and its Chromium, not the benchmark's own bookkeeping of the other runs. Tells the
 * parent over IPC after `early` renders and when all are done, and waits
 * to be told to go after each, so the parent can sample at those moments.
 */
const renders = Number(process.env.BENCH_PDF_MEMORY_RENDERS);
const early = Number(process.env.BENCH_PDF_MEMORY_EARLY);
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function tell(message: object): Promise<void> {
  return new Promise((resolve) => {
    process.once('message', () => resolve());
    process.send?.(message);
  });
}

const renderer = new PdfRenderer({ chromiumPath });
try {
  await renderLetterPdf(renderer, letter(0));
  let done = 0;
  const caller = async () => {
    while (done < renders) {
      done += 1;
      await renderLetterPdf(renderer, letter(done));
      if (done === early) await tell({ type: 'early' });
    }
  };
  await Promise.all([caller(), caller()]);
  await tell({ type: 'done', rendered: renderer.stats().rendered, failed: renderer.stats().failed });
} finally {
  await renderer.close();
}
process.disconnect?.();
