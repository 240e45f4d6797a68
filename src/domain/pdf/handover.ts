import type { HandoverReport } from '../councils/handover.ts';
import { seatText } from '../users/service.ts';
import { formatDanishDate, formatDanishDateTime } from '../time.ts';
import { cssString, letterheadOf, type LetterData } from './letter.ts';
import type { PdfRenderer, RenderOptions } from './renderer.ts';
import { pdfTemplate } from './templates.ts';

/** Version of views/pdf/handover.hbs, in the PDF's Creator. */
export const HANDOVER_TEMPLATE_VERSION = 'handover-v2';

/** What the handover PDF is made from: the report, the council's letterhead, and the address its links point to. */
export interface HandoverPdfData {
  report: HandoverReport;
  letterhead: LetterData['council'];
  /** PUBLIC_URL (or the local address): a PDF's links must be absolute. */
  baseUrl: string;
}

/** "Overdragelsesrapport 2022–2025" */
export function handoverTitle(report: Pick<HandoverReport, 'periodLabel'>): string {
  return `Overdragelsesrapport ${report.periodLabel}`;
}

/**
 * The report's HTML in the council's letterhead (views/pdf/handover.hbs, with the letter's page
 * style and letterhead partials). Every text is the council's or an authority's and is escaped by
 * Handlebars; the links are built here from ids, never taken from text.
 */
export function renderHandoverHtml(data: HandoverPdfData): string {
  const { report, baseUrl } = data;
  const title = handoverTitle(report);
  const link = (id: string) => `${baseUrl}/consultations/${encodeURIComponent(id)}`;
  const item = (i: HandoverReport['answered']['byAuthority'][number]['items'][number]) => ({
    title: i.title,
    url: link(i.id),
    letterUrl: i.hasLetter ? `${link(i.id)}/response.pdf` : null,
    reference: i.reference,
    authority: i.authority,
    dateText: formatDanishDate(i.submittedAt),
  });
  const person = (p: HandoverReport['people']['current'][number]) => ({
    name: p.name,
    seatText: seatText(p.role, p.title),
    termText: `${formatDanishDate(p.termStart)} – ${formatDanishDate(p.termEnd)}`,
  });
  return pdfTemplate('handover.hbs')({
    templateVersion: HANDOVER_TEMPLATE_VERSION,
    documentTitle: title,
    runningHeaderCss: cssString(`${data.letterhead.name.replace(/\s+/g, ' ').trim()} · ${title}`),
    ...letterheadOf(data.letterhead),
    periodText: `${formatDanishDate(report.period.start)} – ${formatDanishDate(report.period.end)}${report.periodEnded ? '' : ' (perioden er ikke slut)'}`,
    dateText: formatDanishDate(report.generatedAt),
    total: report.answered.total,
    truncated: report.answered.truncated,
    byAuthority: report.answered.byAuthority.map((group) => ({ label: group.label, count: group.items.length, items: group.items.map(item) })),
    bySubject: report.answered.bySubject.map((group) => ({ label: group.label, count: group.items.length, items: group.items.map(item) })),
    open: report.open.map((o) => ({
      title: o.title,
      url: link(o.id),
      reference: o.reference,
      authority: o.authority,
      deadlineText: formatDanishDateTime(o.deadline),
      stateLabel: o.stateLabel,
    })),
    meetings: report.meetings.map((m) => ({ startsAtText: formatDanishDateTime(m.startsAt), place: m.place, hasMinutes: m.hasMinutes })),
    contacts: report.contacts.map((c) => ({ ...c, lastText: formatDanishDate(c.lastReceived) })),
    current: report.people.current.map(person),
    former: report.people.former.map(person),
    upcoming: report.people.upcoming.map(person),
  });
}

/**
 * Renders the report to an A4 PDF through the same renderer and pool as the letters.
 *
 * @throws PdfRenderError / PdfRenderTimeoutError / PdfRenderRefusedError from the renderer.
 */
export function renderHandoverPdf(renderer: Pick<PdfRenderer, 'render'>, data: HandoverPdfData, options?: RenderOptions): Promise<Buffer> {
  const title = handoverTitle(data.report);
  return renderer.render(renderHandoverHtml(data), {
    ...options,
    metadata: {
      title,
      author: data.letterhead.name,
      subject: `${title} – ${data.letterhead.name}`,
      keywords: ['Overdragelsesrapport', data.letterhead.name],
      creator: `Rådssvar ${HANDOVER_TEMPLATE_VERSION}`,
      creationDate: data.report.generatedAt,
      language: 'da',
    },
  });
}
