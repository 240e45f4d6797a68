import { FOUR_WEEKS_WORKING_DAYS, type NoticeReport } from './notice.ts';

// The charts are drawn in a 320-unit-wide viewBox so that on a 320 px phone one unit is one pixel:
// the labels stay readable, and a wider screen only scales them up to the CSS max-width.
const WIDTH = 320;
const BAR_LEFT = 4;
const BAR_MAX = 270;
const ROW = 40;
/** The bars' height, as the templates draw them (`height="16"`). */
const BAR_HEIGHT = 16;
const LABEL_MAX = 46;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'maj', 'jun', 'jul', 'aug', 'sep', 'okt', 'nov', 'dec'];

function shortLabel(label: string): string {
  return label.length > LABEL_MAX ? `${label.slice(0, LABEL_MAX - 1)}…` : label;
}

/**
 * The geometry of the notice report's two charts, which the notice page, the annual report's page
 * and its PDF draw as SVG: the median notice per authority against the four-week line, and the
 * consultations received per month. Only numbers and the (escaped) labels reach the SVG.
 */
export function noticeCharts(report: Pick<NoticeReport, 'byAuthority' | 'byMonth'>) {
  const authorities = report.byAuthority.filter((g) => g.medianWorkingDays !== null);
  const scaleMax = Math.max(FOUR_WEEKS_WORKING_DAYS * 1.5, ...authorities.map((g) => g.medianWorkingDays!));
  const x = (workingDays: number) => BAR_LEFT + Math.round((BAR_MAX * workingDays) / scaleMax);
  const bars = authorities.map((g, i) => {
    const end = x(g.medianWorkingDays!);
    return {
      label: shortLabel(g.label),
      labelY: 24 + i * ROW + 12,
      barY: 24 + i * ROW + 17,
      barWidth: Math.max(2, end - BAR_LEFT),
      valueX: Math.min(end + 4, WIDTH - 24),
      valueY: 24 + i * ROW + 29,
      value: String(g.medianWorkingDays).replace('.', ','),
      under: g.medianWorkingDays! < FOUR_WEEKS_WORKING_DAYS,
    };
  });
  const noticeChart = {
    width: WIDTH,
    height: Math.max(1, authorities.length) * ROW + 24,
    lineX: x(FOUR_WEEKS_WORKING_DAYS),
    lineLabelX: x(FOUR_WEEKS_WORKING_DAYS) + 3,
    // The four-week line is drawn as one piece under its label and one across each bar, never
    // through the authorities' names above the bars, which can be wider than the line's offset.
    normSegments: [{ y1: 14, y2: 22 }, ...bars.map((bar) => ({ y1: bar.barY - 2, y2: bar.barY + BAR_HEIGHT + 2 }))],
    bars,
  };
  const monthMax = Math.max(1, ...report.byMonth.map((m) => m.count));
  const monthChart = {
    width: WIDTH,
    height: 150,
    bars: report.byMonth.map((m, i) => {
      const height = Math.round((100 * m.count) / monthMax);
      return {
        label: MONTHS[i]!,
        x: 8 + i * 26,
        labelX: 8 + i * 26 + 10,
        y: 120 - height,
        height,
        count: m.count,
        countY: 120 - height - 4,
      };
    }),
  };
  return { noticeChart, monthChart, fourWeeks: FOUR_WEEKS_WORKING_DAYS };
}
