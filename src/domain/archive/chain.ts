import { createHash } from 'node:crypto';

/**
 * What an archived document's chain hash covers: its predecessor's chain hash, its place in the
 * chain, its metadata and the SHA-256 of its PDF. The database computes the same hash when it
 * appends a document (archive_chain_hash in db/migrations/2026-12-01T1100_archive_chain.ts for
 * letters, archive_minutes_chain_hash in 2026-12-05T0300_minutes.ts for minutes); the check
 * computes it here, independent of any function stored in the database it checks.
 */
export interface ChainedFields {
  previousChainSha256: string | null;
  chainPosition: number;
  id: number;
  /** 'letter' or 'minutes'; the two are hashed from different fields. */
  kind: 'letter' | 'minutes';
  /** A letter's consultation (null for minutes). */
  consultationId: string | null;
  /** The minutes' meeting (null for letters). */
  meetingId: number | null;
  sha256: string;
  sizeBytes: number;
  /** A letter's response version (null for minutes). */
  responseVersionId: number | null;
  submittedBy: number | null;
  /** The archiving time in UTC to the microsecond, `YYYY-MM-DDTHH:MM:SS.ffffffZ`. */
  createdAtUtc: string;
  templateVersion: string;
}

/**
 * The chain hash of an archived document: hex SHA-256 of its fields, one per line, the free text
 * last. A letter's lines are the consultation and response version (as before minutes existed, so
 * old hashes hold); minutes name their kind and meeting instead.
 */
export function chainHash(row: ChainedFields): string {
  const identity =
    row.kind === 'minutes'
      ? ['minutes', String(row.meetingId), row.sha256, String(row.sizeBytes)]
      : [String(row.consultationId), row.sha256, String(row.sizeBytes), String(row.responseVersionId)];
  const text = [
    row.previousChainSha256 ?? '',
    String(row.chainPosition),
    String(row.id),
    ...identity,
    row.submittedBy === null ? '' : String(row.submittedBy),
    row.createdAtUtc,
    row.templateVersion,
  ].join('\n');
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** A place in the chain and its chain hash as recorded outside the database, e.g. `12:9f86d0…`. */
export interface ChainAnchor {
  position: number;
  chainSha256: string;
}

/** Reads `POSITION:CHAIN_SHA256` (what `archive verify` reports as its head), or undefined when malformed. */
export function parseChainAnchor(text: string): ChainAnchor | undefined {
  const match = /^(\d{1,9}):([0-9a-f]{64})$/i.exec(text.trim());
  if (!match) return undefined;
  return { position: Number(match[1]), chainSha256: match[2]!.toLowerCase() };
}
