import type { AnnualReport } from '../../domain/councils/annual-report.ts';
import { renderMarkdownSafe } from '../../domain/pdf/markdown.ts';
import { presentNotice } from './notice.ts';

/** The annual report as views/pages/annual-report.hbs shows it: links, the notice charts, the sections rendered. */
export function presentAnnualReport(report: AnnualReport) {
  const base = `/councils/${encodeURIComponent(report.council.slug)}/annual-report`;
  return {
    ...report,
    pdfUrl: `${base}.pdf?year=${report.year}`,
    docxUrl: `${base}.docx?year=${report.year}`,
    publicUrl: report.publishedAt ? `/r/${encodeURIComponent(report.council.slug)}/aarsberetning/${report.year}.pdf` : null,
    years: report.years.map((year) => ({ year, url: `${base}?year=${year}`, selected: year === report.year })),
    notice: presentNotice(report.notice),
    sectionsHtml: {
      foreword: renderMarkdownSafe(report.sections.foreword),
      themes: renderMarkdownSafe(report.sections.themes),
      activities: renderMarkdownSafe(report.sections.activities),
    },
  };
}
