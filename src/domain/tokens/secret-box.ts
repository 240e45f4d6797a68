import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/*
 * Secrets the server must send on (an intake mailbox's password) cannot be hashed; they are
 * sealed with AES-256-GCM under a key derived from SESSION_SECRET for one purpose, so the
 * database alone does not give them away and a sealed value of one purpose opens for no other.
 * A new SESSION_SECRET makes the old sealed values unreadable: the admin types them again.
 */

const IV_BYTES = 12;
const TAG_BYTES = 16;

function keyFor(secret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'raadssvar-secret-box', purpose, 32));
}

/** `value` sealed under `purpose`: iv, tag and ciphertext, base64url. */
export function sealSecret(secret: string, purpose: string, value: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyFor(secret, purpose), iv);
  const sealed = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
}

/** The value sealed by {@link sealSecret} under the same secret and purpose, or undefined when it does not open. */
export function openSecret(secret: string, purpose: string, sealed: string): string | undefined {
  const bytes = Buffer.from(sealed, 'base64url');
  if (bytes.length < IV_BYTES + TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyFor(secret, purpose), bytes.subarray(0, IV_BYTES));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
