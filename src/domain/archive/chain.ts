import { createHash } from 'node:crypto';

/**
 * What an archived letter's chain hash covers: its predecessor's chain hash, its place in the
 * chain, its metadata and the SHA-256 of its PDF. The database computes the same hash when it
 * appends a letter (archive_chain_hash in db/migrations/2026-12-01T1100_archive_chain.ts); the
 * check computes it here, independent of any function stored in the database it checks.
 */
export interface ChainedFields {
  previousChainSha256: string | null;
  chainPosition: number;
  id: number;
  consultationId: string;
  sha256: string;
  sizeBytes: number;
  responseVersionId: number;
  submittedBy: number | null;
  /** The archiving time in UTC to the microsecond, `YYYY-MM-DDTHH:MM:SS.ffffffZ`. */
  createdAtUtc: string;
  templateVersion: string;
}

/** The chain hash of an archived letter: hex SHA-256 of its fields, one per line, the free text last. */
export function chainHash(row: ChainedFields): string {
  const text = [
    row.previousChainSha256 ?? '',
    String(row.chainPosition),
    String(row.id),
    row.consultationId,
    row.sha256,
    String(row.sizeBytes),
    String(row.responseVersionId),
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
