import { z } from 'zod';

const text = (max: number) => z.string().max(max).optional().catch(undefined);

/**
 * The registration form as a browser sends it. The deadline arrives as a date and a time
 * (Danish time) and is joined here into the ISO form the domain reads; a missing time means 12.00.
 */
export const registrationForm = z
  .object({
    title: text(1000),
    authority: text(1000),
    authorityReference: text(500),
    authorityEmail: text(500),
    receivedAt: text(20),
    deadlineDate: text(20),
    deadlineTime: text(10),
    summary: text(20_000),
    sourceUrl: text(4000),
    council: text(100),
  })
  .transform((form) => ({
    form,
    input: {
      title: form.title ?? '',
      authority: form.authority ?? '',
      authorityReference: form.authorityReference,
      authorityEmail: form.authorityEmail,
      receivedAt: form.receivedAt || null,
      deadline: form.deadlineDate ? `${form.deadlineDate}T${form.deadlineTime || '12:00'}` : '',
      summary: form.summary,
      sourceUrl: form.sourceUrl,
      // "Fordel senere" sends ''; the domain reads a missing council as unassigned.
      council: form.council || undefined,
    },
  }));
