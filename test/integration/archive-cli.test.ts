import { expect } from 'chai';
import { verifyArchive } from '../../src/domain/archive/service.ts';
import { TEMPLATE_VERSION } from '../../src/domain/pdf/renderer.ts';
import { runCli } from '../support/cli.ts';
import { testDatabase } from '../support/db.ts';
import { makeConsultationInState, makeCouncilWithPeople } from '../support/factories.ts';

const cli = (...args: string[]) => runCli(args);

describe('CLI archive verify', function () {
  this.timeout(120_000);

  it('prints the count checked and the mismatches, and exits non-zero on a mismatch', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    // Workflow-only deps: this consultation is approved, not archived; its archive row is written by hand.
    const deps = { db, clock: () => new Date() };
    const approved = await makeConsultationInState(deps, people, 'approved');
    const expected = await verifyArchive(db);
    const first = await cli('archive', 'verify');
    expect(first.code, first.stderr).to.equal(expected.mismatches.length > 0 ? 3 : 0);
    expect(JSON.parse(first.stdout)).to.deep.equal({ ok: expected.mismatches.length === 0, ...expected });

    // The table refuses UPDATE, so a corrupted letter can only be a row written wrong from the start.
    const version = await db.selectFrom('response_versions').select('id').where('consultation_id', '=', approved.id).executeTakeFirstOrThrow();
    const bad = await db
      .insertInto('archived_documents')
      .values({ consultation_id: approved.id, pdf: Buffer.from('%PDF-1.4 ændret'), sha256: '0'.repeat(64), size_bytes: 16, response_version_id: version.id, template_version: TEMPLATE_VERSION, submitted_by: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    const second = await cli('archive', 'verify');
    expect(second.code, second.stdout + second.stderr).to.equal(3);
    const output = JSON.parse(second.stdout);
    expect(output.ok).to.equal(false);
    expect(output.checked).to.equal(expected.checked + 1);
    expect(output.mismatches).to.deep.include({ id: bad.id, consultationId: approved.id, expected: '0'.repeat(64), actual: output.mismatches.find((m: { id: number }) => m.id === bad.id).actual, sizeBytes: 16, actualSize: Buffer.byteLength('%PDF-1.4 ændret') });
  });
});
