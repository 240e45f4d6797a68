import { createHash } from 'node:crypto';

/**
 * The SHA-256 of a text as hex: how a secret the server hands out (session id, reset token) or a
 * key it need not keep readable is stored, so the database alone yields nothing usable.
 */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
