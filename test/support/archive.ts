import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Db, Executor, Tx } from '../../src/db/database.ts';

/**
 * The template version of every archive row a test writes itself instead of through the app's
 * SUBMIT: such a row is a fixture of the chain or of a corruption, not a letter, so the check of
 * every archived letter (test/support/archived-letters.ts) leaves it out.
 */
export const TEST_FIXTURE_TEMPLATE = 'test';

/**
 * An archived PDF row for a consultation, as the SUBMIT archiving would write it, so tests of what
 * happens after the archive (e.g. the submission mail) do not depend on rendering a real PDF.
 */
export async function insertArchiveRow(db: Db, consultationId: string, pdf = Buffer.from('%PDF-1.7\n% Høringssvar (test)\n%%EOF\n')) {
  const version = await db
    .selectFrom('response_versions')
    .select('id')
    .where('consultation_id', '=', consultationId)
    .orderBy('number', 'desc')
    .executeTakeFirstOrThrow();
  return db
    .insertInto('archived_documents')
    .values({
      consultation_id: consultationId,
      pdf,
      sha256: createHash('sha256').update(pdf).digest('hex'),
      size_bytes: pdf.length,
      response_version_id: version.id,
      template_version: TEST_FIXTURE_TEMPLATE,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Runs `check` in a transaction that is always rolled back, and returns what it returned. */
export async function inRolledBackTransaction<T>(db: Db, check: (tx: Tx) => Promise<T>): Promise<T> {
  const undo = new Error('roll back');
  let result: T | undefined;
  try {
    await db.transaction().execute(async (tx) => {
      result = await check(tx);
      throw undo;
    });
  } catch (error) {
    if (error !== undo) throw error;
  }
  return result as T;
}

/**
 * Runs `change` in one transaction with the archive's triggers off, as the schema's owner could:
 * what an attacker with the owner's rights would do to the append-only archive. `owner` must be
 * the owner's connection (testOwnerDatabase): the app's role may not switch triggers off. The
 * triggers are switched on again inside the same transaction, so no other connection ever sees
 * them off. With `rollBack` the transaction is undone after `change` (which may check what it did
 * inside it) and its result returned.
 */
export async function withTriggersOff<T>(owner: Db, change: (tx: Tx) => Promise<T>, { rollBack = false } = {}): Promise<T> {
  const run = async (tx: Tx) => {
    await sql`alter table archived_documents disable trigger user`.execute(tx);
    const result = await change(tx);
    await sql`alter table archived_documents enable trigger user`.execute(tx);
    return result;
  };
  return rollBack ? inRolledBackTransaction(owner, run) : owner.transaction().execute(run);
}

/** An archived letter's fields as stored, bytes included, for restoring it after a test rewrote it. */
export function readArchiveRow(db: Executor, id: number) {
  return db.selectFrom('archived_documents').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** Rewrites an archived letter's bytes with a matching SHA-256 and size: a consistent forgery of its content. */
export async function forgeArchivedLetter(tx: Tx, id: number, pdf: Buffer): Promise<void> {
  await tx
    .updateTable('archived_documents')
    .set({ pdf, sha256: createHash('sha256').update(pdf).digest('hex'), size_bytes: pdf.length })
    .where('id', '=', id)
    .execute();
}

/**
 * Recomputes the chain from the letter at `position` to the head, as the database computes it:
 * what a forger must do after rewriting a letter so that every link holds again.
 */
export async function rechainFrom(tx: Tx, position: number): Promise<void> {
  const rows = await tx
    .selectFrom('archived_documents')
    .select(['id', 'previous_chain_sha256'])
    .where('chain_position', '>=', position)
    .orderBy('chain_position')
    .execute();
  let previous = rows[0]?.previous_chain_sha256 ?? null;
  for (const row of rows) {
    const updated = await tx
      .updateTable('archived_documents')
      .set({
        previous_chain_sha256: previous,
        // Minutes (other tests of the run archive some) hash by their own rule (migration 2026-12-05T0300_minutes).
        chain_sha256: sql<string>`case when kind = 'minutes'
          then archive_minutes_chain_hash(${previous}::text, chain_position, id, meeting_id, sha256, size_bytes, submitted_by, created_at, template_version)
          else archive_chain_hash(${previous}::text, chain_position, id, consultation_id, sha256, size_bytes, response_version_id, submitted_by, created_at, template_version) end`,
      })
      .where('id', '=', row.id)
      .returning('chain_sha256')
      .executeTakeFirstOrThrow();
    previous = updated.chain_sha256;
  }
}
