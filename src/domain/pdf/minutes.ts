import type { AgendaItemOutcome } from '../../db/types.ts';
import { formatDanishDate, formatDanishDateTime } from '../time.ts';
import { AGENDA_KIND_LABELS, meetingDocumentMetadata } from './agenda.ts';
import { cssString, letterheadOf, type LetterData } from './letter.ts';
import type { PdfRenderer, RenderOptions } from './renderer.ts';
import { pdfTemplate } from './templates.ts';

/** Version of views/pdf/minutes.hbs, in the PDF's Creator and the archive row. */
export const MINUTES_TEMPLATE_VERSION = 'minutes-v1';

/** Everything the minutes PDF shows. Plain data, filled by the meetings domain. */
export interface MinutesPdfData {
  council: LetterData['council'];
  /** "Referat af mødet 12. marts 2026, kl. 17.00" */
  title: string;
  startsAt: Date;
  place: string;
  /** When the minutes were approved and archived. */
  date: Date;
  /** Who approved them. */
  approvedBy: string;
  items: {
    number: number;
    kind: keyof typeof AGENDA_KIND_LABELS;
    title: string;
    reference: string | null;
    outcome: AgendaItemOutcome;
    outcomeLabel: string;
    comment: string | null;
  }[];
}

/**
 * The minutes' HTML in the council's letterhead (views/pdf/minutes.hbs, with the letter's page
 * style and letterhead partials). The meeting's comments are plain text, escaped by Handlebars.
 */
export function renderMinutesHtml(minutes: MinutesPdfData): string {
  return pdfTemplate('minutes.hbs')({
    templateVersion: MINUTES_TEMPLATE_VERSION,
    documentTitle: minutes.title,
    runningHeaderCss: cssString(`${minutes.council.name.replace(/\s+/g, ' ').trim()} · ${minutes.title}`),
    ...letterheadOf(minutes.council),
    startsAtText: formatDanishDateTime(minutes.startsAt),
    place: minutes.place,
    dateText: formatDanishDate(minutes.date),
    approvedBy: minutes.approvedBy,
    items: minutes.items.map((item) => ({ ...item, kindLabel: AGENDA_KIND_LABELS[item.kind] })),
  });
}

/**
 * Renders the minutes to an A4 PDF through the same renderer and pool as the letters.
 *
 * @throws PdfRenderError / PdfRenderTimeoutError / PdfRenderRefusedError from the renderer.
 */
export function renderMinutesPdf(renderer: Pick<PdfRenderer, 'render'>, minutes: MinutesPdfData, options?: RenderOptions): Promise<Buffer> {
  return renderer.render(renderMinutesHtml(minutes), { ...options, metadata: meetingDocumentMetadata('Referat', minutes, MINUTES_TEMPLATE_VERSION) });
}
