import type { AnnualReport, Timeliness } from './annual-report.ts';

/*
 * The words the annual report's PDF and DOCX share, so the two documents say the same.
 */

/** When a response was sent, against its deadline, in words. */
export const TIMELINESS_TEXT: Readonly<Record<Timeliness, string>> = {
  on_time: 'til tiden',
  after_extension: 'efter fristforlængelse',
  late: 'efter fristen',
};

/** "Rådet gav 3 høringssvar: 1 til tiden, 1 efter fristforlængelse og 1 efter fristen. Rådet afstod fra at svare på 1." */
export function responsesSummary(report: Pick<AnnualReport, 'total' | 'declined'>): string {
  const { total } = report;
  return (
    `Rådet gav ${total.count} høringssvar: ${total.onTime} til tiden, ${total.afterExtension} efter fristforlængelse og ${total.late} efter fristen.` +
    (report.declined.length > 0 ? ` Rådet afstod fra at svare på ${report.declined.length}.` : '')
  );
}

/** The notice figures per authority and in all, as the documents' table prints them. */
export function noticeTableRows(report: Pick<AnnualReport, 'notice'>) {
  return [...report.notice.byAuthority, { ...report.notice.total, label: 'I alt' }].map((f) => ({
    label: f.label,
    count: f.count,
    median: f.medianWorkingDays === null ? '–' : String(f.medianWorkingDays).replace('.', ','),
    underFourWeeks: `${f.underFourWeeks} af ${f.count}`,
    beforeNextMeeting: `${f.beforeNextMeeting} af ${f.meetingKnown}`,
    extended: f.extended,
  }));
}
