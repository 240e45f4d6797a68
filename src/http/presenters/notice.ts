import { type NoticeFigures, type NoticeReport } from '../../domain/councils/notice.ts';
import { noticeCharts } from '../../domain/councils/notice-charts.ts';

/** "38 %" (none when there is nothing to divide). */
function share(part: number, whole: number): string {
  return whole === 0 ? '–' : `${Math.round((100 * part) / whole)} %`;
}

/** A row of the figures table, the shares in words. */
function figuresRow(figures: NoticeFigures) {
  return {
    ...figures,
    medianText: figures.medianWorkingDays === null ? '–' : String(figures.medianWorkingDays).replace('.', ','),
    underFourWeeksText: share(figures.underFourWeeks, figures.count),
    beforeNextMeetingText: share(figures.beforeNextMeeting, figures.meetingKnown),
    extendedText: share(figures.extended, figures.count),
  };
}

/**
 * The notice report as views/pages/notice.hbs shows it: the tables with the shares in words, and
 * the charts' geometry (src/domain/councils/notice-charts.ts).
 */
export function presentNotice(report: NoticeReport) {
  const base = `/councils/${encodeURIComponent(report.council.slug)}/notice`;
  return {
    ...report,
    csvUrl: `${base}.csv?year=${report.year}`,
    years: report.years.map((year) => ({ year, url: `${base}?year=${year}`, selected: year === report.year })),
    byAuthority: report.byAuthority.map(figuresRow),
    total: figuresRow(report.total),
    ...noticeCharts(report),
  };
}

/** A council's row of the notice figures in the staff overview. */
export function presentNoticeRow(row: { councilName: string; figures: NoticeFigures }) {
  return { councilName: row.councilName, ...figuresRow(row.figures) };
}
