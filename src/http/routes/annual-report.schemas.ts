import { z } from 'zod';

/** /councils/:slug/annual-report… */
export const annualReportParams = z.object({ slug: z.string().max(1000) });

/** ?year= — a year from 2000 to 2100; anything else, the current year. */
export const annualReportQuery = z.object({
  year: z.coerce.number().int().min(2000).max(2100).optional().catch(undefined),
  saved: z.string().max(20).optional().catch(undefined),
});

/** The publish form's year. */
export const annualReportPublishBody = z.object({
  year: z.coerce.number({ error: 'Vælg et år' }).int().min(2000, 'Vælg et år').max(2100, 'Vælg et år'),
});

/** /r/:slug/aarsberetning/:year.pdf */
export const publicAnnualReportParams = z.object({ slug: z.string().max(1000), year: z.coerce.number().int().min(2000).max(2100).catch(0) });
