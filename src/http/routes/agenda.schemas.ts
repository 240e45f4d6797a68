import { z } from 'zod';
import { formField } from '../forms.ts';

const id = z.coerce.number().int().positive().max(2_147_483_647);

/** /councils/:slug/meetings/:meetingId/agenda (and .pdf). */
export const agendaParams = z.object({ slug: z.string().max(64), meetingId: id });

/** /councils/:slug/meetings/:meetingId/agenda/items/:itemId/… */
export const agendaItemParams = agendaParams.extend({ itemId: id });

/** ?notice=… after a change: which notice the page shows. */
export const agendaQuery = z.object({ notice: z.string().max(32).optional().catch(undefined) });

/** The free item form: a title and Markdown text; the domain checks each. */
export const freeItemFields = z.object({ title: formField().default(''), body: formField().default('') });

/** The add-consultation form. */
export const consultationItemFields = z.object({ consultationId: formField().default('') });

/** The move buttons: up or down. */
export const moveFields = z.object({ direction: z.enum(['up', 'down'], { error: 'Vælg op eller ned' }) });

/** /councils/:slug/agendas */
export const councilAgendasParams = z.object({ slug: z.string().max(64) });

/** The outcome form of one item in the minutes: what the meeting decided, and its comment; the domain checks each. */
export const outcomeFields = z.object({ outcome: formField().default(''), comment: formField().default('') });
