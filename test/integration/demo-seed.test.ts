import { annualReport } from '../../src/domain/councils/annual-report.ts';
import { danishDate } from '../../src/domain/time.ts';
import { expect } from 'chai';
import { sql } from 'kysely';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { DEMO_USERS, hasAnyUser, seedDemo } from '../../src/seed/demo.ts';
import { findUserByEmail } from '../../src/db/repositories/users.ts';
import { loadActor } from '../../src/domain/access/actor.ts';
import { getConsultationPage } from '../../src/domain/consultations/page.ts';
import { handoverReport } from '../../src/domain/councils/handover.ts';
import { electionPeriodCovering } from '../../src/domain/councils/terms.ts';
import { search } from '../../src/domain/search/service.ts';
import { publicCouncilPage } from '../../src/domain/publication/public-pages.ts';
import { withScratchDatabase } from '../support/db.ts';
import { TEST_SESSION_SECRET } from '../support/factories.ts';
import { workflowDeps } from '../support/fakes.ts';

// `npm start` on a fresh folder seeds this data through the same services the pages use, so a new
// rule in a service (e.g. no e-mail submission without an address) must not stop the first start.
describe('the demo data of npm start', () => {
  it('seeds into an empty database through the services: every demo user, and consultations in every state, the submitted ones archived', async () => {
    await withScratchDatabase(async ({ db }) => {
      await migrateToLatest(db);
      expect(await hasAnyUser(db)).to.equal(false);
      const deps = workflowDeps(db);
      await seedDemo({ ...deps, config: { sessionSecret: TEST_SESSION_SECRET } });

      expect(await hasAnyUser(db)).to.equal(true);
      const users = await db.selectFrom('users').select('email').execute();
      expect(users.map((u) => u.email)).to.include.members(DEMO_USERS.map((u) => u.email));
      const states = await sql<{ state: string; count: number }>`select state, count(*)::int as count from consultations group by state`.execute(db);
      expect(states.rows.map((r) => r.state)).to.include.members([
        'received',
        'drafting',
        'awaiting_approval',
        'approved',
        'submitted',
        'declined',
        'withdrawn',
      ]);
      const submitted = states.rows.find((r) => r.state === 'submitted')!.count;
      const archived = await db
        .selectFrom('archived_documents')
        .select(db.fn.countAll<number>().as('n'))
        .where('kind', '=', 'letter')
        .executeTakeFirstOrThrow();
      expect(Number(archived.n)).to.equal(submitted);
      // Yesterday's meeting has its agenda, with a response awaiting approval to record in the minutes.
      const held = await sql<{ state: string }>`select c.state from meeting_agenda_items i
        join meetings m on m.id = i.meeting_id join consultations c on c.id = i.consultation_id
        where m.starts_at < now() and i.kind = 'consultation'`.execute(db);
      expect(held.rows.map((r) => r.state)).to.include('awaiting_approval');
      // A written procedure under way with one vote cast, and the next meeting's agenda prepared with
      // the chair's decisions to note, consultations to treat and a free item.
      const procedure = await sql<{ votes: number }>`
        select count(*)::int as votes from consultation_events e join consultations c on c.id = e.consultation_id
        where c.state = 'written_procedure' and e.type = 'CAST_VOTE'`.execute(db);
      expect(procedure.rows[0]!.votes).to.equal(1);
      const items = await sql<{ kind: string }>`select kind from meeting_agenda_items order by position`.execute(db);
      expect(new Set(items.rows.map((r) => r.kind))).to.deep.equal(new Set(['note', 'consultation', 'free']));
      // The authorities' documents in all three formats, read already, and a scan that has no text.
      const documents = await db.selectFrom('consultation_documents').select(['media_type', 'text_status', 'extracted_text']).execute();
      expect(new Set(documents.map((d) => d.media_type)).size).to.equal(3);
      expect(documents.filter((d) => d.text_status === 'no_text')).to.have.length(1);
      expect(documents.filter((d) => d.text_status === 'extracted' && d.extracted_text!.length > 100)).to.have.length(documents.length - 1);

      // The councils' memory: the secretary finds last year's answer to the same authority by a word
      // of its title or of its document, the drafting page shows earlier answers, and the handover
      // report covers the last period with its former members.
      const secretary = (await loadActor(db, (await findUserByEmail(db, 'mette.kjaergaard@naestved.dk'))!.id))!;
      const lastYears = 'Status på Integrationsstrategi 2022–2025';
      for (const q of ['integrationsstrategi', 'mentorordningen']) {
        const found = await search(deps, secretary, { q });
        expect(
          found.items.map((i) => i.consultation.title),
          q,
        ).to.include(lastYears);
      }
      const drafting = await db
        .selectFrom('consultations')
        .select('id')
        .where('title', '=', 'Boligsocial helhedsplan for Kalbyris og Nørremarken 2027–2030')
        .executeTakeFirstOrThrow();
      const page = await getConsultationPage(
        { ...deps, config: { sessionSecret: TEST_SESSION_SECRET, publicUrl: undefined, port: 3000 } },
        secretary,
        drafting.id,
      );
      expect(page.earlier.map((e) => e.title)).to.include('Boligsocial helhedsplan for Kalbyris 2022–2026');
      const chair = (await loadActor(db, (await findUserByEmail(db, 'ahmad.hussein@example.dk'))!.id))!;
      const lastPeriodStart = Number(electionPeriodCovering(new Date()).start.slice(0, 4)) - 4;
      const report = await handoverReport(deps, chair, 'naestved', lastPeriodStart);
      expect(report.answered.total).to.be.at.least(4);
      expect(report.answered.bySubject.map((g) => g.label)).to.include.oneOf(['beskæftigelsesplan', 'budget']);
      expect(report.people.former.map((p) => p.name)).to.include.members(['Lars Holm', 'Grethe Nielsen']);
      expect(report.meetings.length).to.be.at.least(1);

      // Issue 19: /r/naestved shows the council with its published responses, minutes and listed members.
      const publicPage = await publicCouncilPage(deps, 'naestved');
      expect(publicPage.descriptionHtml).to.include('Integrationsrådet rådgiver byrådet');
      expect(publicPage.responses.length).to.be.at.least(5);
      expect(publicPage.responses.map((r) => r.title)).to.include('Status på Integrationsstrategi 2022–2025');
      expect(publicPage.minutes).to.have.length(1);
      expect(publicPage.members.map((m) => m.name)).to.include('Ahmad Hussein');
      expect(publicPage.members.map((m) => m.name)).not.to.include('Mette Kjærgaard');
      // The annual report of this year, with real figures and the sections begun.
      const annual = await annualReport(deps, secretary, 'naestved', Number(danishDate(new Date()).slice(0, 4)));
      expect(annual.total.count).to.be.at.least(1);
      expect(annual.meetings.length).to.be.at.least(1);
      expect(annual.notice.total.count).to.be.at.least(1);
      expect(annual.sections.foreword).to.include('Integrationsrådet har i år');
    });
  });
});
