import { toArchivalPdf } from '../../src/adapters/pdf-archive-format.ts';
import type { Db, Executor } from '../../src/db/database.ts';
import type { EventDeps } from '../../src/domain/consultations/service.ts';
import type { Jobs, QueueName } from '../../src/domain/jobs/jobs.ts';
import type { MailMessage, Mailer } from '../../src/domain/mail/mailer.ts';
import type { PdfRenderer, RenderOptions } from '../../src/domain/pdf/renderer.ts';
import type { Clock } from '../../src/domain/time.ts';
import { createLogger } from '../../src/logger.ts';

/*
 * Explicit stand-ins for the adapters (src/adapters), for tests that do not exercise them. A test
 * that looks at a letter uses the real Chromium renderer; one that checks delivered mail uses the
 * real pg-boss and an SMTP server (test/support/mail.ts).
 */

/**
 * A one-page, empty A4 PDF, tagged as Chromium tags a letter (a Document element holding a PDF 2.0
 * Strong), so that the archive's PDF/A rewrite has the same kind of structure to map.
 */
function blankPdf(): Buffer {
  const objects = [
    '<</Type/Catalog/Pages 2 0 R/StructTreeRoot 4 0 R/MarkInfo<</Marked true>>/Lang(da)>>',
    '<</Type/Pages/Kids[3 0 R]/Count 1>>',
    '<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>',
    '<</Type/StructTreeRoot/K 5 0 R>>',
    '<</Type/StructElem/S/Document/P 4 0 R/K[6 0 R]>>',
    '<</Type/StructElem/S/Strong/P 5 0 R>>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<</Size ${objects.length + 1}/Root 1 0 R>>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

/**
 * A PDF renderer that answers every render with a blank page and keeps the HTML it was given. Given
 * metadata, it rewrites the page as PDF/A with the real adapter's step, as the Chromium renderer
 * does, so every letter archived in the tests is checked as PDF/A (test/support/pdfa-checks.ts).
 */
export interface FakePdfRenderer extends PdfRenderer {
  renders: { html: string; options: RenderOptions | undefined }[];
}

/** For tests that submit but never look at the letter: no Chromium is started. */
export function fakePdfRenderer(): FakePdfRenderer {
  const renders: FakePdfRenderer['renders'] = [];
  return {
    renders,
    render: (html, options) => {
      renders.push({ html, options });
      return options?.metadata ? toArchivalPdf(blankPdf(), options.metadata) : Promise.resolve(blankPdf());
    },
    close: async () => {},
  };
}

/** A mailer that sends nothing and keeps every message. */
export interface RecordingMailer extends Mailer {
  sent: MailMessage[];
}

/** For tests that send mail but do not check its delivery. */
export function recordingMailer(): RecordingMailer {
  const sent: MailMessage[] = [];
  return {
    description: 'test: mails are kept in memory',
    sent,
    send: (message) => {
      sent.push(message);
      return Promise.resolve({ messageId: `<test-${sent.length}@raadssvar.test>` });
    },
    close: () => {},
  };
}

/** One job as queued with a recording queue. */
export interface RecordedJob {
  queue: QueueName;
  data: object;
  /** Whether it was queued inside a transaction (kept here even if that transaction rolled back). */
  inTransaction: boolean;
}

/** A job queue that runs nothing and keeps every job queued. */
export interface RecordingJobs extends Jobs {
  queued: RecordedJob[];
}

/** For tests that queue jobs but do not run them; `queued` says what was queued. */
export function recordingJobs(): RecordingJobs {
  const queued: RecordedJob[] = [];
  return {
    queued,
    enqueue: (queue: QueueName, data: object, options: { tx?: Executor } = {}) => {
      queued.push({ queue, data, inTransaction: options.tx !== undefined });
      return Promise.resolve(`job-${queued.length}`);
    },
  };
}

/** The consultation services' dependencies with fakes for PDF and jobs, and a quiet logger. */
export function workflowDeps(db: Db, clock: Clock = () => new Date()): EventDeps & { pdf: FakePdfRenderer; jobs: RecordingJobs } {
  return { db, clock, pdf: fakePdfRenderer(), jobs: recordingJobs(), logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent') };
}
