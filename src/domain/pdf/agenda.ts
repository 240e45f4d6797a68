import { formatDanishDate, formatDanishDateTime } from '../time.ts';
import { cssString, letterheadOf, type LetterData } from './letter.ts';
import { renderMarkdownSafe } from './markdown.ts';
import type { DocumentMetadata, PdfRenderer, RenderOptions } from './renderer.ts';
import { letterTextStyle, pdfTemplate } from './templates.ts';

/** Version of views/pdf/agenda.hbs, in the PDF's Creator. */
export const AGENDA_TEMPLATE_VERSION = 'agenda-v1';

/** What an item is, as the agenda labels it. */
export const AGENDA_KIND_LABELS = { consultation: 'Til beslutning', note: 'Til orientering', free: 'Punkt' } as const;

/** Everything the agenda PDF shows. Plain data, filled by the meetings domain. */
export interface AgendaPdfData {
  council: LetterData['council'];
  /** "Dagsorden for mødet 12. marts 2026, kl. 17.00" */
  title: string;
  startsAt: Date;
  place: string;
  note: string | null;
  /** When the PDF is made ("Dato: …"): the day it is mailed, or downloaded before that. */
  date: Date;
  items: {
    number: number;
    kind: keyof typeof AGENDA_KIND_LABELS;
    title: string;
    bodyMarkdown: string;
    consultation: { authority: string; deadline: Date; reference: string | null; draft: { number: number; bodyMarkdown: string } | null } | null;
  }[];
}

/**
 * The agenda's HTML in the council's letterhead (views/pdf/agenda.hbs, with the letter's page
 * style and letterhead partials). Every Markdown text (free items, notes, drafts) goes through
 * {@link renderMarkdownSafe}; everything else is escaped by Handlebars.
 */
export function renderAgendaHtml(agenda: AgendaPdfData): string {
  return pdfTemplate('agenda.hbs')({
    templateVersion: AGENDA_TEMPLATE_VERSION,
    documentTitle: agenda.title,
    letterTextCss: letterTextStyle(),
    runningHeaderCss: cssString(`${agenda.council.name.replace(/\s+/g, ' ').trim()} · ${agenda.title}`),
    ...letterheadOf(agenda.council),
    startsAtText: formatDanishDateTime(agenda.startsAt),
    place: agenda.place,
    note: agenda.note,
    dateText: formatDanishDate(agenda.date),
    items: agenda.items.map((item) => ({
      number: item.number,
      title: item.title,
      kindLabel: AGENDA_KIND_LABELS[item.kind],
      bodyHtml: item.bodyMarkdown.trim() ? renderMarkdownSafe(item.bodyMarkdown) : null,
      consultation: item.consultation
        ? {
            authority: item.consultation.authority,
            deadlineText: formatDanishDateTime(item.consultation.deadline),
            reference: item.consultation.reference,
          }
        : null,
      draftHtml: item.consultation?.draft ? renderMarkdownSafe(item.consultation.draft.bodyMarkdown) : null,
      draftNumber: item.consultation?.draft?.number ?? null,
    })),
  });
}

/** A meeting document's PDF metadata (agenda or minutes): its title, the council as author, Danish. */
export function meetingDocumentMetadata(
  keyword: string,
  doc: { title: string; council: { name: string }; date: Date },
  templateVersion: string,
): DocumentMetadata {
  return {
    title: doc.title,
    author: doc.council.name,
    subject: doc.title,
    keywords: [keyword, doc.council.name],
    creator: `Rådssvar ${templateVersion}`,
    creationDate: doc.date,
    language: 'da',
  };
}

/** The agenda's PDF metadata. */
export function agendaMetadata(agenda: AgendaPdfData): DocumentMetadata {
  return meetingDocumentMetadata('Dagsorden', agenda, AGENDA_TEMPLATE_VERSION);
}

/**
 * Renders the agenda to an A4 PDF through the same renderer and pool as the letters.
 *
 * @throws PdfRenderError / PdfRenderTimeoutError / PdfRenderRefusedError from the renderer.
 */
export function renderAgendaPdf(renderer: Pick<PdfRenderer, 'render'>, agenda: AgendaPdfData, options?: RenderOptions): Promise<Buffer> {
  return renderer.render(renderAgendaHtml(agenda), { ...options, metadata: agendaMetadata(agenda) });
}
