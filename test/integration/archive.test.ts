import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { extractText, getMeta } from 'unpdf';
import type { Actor } from '../../src/domain/access/actor.ts';
import { previewLetter, verifyArchive } from '../../src/domain/archive/service.ts';
import { getConsultation, saveDraft, sendEvent, type EventDeps } from '../../src/domain/consultations/service.ts';
import { ChromiumPdfRenderer } from '../../src/adapters/chromium-pdf.ts';
import { TEMPLATE_VERSION } from '../../src/domain/pdf/letter.ts';
import { PdfRenderError } from '../../src/domain/pdf/renderer.ts';
import { recordingJobs, workflowDeps, type RecordingJobs } from '../support/fakes.ts';
import { testDatabase, testOwnerDatabase } from '../support/db.ts';
import { startListener, type RecordingListener } from '../support/listener.ts';
import { makeConsultationInState, makeCouncilWithPeople, makeUser } from '../support/factories.ts';
import { AppError, type ErrorCode } from '../../src/domain/errors.ts';
import { rejection } from '../support/assert.ts';
import {
  TEST_FIXTURE_TEMPLATE,
  forgeArchivedLetter,
  inRolledBackTransaction,
  insertArchiveRow,
  rechainFrom,
  withTriggersOff,
} from '../support/archive.ts';
import * as archiveChainMigration from '../../db/migrations/2026-12-01T1100_archive_chain.ts';
import * as minutesMigration from '../../db/migrations/2026-12-05T0300_minutes.ts';
import { DEFAULT_CHROMIUM_PATH } from '../../src/config.ts';

async function expectAppError(promise: Promise<unknown>, code: ErrorCode): Promise<AppError> {
  const error = await rejection(promise);
  expect(error).to.be.instanceOf(AppError);
  expect((error as unknown as AppError).code, error.message).to.equal(code);
  return error as unknown as AppError;
}

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM_PATH;

