import type { HandoverReport } from '../../domain/councils/handover.ts';
import { handoverTitle } from '../../domain/pdf/handover.ts';

/** The handover report as views/pages/handover.hbs shows it: its title, and the PDF's and the periods' links. */
export function presentHandover(report: HandoverReport) {
  const base = `/councils/${encodeURIComponent(report.council.slug)}/handover`;
  const query = `?periode=${report.period.start.slice(0, 4)}`;
  return {
    ...report,
    title: handoverTitle(report),
    pdfUrl: `${base}.pdf${query}`,
    periods: report.periods.map((p) => ({ ...p, url: `${base}?periode=${p.startYear}` })),
  };
}
