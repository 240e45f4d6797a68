import { hash } from 'node:crypto';

/**
 * The SHA-256 of a text as hex: how a secret the server hands out (session id, reset token) or a
 * key it need not keep readable is stored, so the database alone yields nothing usable. The
 * one-shot crypto.hash, because every signed-in request hashes its session id.
 */
export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}