async function pdfText(pdf: Buffer): Promise<{ pages: number; text: string }> {
  const { totalPages, text } = await extractText(new Uint8Array(pdf), { mergePages: true });
  return { pages: totalPages, text: text.replace(/\s+/g, ' ') };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('submitting with an archived PDF letter', function () {
  this.timeout(180_000);
  let db: ReturnType<typeof testDatabase>['db'];
  // One Chromium for the whole file.
  const renderer = new ChromiumPdfRenderer({ chromiumPath: CHROMIUM_PATH });
  let deps: EventDeps & { jobs: RecordingJobs };
  let people: Awaited<ReturnType<typeof makeCouncilWithPeople>>;
  let sec: Actor;

  before(async () => {
    db = testDatabase().db;
    deps = { ...workflowDeps(db), pdf: renderer, jobs: recordingJobs() };
    people = await makeCouncilWithPeople(db);
    sec = people.secretary.actor;
    await db
      .updateTable('councils')
      .set({ letterhead_address: 'Rådmandshaven 20\n4700 Næstved', letterhead_contact: 'integrationsraad@naestved.dk · 55 88 55 88' })
      .where('slug', '=', people.council.slug)
      .execute();
  });

  after(() => renderer.close());

  /** An approved consultation whose approved text is `body`, with an authority e-mail so a SUBMIT by e-mail has its address. */
  async function approvedWith(body: string, approver: Actor = people.chair.actor, authorityEmail: string | null = 'bu@naestved.dk') {
    let c = await makeConsultationInState(deps, people, 'drafting', { authorityEmail });
    c = await saveDraft(deps, sec, c.id, { body, version: c.version });
    c = await sendEvent(deps, sec, c.id, { type: 'SUBMIT_FOR_APPROVAL', version: c.version });
    return sendEvent(deps, approver, c.id, { type: 'APPROVE', version: c.version, basis: 'chair_decision' });
  }

  function archiveRows(consultationId: string) {
    return db.selectFrom('archived_documents').selectAll().where('consultation_id', '=', consultationId).execute();
  }

  it('moves the consultation to submitted and archives the letter of the approved text, signed by the approving chair', async () => {
    const body =
      '## Bemærkninger\n\nRådet støtter målet om, at flere ældre får fodfæste på arbejdsmarkedet, og ønsker særlig opmærksomhed på økonomien.';
    const approved = await approvedWith(body);
    const done = await sendEvent(deps, sec, approved.id, {
      type: 'SUBMIT',
      version: approved.version,
      channel: 'email',
      recipient: 'bu@naestved.dk',
    });
    expect(done.state).to.equal('submitted');
    // The answer is built from what the transaction wrote, and must be what a fresh read gives.
    expect(done).to.deep.equal(await getConsultation(deps, sec, done.id));
    expect(done.timeline.at(-1)).to.include({ type: 'SUBMIT', from: 'approved', to: 'submitted' });

    const [row, ...others] = await archiveRows(done.id);
    expect(others).to.have.length(0);
    const versions = await db
      .selectFrom('response_versions')
      .select(['id', 'number'])
      .where('consultation_id', '=', done.id)
      .orderBy('number', 'desc')
      .execute();
    expect(row).to.deep.include({
      sha256: createHash('sha256').update(row!.pdf).digest('hex'),
      size_bytes: row!.pdf.length,
      response_version_id: versions[0]!.id,
      template_version: TEMPLATE_VERSION,
      submitted_by: sec.userId,
    });

    const { text } = await pdfText(row!.pdf);
    for (const expected of [
      people.council.name,
      'Rådmandshaven 20',
      'Beskæftigelses- og Uddannelsesudvalget, Næstved Kommune',
      'Høringssvar vedr. Udkast til Integrationsstrategi 2026–2029',
      'Deres reference: 25-012345',
      `Vores reference: ${done.reference}`,
      'Rådet støtter målet om, at flere ældre får fodfæste på arbejdsmarkedet, og ønsker særlig opmærksomhed på økonomien.',
      `På vegne af ${people.council.name} Ahmad Hussein, formand`,
      'Side 1 af 1',
    ]) {
      expect(text).to.include(expected);
    }
    expect(text).not.to.include('UDKAST');

    const { info } = await getMeta(new Uint8Array(row!.pdf));
    expect(info).to.include({
      Title: 'Høringssvar vedr. Udkast til Integrationsstrategi 2026–2029',
      Author: people.council.name,
      Subject: 'Høringssvar vedr. Udkast til Integrationsstrategi 2026–2029',
      Creator: `Rådssvar ${TEMPLATE_VERSION}`,
    });
    expect(info.Keywords).to.include('Høringssvar').and.include(done.reference!);
    expect(info.CreationDate).to.match(/^D:\d{14}[+-]\d{2}'\d{2}'$/);

    // By e-mail: the mail of the archived letter is queued in the submitting transaction.
    expect(deps.jobs.queued.filter((job) => (job.data as { consultationId?: string }).consultationId === done.id)).to.deep.equal([
      { queue: 'submission-mail', data: { consultationId: done.id }, inTransaction: true },
    ]);
  });

  it('signs with the approving chair’s title in the council and dates the letter the day it was sent', async () => {
    const vice = await makeUser(db, { council: people.council, role: 'chair', name: 'Birgitte Ærø' });
    await db.updateTable('memberships').set({ title: 'næstformand' }).where('user_id', '=', vice.actor.userId).execute();
    const approved = await approvedWith('Rådet har ingen bemærkninger.', vice.actor);
    const done = await sendEvent(deps, people.chair.actor, approved.id, {
      type: 'SUBMIT',
      version: approved.version,
      channel: 'letter',
      submittedAt: '2026-03-12',
    });
    const [row] = await archiveRows(done.id);
    const { text } = await pdfText(row!.pdf);
    expect(text).to.include(`På vegne af ${people.council.name} Birgitte Ærø, næstformand`);
    expect(text).to.include('12. marts 2026');
    expect(row!.submitted_by).to.equal(people.chair.actor.userId);
  });

  it('refuses before rendering: wrong role, stale version, wrong state, bad payload, by e-mail with no address', async () => {
    let renders = 0;
    const counting: EventDeps = {
      ...deps,
      pdf: {
        render: async (html, options) => {
          renders += 1;
          return renderer.render(html, options);
        },
      },
    };
    const approved = await approvedWith('Rådet støtter forslaget.');
    await expectAppError(
      sendEvent(counting, people.member.actor, approved.id, { type: 'SUBMIT', version: approved.version, channel: 'email' }),
      'FORBIDDEN',
    );
    await expectAppError(
      sendEvent(counting, people.staff.actor, approved.id, { type: 'SUBMIT', version: approved.version, channel: 'email' }),
      'FORBIDDEN',
    );
    const outsider = await makeUser(db, { name: 'Fremmed Sekretær' });
    await expectAppError(
      sendEvent(counting, outsider.actor, approved.id, { type: 'SUBMIT', version: approved.version, channel: 'email' }),
      'NOT_FOUND',
    );
    await expectAppError(sendEvent(counting, sec, approved.id, { type: 'SUBMIT', version: approved.version - 1, channel: 'email' }), 'STALE_VERSION');
    await expectAppError(sendEvent(counting, sec, approved.id, { type: 'SUBMIT', version: approved.version, channel: 'fax' }), 'VALIDATION_FAILED');
    const drafting = await makeConsultationInState(deps, people, 'drafted');
    await expectAppError(
      sendEvent(counting, sec, drafting.id, { type: 'SUBMIT', version: drafting.version, channel: 'email' }),
      'TRANSITION_NOT_ALLOWED',
    );
    // No authority e-mail and no address typed (a name is not one): refused beside the recipient field.
    const noAddress = await approvedWith('Rådet støtter forslaget.', people.chair.actor, null);
    for (const recipient of [undefined, '', 'Beskæftigelsesudvalget']) {
      const refused = await expectAppError(
        sendEvent(counting, sec, noAddress.id, { type: 'SUBMIT', version: noAddress.version, channel: 'email', recipient }),
        'RECIPIENT_ADDRESS_MISSING',
      );
      expect(refused.httpStatus).to.equal(422);
      expect(refused.details.map((d) => d.path)).to.deep.equal(['recipient']);
    }
    expect(renders).to.equal(0);
    expect(await archiveRows(approved.id)).to.have.length(0);
    expect(await archiveRows(noAddress.id)).to.have.length(0);
    // A typed address is enough, and so is the portal without one.
    const typed = await sendEvent(counting, sec, noAddress.id, {
      type: 'SUBMIT',
      version: noAddress.version,
      channel: 'email',
      recipient: 'BU@Naestved.dk',
    });
    expect(typed.submission).to.include({ channel: 'email' });
    expect(renders).to.equal(1);
  });

  it('a render failure leaves the consultation approved with nothing written, and says so in Danish', async () => {
    const approved = await approvedWith('Rådet støtter forslaget.');
    const failing: EventDeps = { ...deps, pdf: { render: () => Promise.reject(new PdfRenderError('Chromium stoppede')) } };
    const error = await expectAppError(
      sendEvent(failing, sec, approved.id, { type: 'SUBMIT', version: approved.version, channel: 'email' }),
      'RENDER_FAILED',
    );
    expect(error.httpStatus).to.equal(503);
    expect(error.message).to.include('ikke sendt').and.include('stadig godkendt');
    const after = await getConsultation(deps, sec, approved.id);
    expect(after).to.include({ state: 'approved', version: approved.version });
    expect(after.timeline.map((e) => e.type)).not.to.include('SUBMIT');
    expect(await archiveRows(approved.id)).to.have.length(0);
    expect(
      deps.jobs.queued.filter((job) => (job.data as { consultationId?: string }).consultationId === approved.id),
      'no mail queued',
    ).to.deep.equal([]);

    const done = await sendEvent(deps, sec, approved.id, { type: 'SUBMIT', version: approved.version, channel: 'email' });
    expect(done.state).to.equal('submitted');
  });

  it('Chromium killed in the middle of a submit: that submit fails cleanly, the next one succeeds', async () => {
    const own = new ChromiumPdfRenderer({ chromiumPath: CHROMIUM_PATH });
    try {
      const ownDeps: EventDeps = { ...deps, pdf: own };
      // Long enough to keep Chromium busy for a while (about 60 pages).
      const long = Array.from(
        { length: 400 },
        (_, i) => `Afsnit ${i + 1}: Rådet bemærker, at økonomien for de ældre borgere skal sikres på længere sigt, også i Næstved.`,
      ).join('\n\n');
      const first = await approvedWith(long);
      await own.render('<p>opvarmning</p>');
      const pid = own.stats().browserPid!;
      // Chromium is frozen before the submit, so it cannot finish the letter before it is killed,
      // however late this (busy) process gets to kill it; once the render holds its slot, it dies.
      process.kill(pid, 'SIGSTOP');
      const outcome = sendEvent(ownDeps, sec, first.id, { type: 'SUBMIT', version: first.version, channel: 'email' }).then(
        () => null,
        (error: unknown) => error,
      );
      while (own.stats().active === 0) await sleep(5);
      process.kill(pid, 'SIGKILL');
      expect(await outcome).to.have.property('code', 'RENDER_FAILED');
      expect((await getConsultation(deps, sec, first.id)).state).to.equal('approved');
      expect(await archiveRows(first.id)).to.have.length(0);

      const done = await sendEvent(ownDeps, sec, first.id, { type: 'SUBMIT', version: first.version, channel: 'email' });
      expect(done.state).to.equal('submitted');
      expect(own.stats().browserLaunches).to.equal(2);
      const [row] = await archiveRows(first.id);
      expect((await pdfText(row!.pdf)).text).to.include('Afsnit 400: Rådet bemærker');
    } finally {
      await own.close();
    }
  });

  it('two submits of one consultation at once: exactly one archive row, the other gets STALE_VERSION', async () => {
    const approved = await approvedWith('Rådet støtter forslaget om flere sprogcaféer.');
    const results = await Promise.allSettled([
      sendEvent(deps, sec, approved.id, { type: 'SUBMIT', version: approved.version, channel: 'email' }),
      sendEvent(deps, people.chair.actor, approved.id, { type: 'SUBMIT', version: approved.version, channel: 'portal' }),
    ]);
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(fulfilled).to.have.length(1);
    expect(rejected).to.have.length(1);
    expect(rejected[0]!.reason).to.have.property('code', 'STALE_VERSION');
    expect(await archiveRows(approved.id)).to.have.length(1);
    const events = await db
      .selectFrom('consultation_events')
      .select('type')
      .where('consultation_id', '=', approved.id)
      .where('type', '=', 'SUBMIT')
      .execute();
    expect(events).to.have.length(1);
  });

  it('the database refuses UPDATE, DELETE and TRUNCATE of an archived letter: the app role has no right to, and its triggers stop even the owner', async () => {
    const done = await makeConsultationInState(deps, people, 'submitted');
    const [row] = await archiveRows(done.id);
    expect(row).to.be.an('object');
    const attempts = (as: typeof db) => [
      () => as.updateTable('archived_documents').set({ sha256: 'x' }).where('id', '=', row!.id).execute(),
      () =>
        as
          .updateTable('archived_documents')
          .set({ pdf: Buffer.from('%PDF-falsk') })
          .where('id', '=', row!.id)
          .execute(),
      () => as.deleteFrom('archived_documents').where('id', '=', row!.id).execute(),
      () => sql`truncate archived_documents`.execute(as),
    ];
    for (const [as, reason] of [
      [db, /permission denied/],
      [testOwnerDatabase().db, /append-only/],
    ] as const) {
      for (const attempt of attempts(as)) {
        let error: unknown;
        try {
          await attempt();
        } catch (caught) {
          error = caught;
        }
        expect(error, attempt.toString()).to.be.instanceOf(Error);
        expect((error as Error).message).to.match(reason);
      }
    }
    const [still] = await archiveRows(done.id);
    expect(still!.sha256).to.equal(row!.sha256);
    expect(Buffer.compare(still!.pdf, row!.pdf)).to.equal(0);
  });

  describe('a hostile draft', () => {
    let listener: RecordingListener;
    beforeEach(async () => {
      listener = await startListener();
    });
    afterEach(() => listener.close());

    function hostile(url: string): string {
      return [
        'Første afsnit om sprogskolen og de ældre.',
        `<script>document.write('SKRIPT-KØRTE')</script>`,
        `<img src="${url}/x">`,
        `<iframe src="${url}/frame"></iframe>`,
        `<p style="background:url(${url}/y)">Stil</p><style>body{background:url(${url}/z)}</style>`,
        `<link rel="stylesheet" href="${url}/style.css">`,
        `![billede](${url}/md.png)`,
        'Sidste afsnit om æbler, øer og ål.',
      ].join('\n\n');
    }

    it('neither in the archived letter nor in the preview makes a request or shows live content', async () => {
      // A renderer of this test's own: closing it ends every fetch Chromium could still make, so
      // the listener's record is final once it has settled.
      const own = new ChromiumPdfRenderer({ chromiumPath: CHROMIUM_PATH });
      const ownDeps = { ...deps, pdf: own };
      const approved = await approvedWith(hostile(listener.url));
      let preview: Awaited<ReturnType<typeof previewLetter>>;
      let done: Awaited<ReturnType<typeof sendEvent>>;
      try {
        preview = await previewLetter(ownDeps, people.chair.actor, approved.id);
        done = await sendEvent(ownDeps, sec, approved.id, { type: 'SUBMIT', version: approved.version, channel: 'email' });
      } finally {
        await own.close();
      }
      await listener.settle();
      const [row] = await archiveRows(done.id);
      expect(listener.requests).to.deep.equal([]);
      expect(listener.connections()).to.equal(0);
      for (const pdf of [preview.pdf, row!.pdf]) {
        const { text } = await pdfText(pdf);
        expect(text).to.include('Første afsnit om sprogskolen og de ældre.').and.include('Sidste afsnit om æbler, øer og ål.');
        expect(text).not.to.include('SKRIPT');
        expect(text).not.to.include(listener.url);
        // No image was embedded and nothing links to the listener.
        const bytes = pdf.toString('latin1');
        expect(bytes).not.to.match(/\/Subtype \/Image\b/);
        expect(bytes).not.to.include('127.0.0.1');
      }
    });
  });

  it('a preview is marked as a draft, signed by the chair asking, and never archived', async () => {
    const awaiting = await makeConsultationInState(deps, people, 'awaiting_approval');
    const preview = await previewLetter(deps, people.chair.actor, awaiting.id);
    const { text } = await pdfText(preview.pdf);
    expect(text).to.include('UDKAST – ikke godkendt').and.include('Ahmad Hussein, formand');
    expect(preview.fileName).to.equal(`Hoeringssvar-${awaiting.reference}-UDKAST.pdf`);
    const bySecretary = await pdfText((await previewLetter(deps, sec, awaiting.id)).pdf);
    expect(bySecretary.text).to.include('[Underskriver angives ved godkendelse]');
    expect(await archiveRows(awaiting.id)).to.have.length(0);
    const outsider = await makeUser(db, { name: 'Fremmed' });
    await expectAppError(previewLetter(deps, outsider.actor, awaiting.id), 'NOT_FOUND');
  });

  it('verifyArchive re-hashes every archived PDF and reports a changed one', async () => {
    const done = await makeConsultationInState(deps, people, 'submitted');
    const clean = await verifyArchive(db, { batchSize: 2 });
    const total = await db
      .selectFrom('archived_documents')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(clean.checked).to.equal(Number(total.n));
    expect(clean.mismatches.map((m) => m.consultationId)).not.to.include(done.id);

    // The table refuses changes, so a corrupted letter can only be a wrong row written as such.
    const other = await makeConsultationInState(deps, people, 'approved');
    const version = await db.selectFrom('response_versions').select('id').where('consultation_id', '=', other.id).executeTakeFirstOrThrow();
    const bad = await db
      .insertInto('archived_documents')
      .values({
        consultation_id: other.id,
        pdf: Buffer.from('%PDF-1.4 ændret'),
        sha256: 'a'.repeat(64),
        size_bytes: 15,
        response_version_id: version.id,
        template_version: TEST_FIXTURE_TEMPLATE,
        submitted_by: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const after = await verifyArchive(db, { batchSize: 2 });
    expect(after.checked).to.equal(clean.checked + 1);
    expect(after.mismatches.map((m) => m.id)).to.include(bad.id);
  });
});

describe('the archive chain', function () {
  this.timeout(120_000);
  let db: ReturnType<typeof testDatabase>['db'];
  let people: Awaited<ReturnType<typeof makeCouncilWithPeople>>;

  before(async () => {
    db = testDatabase().db;
    people = await makeCouncilWithPeople(db);
  });

  /** `count` archived letters, appended one after the other (workflow-only deps: the rows are written by hand). */
  async function archiveLetters(count: number) {
    const rows = [];
    for (let i = 0; i < count; i++) {
      const approved = await makeConsultationInState(workflowDeps(db), people, 'approved');
      rows.push(await insertArchiveRow(db, approved.id, Buffer.from(`%PDF-1.7\n% Høringssvar nr. ${i + 1} (test)\n%%EOF\n`)));
    }
    return rows;
  }

  it('links every letter to the one before it, and verify finds the chain whole and reports its head', async () => {
    const [first, second] = await archiveLetters(2);
    expect(second!.chain_position).to.equal(first!.chain_position + 1);
    expect(second!.previous_chain_sha256).to.equal(first!.chain_sha256);
    expect(first!.chain_sha256).to.match(/^[0-9a-f]{64}$/);
    const result = await verifyArchive(db, { batchSize: 3 });
    // The database's archive_chain_hash and the check's chainHash agree on every letter.
    expect(result.chainBreaks).to.deep.equal([]);
    expect(result.head).to.deep.equal({ position: second!.chain_position, id: second!.id, chainSha256: second!.chain_sha256 });
    expect(await verifyArchive(db, { anchors: [{ position: first!.chain_position, chainSha256: first!.chain_sha256 }] }))
      .to.have.property('chainBreaks')
      .that.deep.equals([]);
  });

  it('an INSERT cannot choose its own place or hashes in the chain', async () => {
    const approved = await makeConsultationInState(workflowDeps(db), people, 'approved');
    const version = await db.selectFrom('response_versions').select('id').where('consultation_id', '=', approved.id).executeTakeFirstOrThrow();
    const pdf = Buffer.from('%PDF-1.7\n% forsøg på at vælge sin plads\n%%EOF\n');
    const row = await db
      .insertInto('archived_documents')
      .values({
        consultation_id: approved.id,
        pdf,
        sha256: createHash('sha256').update(pdf).digest('hex'),
        size_bytes: pdf.length,
        response_version_id: version.id,
        template_version: TEST_FIXTURE_TEMPLATE,
        chain_position: 1,
        previous_chain_sha256: null,
        chain_sha256: 'f'.repeat(64),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    expect(row.chain_position).to.be.greaterThan(1);
    expect(row.chain_sha256).to.not.equal('f'.repeat(64));
    expect((await verifyArchive(db)).chainBreaks).to.deep.equal([]);
  });

  it('detects a consistent rewrite of a middle letter (bytes and SHA-256), and names it', async () => {
    const [, middle, last] = await archiveLetters(3);
    const forged = Buffer.from('%PDF-1.7\n% Et andet høringssvar end det sendte\n%%EOF\n');

    const contentOnly = await withTriggersOff(
      testOwnerDatabase().db,
      async (tx) => {
        await forgeArchivedLetter(tx, middle!.id, forged);
        return verifyArchive(tx);
      },
      { rollBack: true },
    );
    // The bytes match their (rewritten) SHA-256, so only the chain tells.
    expect(contentOnly.mismatches.map((m) => m.id)).to.not.include(middle!.id);
    expect(contentOnly.chainBreaks).to.deep.include({
      problem: 'changed',
      id: middle!.id,
      consultationId: middle!.consultation_id,
      position: middle!.chain_position,
      message: 'Kædehashen dækker ikke dokumentets felter: dets metadata eller SHA-256 er ændret efter arkiveringen',
    });

    // With its chain hash recomputed too, the next letter's link to it no longer holds.
    const withItsHash = await withTriggersOff(
      testOwnerDatabase().db,
      async (tx) => {
        await forgeArchivedLetter(tx, middle!.id, forged);
        await tx
          .updateTable('archived_documents')
          .set({
            chain_sha256: sql<string>`archive_chain_hash(previous_chain_sha256, chain_position, id, consultation_id, sha256, size_bytes, response_version_id, submitted_by, created_at, template_version)`,
          })
          .where('id', '=', middle!.id)
          .execute();
        return verifyArchive(tx);
      },
      { rollBack: true },
    );
    const link = withItsHash.chainBreaks.find((b) => b.problem === 'link');
    expect(link).to.include({ id: last!.id, previousId: middle!.id });
    expect(withItsHash.chainBreaks.map((b) => b.id)).to.not.include(middle!.id);

    // Rewriting every later letter's links as well leaves a chain that holds in itself: only the
    // head recorded outside the database before the rewrite catches it.
    const before = await verifyArchive(db);
    const anchor = { position: before.head!.position, chainSha256: before.head!.chainSha256 };
    const wholeTail = await withTriggersOff(
      testOwnerDatabase().db,
      async (tx) => {
        await forgeArchivedLetter(tx, middle!.id, forged);
        await rechainFrom(tx, middle!.chain_position);
        return { unanchored: await verifyArchive(tx), anchored: await verifyArchive(tx, { anchors: [anchor] }) };
      },
      { rollBack: true },
    );
    expect(wholeTail.unanchored.chainBreaks).to.deep.equal([]);
    expect(wholeTail.anchored.chainBreaks).to.have.length(1);
    expect(wholeTail.anchored.chainBreaks[0]).to.include({ problem: 'anchor', position: anchor.position });

    // Rolled back: the archive is as it was.
    expect((await verifyArchive(db)).chainBreaks).to.deep.equal([]);
  });

  it('a removed letter leaves a gap', async () => {
    const [, middle, last] = await archiveLetters(3);
    const result = await withTriggersOff(
      testOwnerDatabase().db,
      async (tx) => {
        await tx.deleteFrom('archived_documents').where('id', '=', middle!.id).execute();
        return verifyArchive(tx);
      },
      { rollBack: true },
    );
    expect(result.chainBreaks.map((b) => [b.problem, b.id])).to.deep.include(['gap', last!.id]);
  });

  it('concurrent archiving appends to one chain: no two letters share a predecessor', async () => {
    const approved = [];
    for (let i = 0; i < 8; i++) approved.push(await makeConsultationInState(workflowDeps(db), people, 'approved'));
    // Eight INSERTs on eight connections at once; each links to the head under the chain's lock.
    const rows = await Promise.all(approved.map((c, i) => insertArchiveRow(db, c.id, Buffer.from(`%PDF-1.7\n% samtidig ${i}\n%%EOF\n`))));
    const positions = rows.map((r) => r.chain_position).sort((a, b) => a - b);
    expect(positions[positions.length - 1]! - positions[0]!).to.equal(rows.length - 1);
    expect(new Set(rows.map((r) => r.previous_chain_sha256)).size).to.equal(rows.length);
    expect((await verifyArchive(db)).chainBreaks).to.deep.equal([]);
  });

  it('the migration chains the letters already archived in the order they were archived', async () => {
    await archiveLetters(2);
    const rechained = await inRolledBackTransaction(testOwnerDatabase().db, async (tx) => {
      // The archive as it was then: letters only. Minutes other tests archived go (in this
      // transaction only), and with them the later migration that added them, redone after.
      await sql`alter table archived_documents disable trigger user`.execute(tx);
      await tx.deleteFrom('archived_documents').where('kind', '=', 'minutes').execute();
      await sql`alter table archived_documents enable trigger user`.execute(tx);
      await minutesMigration.down(tx);
      await archiveChainMigration.down(tx);
      await archiveChainMigration.up(tx);
      await minutesMigration.up(tx);
      const rows = await tx.selectFrom('archived_documents').select(['id', 'chain_position']).orderBy('id').execute();
      return { rows, verification: await verifyArchive(tx) };
    });
    expect(rechained.rows.map((r) => r.chain_position)).to.deep.equal(rechained.rows.map((_, i) => i + 1));
    expect(rechained.verification.chainBreaks).to.deep.equal([]);
    expect(rechained.verification.checked).to.equal(rechained.rows.length);
  });
});
