import type { AnnualReport } from '../councils/annual-report.ts';
import { noticeCharts } from '../councils/notice-charts.ts';
import { noticeTableRows, responsesSummary, TIMELINESS_TEXT } from '../councils/annual-report-text.ts';
import { seatText } from '../users/service.ts';
import { formatDanishDate, formatDanishDateTime } from '../time.ts';
import { cssString, letterheadOf, type LetterData } from './letter.ts';
import { renderMarkdownSafe } from './markdown.ts';
import type { PdfRenderer, RenderOptions } from './renderer.ts';
import { pdfTemplate } from './templates.ts';

/** Version of views/pdf/annual-report.hbs, in the PDF's Creator. */
export const ANNUAL_REPORT_TEMPLATE_VERSION = 'annual-report-v2';

/** What the annual report PDF is made from: the report and the council's letterhead. */
export interface AnnualReportPdfData {
  report: AnnualReport;
  letterhead: LetterData['council'];
}

/** "Årsberetning 2026" */
export function annualReportTitle(report: Pick<AnnualReport, 'year'>): string {
  return `Årsberetning ${report.year}`;
}

/**
 * The report's HTML in the council's letterhead (views/pdf/annual-report.hbs): every text is the
 * council's or an authority's and is escaped by Handlebars, the written sections are Markdown
 * sanitised like every Markdown, and the charts are drawn from numbers only. Nothing links inside
 * Rådssvar: a published report is read by the public.
 */
export function renderAnnualReportHtml(data: AnnualReportPdfData): string {
  const { report } = data;
  const title = annualReportTitle(report);
  const section = (markdown: string) => (markdown.trim() === '' ? null : renderMarkdownSafe(markdown));
  return pdfTemplate('annual-report.hbs')({
    templateVersion: ANNUAL_REPORT_TEMPLATE_VERSION,
    documentTitle: `${title} – ${data.letterhead.name}`,
    title,
    runningHeaderCss: cssString(`${data.letterhead.name.replace(/\s+/g, ' ').trim()} · ${title}`),
    ...letterheadOf(data.letterhead),
    dateText: formatDanishDate(report.generatedAt),
    yearEnded: report.yearEnded,
    foreword: section(report.sections.foreword),
    themes: section(report.sections.themes),
    activities: section(report.sections.activities),
    meetings: report.meetings.map((m) => ({ startsAtText: formatDanishDateTime(m.startsAt), place: m.place })),
    summary: responsesSummary(report),
    byAuthority: report.byAuthority.map((group) => ({
      ...group.figures,
      items: group.items.map((i) => ({ title: i.title, dateText: formatDanishDate(i.submittedAt), timelinessText: TIMELINESS_TEXT[i.timeliness] })),
    })),
    declined: report.declined,
    decisions: report.decisions,
    outcomes: report.outcomes,
    noticeRows: noticeTableRows(report),
    hasNotice: report.notice.items.length > 0,
    ...noticeCharts(report.notice),
    members: report.members.map((m) => ({
      name: m.name,
      seatText: seatText(m.role, m.title),
    })),
  });
}

/**
 * Renders the report to an A4 PDF through the same renderer and pool as the letters.
 *
 * @throws PdfRenderError / PdfRenderTimeoutError / PdfRenderRefusedError from the renderer.
 */
export function renderAnnualReportPdf(renderer: Pick<PdfRenderer, 'render'>, data: AnnualReportPdfData, options?: RenderOptions): Promise<Buffer> {
  const title = annualReportTitle(data.report);
  return renderer.render(renderAnnualReportHtml(data), {
    ...options,
    metadata: {
      title: `${title} – ${data.letterhead.name}`,
      author: data.letterhead.name,
      subject: `${title} – ${data.letterhead.name}`,
      keywords: ['Årsberetning', data.letterhead.name, String(data.report.year)],
      creator: `Rådssvar ${ANNUAL_REPORT_TEMPLATE_VERSION}`,
      creationDate: data.report.generatedAt,
      language: 'da',
    },
  });
}
