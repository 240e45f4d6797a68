import { expect } from 'chai';
import { verifyArchive } from '../../src/domain/archive/service.ts';
import { runCli } from '../support/cli.ts';
import { TEST_FIXTURE_TEMPLATE, forgeArchivedLetter, insertArchiveRow, readArchiveRow, rechainFrom, withTriggersOff } from '../support/archive.ts';
import { testDatabase, testOwnerDatabase } from '../support/db.ts';
import { makeConsultationInState, makeCouncilWithPeople } from '../support/factories.ts';
import { workflowDeps } from '../support/fakes.ts';

const cli = (...args: string[]) => runCli(args);

describe('CLI archive verify', function () {
  this.timeout(120_000);

  it('prints the count checked and the mismatches, and exits non-zero on a mismatch', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    // Workflow-only deps: this consultation is approved, not archived; its archive row is written by hand.
    const deps = workflowDeps(db);
    const approved = await makeConsultationInState(deps, people, 'approved');
    const expected = await verifyArchive(db);
    const first = await cli('archive', 'verify');
    expect(first.code, first.stderr).to.equal(expected.mismatches.length > 0 ? 3 : 0);
    expect(JSON.parse(first.stdout)).to.deep.equal({ ok: expected.mismatches.length === 0, ...expected });

    // The table refuses UPDATE, so a corrupted letter can only be a row written wrong from the start.
    const version = await db.selectFrom('response_versions').select('id').where('consultation_id', '=', approved.id).executeTakeFirstOrThrow();
    const bad = await db
      .insertInto('archived_documents')
      .values({
        consultation_id: approved.id,
        pdf: Buffer.from('%PDF-1.4 ændret'),
        sha256: '0'.repeat(64),
        size_bytes: 16,
        response_version_id: version.id,
        template_version: TEST_FIXTURE_TEMPLATE,
        submitted_by: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const second = await cli('archive', 'verify');
    expect(second.code, second.stdout + second.stderr).to.equal(3);
    const output = JSON.parse(second.stdout);
    expect(output.ok).to.equal(false);
    expect(output.checked).to.equal(expected.checked + 1);
    expect(output.mismatches).to.deep.include({
      id: bad.id,
      consultationId: approved.id,
      expected: '0'.repeat(64),
      actual: output.mismatches.find((m: { id: number }) => m.id === bad.id).actual,
      sizeBytes: 16,
      actualSize: Buffer.byteLength('%PDF-1.4 ændret'),
    });
  });

  it('reports the chain and its head; a consistent rewrite exits 3 naming the letter; --anchor catches a rewritten tail', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const deps = workflowDeps(db);
    const letters = [];
    for (const n of [1, 2]) {
      const approved = await makeConsultationInState(deps, people, 'approved');
      letters.push(await insertArchiveRow(db, approved.id, Buffer.from(`%PDF-1.7\n% Høringssvar ${n} (CLI)\n%%EOF\n`)));
    }
    const [first, second] = letters as [(typeof letters)[number], (typeof letters)[number]];
    const clean = JSON.parse((await cli('archive', 'verify')).stdout);
    expect(clean.chainBreaks).to.deep.equal([]);
    expect(clean.head).to.deep.equal({ position: second.chain_position, id: second.id, chainSha256: second.chain_sha256 });
    const anchor = `${clean.head.position}:${clean.head.chainSha256}`;

    const originals = await Promise.all([readArchiveRow(db, first.id), readArchiveRow(db, second.id)]);
    try {
      await withTriggersOff(testOwnerDatabase().db, (tx) => forgeArchivedLetter(tx, first.id, Buffer.from('%PDF-1.7\n% forfalsket\n%%EOF\n')));
      const forged = await cli('archive', 'verify');
      expect(forged.code, forged.stderr).to.equal(3);
      const output = JSON.parse(forged.stdout);
      expect(output.ok).to.equal(false);
      expect(output.chainBreaks.map((b: { problem: string; id: number }) => [b.problem, b.id])).to.deep.equal([['changed', first.id]]);

      // Every hash after it recomputed: the chain holds in itself, but not against the recorded head.
      await withTriggersOff(testOwnerDatabase().db, (tx) => rechainFrom(tx, first.chain_position));
      expect(JSON.parse((await cli('archive', 'verify')).stdout).chainBreaks).to.deep.equal([]);
      const anchored = await cli('archive', 'verify', '--anchor', anchor);
      expect(anchored.code).to.equal(3);
      expect(JSON.parse(anchored.stdout).chainBreaks.map((b: { problem: string; position: number }) => [b.problem, b.position])).to.deep.equal([
        ['anchor', second.chain_position],
      ]);
    } finally {
      await withTriggersOff(testOwnerDatabase().db, async (tx) => {
        // Not created_at: read back as a Date it lost its microseconds, which the chain hash covers.
        for (const { id, created_at: _createdAt, ...row } of originals)
          await tx.updateTable('archived_documents').set(row).where('id', '=', id).execute();
      });
    }
    expect(JSON.parse((await cli('archive', 'verify', '--anchor', anchor)).stdout).chainBreaks).to.deep.equal([]);

    const malformed = await cli('archive', 'verify', '--anchor', 'ikke-et-anker');
    expect(malformed.code).to.equal(1);
    expect(JSON.parse(malformed.stderr).error.code).to.equal('VALIDATION_FAILED');
  });
});
