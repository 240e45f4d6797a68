import type { ListKey } from '../../db/repositories/queue.ts';
import { AppError } from '../errors.ts';
import { isUuid } from '../validation.ts';

/** The opaque page cursor of a list row (the queue's pages and the API's `nextCursor`). */
export function encodeCursor(row: ListKey): string {
  return Buffer.from(JSON.stringify([row.deadline.toISOString(), row.id])).toString('base64url');
}

/** The sort key in a cursor; VALIDATION_FAILED on the `cursor` field for anything else. */
export function decodeCursor(cursor: string): ListKey {
  try {
    const [deadline, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    const date = new Date(String(deadline));
    // The year bounds keep the date inside PostgreSQL's timestamptz range.
    const year = date.getUTCFullYear();
    if (Number.isNaN(date.getTime()) || year < 1 || year > 9999) throw new Error('bad date');
    if (typeof id !== 'string' || !isUuid(id)) throw new Error('bad id');
    return { deadline: date, id };
  } catch {
    throw new AppError('VALIDATION_FAILED', 'Ugyldig side', { details: [{ path: 'cursor', message: 'Ugyldig side' }] });
  }
}
