import { appendAgendaItems, listAgendaItems } from '../db/repositories/agenda.ts';
import { saveAnnualReportSections } from '../db/repositories/annual-reports.ts';
import { danishDate } from '../domain/time.ts';
import { findCouncilBySlug } from '../db/repositories/councils.ts';
import { listMeetings } from '../db/repositories/meetings.ts';
import type { Actor } from '../domain/access/actor.ts';
import type { EventDeps } from '../domain/consultations/service.ts';
import { finaliseMinutes, recordOutcome } from '../domain/meetings/minutes.ts';

const NAESTVED_DESCRIPTION = `Integrationsrådet rådgiver byrådet i Næstved Kommune om integration: beskæftigelse, uddannelse, sprog, bolig og foreningsliv.

Rådet har ti medlemmer, valgt blandt kommunens borgere med anden etnisk baggrund end dansk og udpeget af foreninger og byrådet. Rådet afgiver høringssvar, når kommunen hører det, og tager selv emner op.

Møderne er åbne for alle; skriv til rådet, hvis du vil deltage eller have et emne på dagsordenen.`;

/**
 * Næstved's public page in the demo: its description and address, the chair and a member listed
 * with their organisations (they agreed), minutes published, and the minutes of its last past
 * quarterly meeting archived. The demo's submitted responses are published by their SUBMIT.
 */
export async function addDemoPublicPage(deps: EventDeps, secretary: Actor, listed: { userId: number; organisation: string }[]): Promise<void> {
  const council = await findCouncilBySlug(deps.db, 'naestved');
  if (!council) return;
  await deps.db
    .updateTable('councils')
    .set({ public_description: NAESTVED_DESCRIPTION, public_email: 'integrationsraadet@naestved.dk', minutes_published: true })
    .where('id', '=', council.id)
    .execute();
  for (const person of listed) {
    await deps.db
      .updateTable('memberships')
      .set({ listed_publicly: true, organisation: person.organisation })
      .where('council_id', '=', council.id)
      .where('user_id', '=', person.userId)
      .execute();
  }
  // This year's annual report, its written sections begun (the figures come from the cases).
  await saveAnnualReportSections(
    deps.db,
    { councilId: council.id, year: Number(danishDate(deps.clock()).slice(0, 4)) },
    {
      foreword:
        'Integrationsrådet har i år især arbejdet med beskæftigelse og sprog. Vi er blevet hørt oftere end før, men ofte med kort frist – det viser tallene om varsel herunder, og det tager vi op med forvaltningen.',
      themes: '- Beskæftigelse og sprog\n- Boligsociale planer\n- Budget og tilskud til foreninger',
      activities: 'Rådet holdt dialogmøde med byrådets udvalg for beskæftigelse og integration og deltog i Kulturnatten.',
    },
    { userId: secretary.userId, at: deps.clock() },
  );
  // The newest meeting before yesterday's (whose minutes are still being written).
  const now = deps.clock().getTime();
  const past = (await listMeetings(deps.db, council.id)).filter((m) => m.starts_at.getTime() < now - 7 * 86_400_000);
  const meeting = past.sort((a, b) => b.starts_at.getTime() - a.starts_at.getTime())[0];
  if (!meeting) return;
  await deps.db.transaction().execute((tx) =>
    appendAgendaItems(tx, meeting.id, [
      { kind: 'free', title: 'Orientering fra formanden', bodyMarkdown: 'Formanden orienterede om dialogmødet med byrådet.' },
      { kind: 'free', title: 'Temadag om sprog og beskæftigelse', bodyMarkdown: 'Planlægning af temadagen i foråret.' },
    ]),
  );
  for (const item of await listAgendaItems(deps.db, meeting.id)) {
    const comment = item.title.startsWith('Temadag') ? { comment: 'Rådet nedsatte en arbejdsgruppe til temadagen.' } : {};
    await recordOutcome(deps, secretary, 'naestved', meeting.id, item.id, { outcome: 'noted', ...comment });
  }
  await finaliseMinutes(deps, secretary, 'naestved', meeting.id);
}
