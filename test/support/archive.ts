import { createHash } from 'node:crypto';
import type { Db } from '../../src/db/database.ts';

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
      template_version: 'test',
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}
