import { createHmac, timingSafeEqual } from 'node:crypto';

/*
 * A link token that names two ids and proves we made it: `<a>-<b>-<HMAC-SHA-256>`, keyed with
 * SESSION_SECRET under a purpose label, so a token is good for its one purpose only. For links
 * whose action is harmless and idempotent (the one-click unsubscribes), where nothing needs to be
 * stored or revoked one link at a time.
 */

function mac(secret: string, purpose: string, first: number, second: number): Buffer {
  return createHmac('sha256', secret).update(`${purpose}:${first}:${second}`).digest();
}

/** The token for the pair under `purpose`. */
export function signedPairToken(secret: string, purpose: string, first: number, second: number): string {
  return `${first}-${second}-${mac(secret, purpose, first, second).toString('base64url')}`;
}

/** The pair a token stands for, or undefined when it is not one we made for `purpose` (compared in constant time). */
export function verifiedSignedPair(secret: string, purpose: string, token: string): { first: number; second: number } | undefined {
  const match = /^([1-9]\d{0,9})-([1-9]\d{0,9})-([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return undefined;
  const first = Number(match[1]);
  const second = Number(match[2]);
  const given = Buffer.from(match[3]!, 'base64url');
  const expected = mac(secret, purpose, first, second);
  return given.length === expected.length && timingSafeEqual(given, expected) ? { first, second } : undefined;
}
