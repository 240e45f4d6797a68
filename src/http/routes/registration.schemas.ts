import { z } from 'zod';
import { formField } from '../forms.ts';

// One string per field; the domain's schema has the limits and their messages.
const text = formField().optional();

/**
 * The registration form as a browser sends it. The deadline arrives as a date and a time
 * (Danish time) and is joined here into the ISO form the domain reads; a missing time means 12.00.
 */
export const registrationForm = z
  .object({
    title: text,
    authority: text,
    authorityReference: text,
    authorityEmail: text,
    receivedAt: text,
    deadlineDate: text,
    deadlineTime: text,
    summary: text,
    sourceUrl: text,
    council: text,
  })
  .transform((form) => ({
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
  }));
