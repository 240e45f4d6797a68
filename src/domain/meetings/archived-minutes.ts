import { AppError } from '../errors.ts';

/** The foreign key from an archived minutes document to its meeting (migration 2026-12-05T0300_minutes). */
const MINUTES_MEETING_KEY = 'archived_documents_meeting_id_fkey';

/**
 * Runs a meeting's deletion. The archive keeps a meeting's minutes for good, and its foreign key
 * refuses to delete their meeting; that refusal becomes CONFLICT with a Danish message (meta
 * reason MINUTES_ARCHIVED) instead of a server error.
 */
export async function deletingMeeting<T>(remove: () => Promise<T>): Promise<T> {
  try {
    return await remove();
  } catch (error) {
    const pg = error as { code?: string; constraint?: string };
    if (pg.code === '23503' && pg.constraint === MINUTES_MEETING_KEY) {
      throw new AppError('CONFLICT', 'Mødet har et godkendt og arkiveret referat og kan ikke slettes', { meta: { reason: 'MINUTES_ARCHIVED' } });
    }
    throw error;
  }
}
