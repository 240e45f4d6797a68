import { testDatabase } from './db.ts';
import { TEST_FIXTURE_TEMPLATE } from './archive.ts';
import { assertPdfA } from './pdfa-checks.ts';

/*
 * Every letter the archive stores in the whole test run is checked as PDF/A: a root hook
 * (global-hooks.ts) calls checkNewlyArchivedLetters after each test, and once more after the last,
 * so a letter archived by any path (domain service, HTTP, API, job, CLI) is read back from the
 * database as stored and checked, and a failure names the test that archived it. Only the rows a
 * test writes itself (template_version TEST_FIXTURE_TEMPLATE: chain and corruption fixtures) are
 * left out.
 */

// On globalThis: the hooks and the test files load this module through different loaders (db.ts).
const progress = globalThis as { raadssvarArchivedLettersChecked?: { lastId: number; letters: number; failed: number } };
progress.raadssvarArchivedLettersChecked ??= { lastId: 0, letters: 0, failed: 0 };
const checked = progress.raadssvarArchivedLettersChecked;

/**
 * Checks every archived letter written since the last call with assertPdfA; returns how many it
 * checked. `during` names the test for the failure message.
 *
 * @throws Error listing the broken rules of the first letter that is not PDF/A-2u.
 */
export async function checkNewlyArchivedLetters(during: string): Promise<number> {
  const rows = await testDatabase()
    .db.selectFrom('archived_documents')
    .select(['id', 'kind', 'consultation_id', 'meeting_id', 'template_version', 'pdf'])
    .where('id', '>', checked.lastId)
    .orderBy('id')
    .execute();
  let count = 0;
  for (const row of rows) {
    checked.lastId = row.id;
    if (row.template_version === TEST_FIXTURE_TEMPLATE) continue;
    checked.letters += 1;
    count += 1;
    try {
      const what =
        row.kind === 'minutes'
          ? `Det arkiverede referat ${row.id} (møde ${row.meeting_id}`
          : `Det arkiverede brev ${row.id} (høring ${row.consultation_id}`;
      await assertPdfA(row.pdf, `${what}, efter «${during}»)`);
    } catch (error) {
      checked.failed += 1;
      throw error;
    }
  }
  return count;
}

/** How many archived letters the run has checked so far, and how many of them failed. */
export function archivedLettersChecked(): { letters: number; failed: number } {
  return { letters: checked.letters, failed: checked.failed };
}
