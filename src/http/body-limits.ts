import { MAX_DRAFT_CHARS } from '../domain/consultations/schemas.ts';

// Room for a request's other fields beside the longest draft.
const OTHER_FIELDS_BYTES = 64 * 1024;

/**
 * The largest urlencoded form body, so that every valid draft fits: a character JavaScript
 * counts once takes at most 9 bytes percent-encoded (a 3-byte UTF-8 character as %XX%XX%XX; a
 * 4-byte one counts twice and takes 12).
 */
export const FORM_BODY_LIMIT_BYTES = MAX_DRAFT_CHARS * 9 + OTHER_FIELDS_BYTES;

/**
 * The largest JSON body of the API, so that every valid draft fits however its client writes
 * JSON: a character takes at most 6 bytes as a `\uXXXX` escape (a 4-byte one counts twice and
 * takes 12 as a surrogate pair).
 */
export const JSON_BODY_LIMIT_BYTES = MAX_DRAFT_CHARS * 6 + OTHER_FIELDS_BYTES;
