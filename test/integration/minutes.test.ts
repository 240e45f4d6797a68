import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { listEvents } from '../../src/db/repositories/consultations.ts';
import { insertMeeting } from '../../src/db/repositories/meetings.ts';
import { verifyArchive } from '../../src/domain/archive/service.ts';
import { sendEvent } from '../../src/domain/consultations/service.ts';
import { addFreeItem, getAgenda, refreshAgenda, removeItem } from '../../src/domain/meetings/agenda.ts';
import { removeMeeting } from '../../src/domain/meetings/service.ts';
import { finaliseMinutes, getMinutes, getMinutesPdf, recordOutcome } from '../../src/domain/meetings/minutes.ts';
import { testDatabase, testOwnerDatabase } from '../support/db.ts';
import { deadlineInDays, makeConsultationInState, makeCouncilWithPeople, makeUser } from '../support/factories.ts';
import { workflowDeps } from '../support/fakes.ts';

describe('meeting minutes (referat)', function () {
  this.timeout(120_000);
  const db = () => testDatabase().db;

  /**
   * A council with a meeting in an hour whose agenda holds a chair decision to note and four
   * consultations (three awaiting approval, one drafting); then the clock moves past its start.
   */
  async function setup() {
    let now = new Date();
    const deps = workflowDeps(db(), () => now);
    const people = await makeCouncilWithPeople(db());
    const meeting = await insertMeeting(db(), { councilId: people.council.id, startsAt: new Date(now.getTime() + 3_600_000), place: 'Rådhuset' });
    const chairDecided = await makeConsultationInState(deps, people, 'approved', {
      title: 'Handleplan for sprogcentret',
      deadline: deadlineInDays(4),
    });
    const toApprove = await makeConsultationInState(deps, people, 'awaiting_approval', {
      title: 'Integrationsstrategi',
      deadline: deadlineInDays(40),
    });
    const toSendBack = await makeConsultationInState(deps, people, 'awaiting_approval', {
      title: 'Lov om integration',
      deadline: deadlineInDays(41),
    });
    const toPostpone = await makeConsultationInState(deps, people, 'awaiting_approval', { title: 'Budget 2027', deadline: deadlineInDays(42) });
    const drafting = await makeConsultationInState(deps, people, 'drafted', { title: 'Sprogpolitik', deadline: deadlineInDays(43) });
    expect(await refreshAgenda(deps, people.secretary.actor, people.council.slug, meeting.id)).to.equal(5);
    const agenda = await getAgenda(deps, people.secretary.actor, people.council.slug, meeting.id);
    const itemOf = (id: string) => agenda.items.find((i) => i.consultation?.id === id)!.id;
    now = new Date(meeting.starts_at.getTime() + 2 * 3_600_000);
    const at = (date: Date) => (now = date);
    return { deps, people, meeting, chairDecided, toApprove, toSendBack, toPostpone, drafting, itemOf, at };
  }

  it('records approved, sent back, noted and postponed, each with its effect on the consultation', async () => {
    const w = await setup();
    const sec = w.people.secretary.actor;
    const slug = w.people.council.slug;
    const meetingDate = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Copenhagen' }).format(w.meeting.starts_at);

    // Approved by the meeting, recorded by the secretary: APPROVE with basis meeting and the meeting's date.
    await recordOutcome(w.deps, sec, slug, w.meeting.id, w.itemOf(w.toApprove.id), { outcome: 'approved' });
    const approved = await listEvents(db(), w.toApprove.id);
    const approve = approved.at(-1)!;
    expect(approve.type).to.equal('APPROVE');
    expect(approve.to_state).to.equal('approved');
    expect(approve.payload).to.deep.include({ basis: 'meeting', meetingDate });

    // Sent back with the meeting's comment: REQUEST_CHANGES, back to drafting.
    await expectCode(
      recordOutcome(w.deps, sec, slug, w.meeting.id, w.itemOf(w.toSendBack.id), { outcome: 'sent_back', comment: ' ' }),
      'VALIDATION_FAILED',
    );
    await recordOutcome(w.deps, sec, slug, w.meeting.id, w.itemOf(w.toSendBack.id), { outcome: 'sent_back', comment: 'Afsnit 2 skal skærpes.' });
    const sentBack = (await listEvents(db(), w.toSendBack.id)).at(-1)!;
    expect([sentBack.type, sentBack.to_state]).to.deep.equal(['REQUEST_CHANGES', 'drafting']);
    expect(sentBack.payload).to.deep.include({ comment: 'Afsnit 2 skal skærpes.' });

    // Noted: a MEETING_NOTED row on the timeline, neither state nor version changes.
    const noteItem = (await getMinutes(w.deps, sec, slug, w.meeting.id)).items.find((i) => i.kind === 'note')!;
    const before = await db().selectFrom('consultations').select(['state', 'version']).where('id', '=', w.chairDecided.id).executeTakeFirstOrThrow();
    await expectCode(recordOutcome(w.deps, sec, slug, w.meeting.id, noteItem.id, { outcome: 'approved' }), 'VALIDATION_FAILED');
    await recordOutcome(w.deps, w.people.chair.actor, slug, w.meeting.id, noteItem.id, { outcome: 'noted' });
    const after = await db().selectFrom('consultations').select(['state', 'version']).where('id', '=', w.chairDecided.id).executeTakeFirstOrThrow();
    expect(after).to.deep.equal(before);
    const noted = (await listEvents(db(), w.chairDecided.id)).at(-1)!;
    expect([noted.type, noted.from_state, noted.to_state]).to.deep.equal(['MEETING_NOTED', 'approved', 'approved']);
    expect(noted.payload).to.deep.equal({ meetingId: w.meeting.id, meetingDate, agendaItemId: noteItem.id });

    // Approving a consultation that does not await approval is refused, and nothing is recorded.
    const refused = await expectCode(
      recordOutcome(w.deps, sec, slug, w.meeting.id, w.itemOf(w.drafting.id), { outcome: 'approved' }),
      'TRANSITION_NOT_ALLOWED',
    );
    expect(refused.meta).to.deep.include({ reason: 'NOT_AWAITING_APPROVAL' });
    expect((await getMinutes(w.deps, sec, slug, w.meeting.id)).items.find((i) => i.consultation?.id === w.drafting.id)!.outcome).to.equal(null);

    // Postponed: nothing sent; the next meeting's agenda refresh puts it on again.
    await recordOutcome(w.deps, sec, slug, w.meeting.id, w.itemOf(w.toPostpone.id), { outcome: 'postponed' });
    expect((await listEvents(db(), w.toPostpone.id)).at(-1)!.type).to.equal('SUBMIT_FOR_APPROVAL');
    const next = await insertMeeting(db(), { councilId: w.people.council.id, startsAt: new Date(Date.now() + 20 * 86_400_000), place: 'Rådhuset' });
    await refreshAgenda(w.deps, sec, slug, next.id);
    const nextItems = (await getAgenda(w.deps, sec, slug, next.id)).items.map((i) => i.consultation?.id);
    expect(nextItems).to.include(w.toPostpone.id);
    expect(nextItems).to.not.include(w.toApprove.id);

    // An item is recorded once.
    const again = await expectCode(recordOutcome(w.deps, sec, slug, w.meeting.id, w.itemOf(w.toPostpone.id), { outcome: 'noted' }), 'CONFLICT');
    expect(again.meta).to.deep.include({ reason: 'ALREADY_RECORDED' });
  });

  it('members read the minutes, only the secretary and chair record, other councils get 404, nothing before the meeting', async () => {
    const w = await setup();
    const slug = w.people.council.slug;
    const item = w.itemOf(w.toApprove.id);
    for (const actor of [w.people.member.actor, w.people.staff.actor]) {
      expect((await getMinutes(w.deps, actor, slug, w.meeting.id)).mayRecord).to.equal(false);
      await expectCode(recordOutcome(w.deps, actor, slug, w.meeting.id, item, { outcome: 'approved' }), 'FORBIDDEN');
    }
    const other = await makeCouncilWithPeople(db());
    const outsider = await makeUser(db());
    for (const actor of [other.secretary.actor, outsider.actor]) {
      await expectCode(getMinutes(w.deps, actor, slug, w.meeting.id), 'NOT_FOUND');
      await expectCode(recordOutcome(w.deps, actor, slug, w.meeting.id, item, { outcome: 'approved' }), 'NOT_FOUND');
    }
    w.at(new Date(w.meeting.starts_at.getTime() - 60_000));
    const early = await expectCode(recordOutcome(w.deps, w.people.secretary.actor, slug, w.meeting.id, item, { outcome: 'approved' }), 'CONFLICT');
    expect(early.meta).to.deep.include({ reason: 'MEETING_NOT_BEGUN' });
    // The chair's own rule is unchanged: a secretary still cannot APPROVE outside the minutes.
    await expectCode(
      sendEvent(w.deps, w.people.secretary.actor, w.toApprove.id, {
        type: 'APPROVE',
        version: w.toApprove.version,
        basis: 'meeting',
        meetingDate: '2026-01-01',
      }),
      'FORBIDDEN',
    );
  });

  it('two racing recordings of the same item: exactly one wins, one APPROVE is sent', async () => {
    const w = await setup();
    const slug = w.people.council.slug;
    const item = w.itemOf(w.toApprove.id);
    const results = await Promise.allSettled([
      recordOutcome(w.deps, w.people.secretary.actor, slug, w.meeting.id, item, { outcome: 'approved' }),
      recordOutcome(w.deps, w.people.chair.actor, slug, w.meeting.id, item, { outcome: 'sent_back', comment: 'Nej' }),
      recordOutcome(w.deps, w.people.secretary.actor, slug, w.meeting.id, item, { outcome: 'approved' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1);
    for (const r of results.filter((r) => r.status === 'rejected')) expect((r.reason as { code: string }).code).to.equal('CONFLICT');
    const decisions = (await listEvents(db(), w.toApprove.id)).filter((e) => e.type === 'APPROVE' || e.type === 'REQUEST_CHANGES');
    expect(decisions).to.have.length(1);
  });

  it('finalising archives the minutes once, as kind minutes in the chain, append-only, and the archive still verifies', async () => {
    const w = await setup();
    const sec = w.people.secretary.actor;
    const slug = w.people.council.slug;
    await expectCode(finaliseMinutes(w.deps, sec, slug, w.meeting.id), 'CONFLICT');
    for (const item of (await getMinutes(w.deps, sec, slug, w.meeting.id)).items) {
      await recordOutcome(
        w.deps,
        sec,
        slug,
        w.meeting.id,
        item.id,
        item.consultation?.id === w.toApprove.id ? { outcome: 'approved' } : { outcome: item.kind === 'note' ? 'noted' : 'postponed' },
      );
    }
    await expectCode(finaliseMinutes(w.deps, w.people.member.actor, slug, w.meeting.id), 'FORBIDDEN');
    const results = await Promise.allSettled([finaliseMinutes(w.deps, sec, slug, w.meeting.id), finaliseMinutes(w.deps, sec, slug, w.meeting.id)]);
    expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1);

    const row = await db().selectFrom('archived_documents').selectAll().where('meeting_id', '=', w.meeting.id).executeTakeFirstOrThrow();
    expect([row.kind, row.consultation_id, row.response_version_id, row.submitted_by]).to.deep.equal(['minutes', null, null, sec.userId]);
    expect(createHash('sha256').update(row.pdf).digest('hex')).to.equal(row.sha256);
    const html = w.deps.pdf.renders.at(-1)!.html;
    expect(html).to.contain('Referat af mødet').and.contain('Integrationsstrategi').and.contain('Godkendt').and.contain('Udsat');

    // The download is the archived bytes, for every reader.
    const download = await getMinutesPdf(w.deps, w.people.member.actor, slug, w.meeting.id);
    const chunks: Buffer[] = [];
    for await (const chunk of download.pdf) chunks.push(chunk);
    expect(Buffer.concat(chunks).equals(row.pdf)).to.equal(true);

    // Nothing changes after: no recording, no second document, no update even for the owner.
    const minutes = await getMinutes(w.deps, sec, slug, w.meeting.id);
    expect(minutes.mayRecord).to.equal(false);
    expect(minutes.archived!.sha256).to.equal(row.sha256);
    let error: unknown;
    try {
      await testOwnerDatabase().db.updateTable('archived_documents').set({ sha256: 'x' }).where('id', '=', row.id).execute();
    } catch (caught) {
      error = caught;
    }
    expect((error as Error).message).to.match(/append-only/);

    // The agenda the minutes record stays as it was.
    await expectCode(addFreeItem(w.deps, sec, slug, w.meeting.id, { title: 'Efterskrift' }), 'CONFLICT');
    await expectCode(removeItem(w.deps, sec, slug, w.meeting.id, minutes.items[0]!.id), 'CONFLICT');

    // The archive keeps the minutes' meeting too.
    const kept = await expectCode(removeMeeting(w.deps, sec, slug, w.meeting.id), 'CONFLICT');
    expect(kept.meta).to.deep.include({ reason: 'MINUTES_ARCHIVED' });

    // A letter archived after the minutes links to them, and both verify in the chain.
    const approved = await db().selectFrom('consultations').select('version').where('id', '=', w.toApprove.id).executeTakeFirstOrThrow();
    await sendEvent(w.deps, sec, w.toApprove.id, { type: 'SUBMIT', version: approved.version, channel: 'email', recipient: 'udvalg@naestved.dk' });
    // The meeting approved it and the secretary recorded that: the council's chair signs the letter.
    const letterHtml = w.deps.pdf.renders.at(-1)!.html;
    expect(letterHtml).to.contain(w.people.chair.actor.name).and.not.contain(sec.name);
    const letter = await db().selectFrom('archived_documents').selectAll().where('consultation_id', '=', w.toApprove.id).executeTakeFirstOrThrow();
    expect(letter.kind).to.equal('letter');
    expect(letter.previous_chain_sha256).to.equal(row.chain_sha256);
    // Other tests of the same run deliberately damage rows of the shared archive; these two must verify.
    const ours = (entry: { id: number | null }) => entry.id === row.id || entry.id === letter.id;
    const verified = await verifyArchive(db());
    expect(verified.mismatches.filter(ours)).to.deep.equal([]);
    expect(verified.chainBreaks.filter(ours)).to.deep.equal([]);
  });

  it('an agenda changed while the minutes PDF was rendered archives nothing', async () => {
    const w = await setup();
    const sec = w.people.secretary.actor;
    const slug = w.people.council.slug;
    for (const item of (await getMinutes(w.deps, sec, slug, w.meeting.id)).items) {
      await recordOutcome(w.deps, sec, slug, w.meeting.id, item.id, { outcome: item.kind === 'note' ? 'noted' : 'postponed' });
    }
    const pdf = w.deps.pdf;
    const racing = {
      ...w.deps,
      pdf: {
        render: async (html: string, options?: Parameters<typeof pdf.render>[1]) => {
          // Someone adds an item while Chromium lays out the minutes.
          await addFreeItem(w.deps, w.people.chair.actor, slug, w.meeting.id, { title: 'Eventuelt' });
          return pdf.render(html, options);
        },
      },
    };
    const refused = await expectCode(finaliseMinutes(racing, sec, slug, w.meeting.id), 'CONFLICT');
    expect(refused.meta).to.deep.include({ reason: 'AGENDA_CHANGED' });
    expect(await db().selectFrom('archived_documents').select('id').where('meeting_id', '=', w.meeting.id).execute()).to.deep.equal([]);
  });
});

async function expectCode(promise: Promise<unknown>, code: string): Promise<{ code: string; meta: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    expect((error as { code?: string }).code, String(error)).to.equal(code);
    return error as { code: string; meta: Record<string, unknown> };
  }
  return expect.fail(`expected ${code}`);
}
