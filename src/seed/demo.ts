import { DateTime } from 'luxon';
import type { Db } from '../db/database.ts';
import { listUsers } from '../db/repositories/users.ts';
import { findUserByEmail } from '../db/repositories/users.ts';
import type { Role } from '../db/types.ts';
import { loadActor, type Actor } from '../domain/access/actor.ts';
import { createCouncil } from '../domain/councils/service.ts';
import { addDemoDocuments } from './demo-documents.ts';
import { addDemoPublicPage } from './demo-public.ts';
import { addDemoHistory } from './demo-history.ts';
import { registerConsultation, saveDraft, sendEvent, type EventDeps, type RegistrationDeps } from '../domain/consultations/service.ts';
import { addMember, createUser } from '../domain/users/service.ts';
import { ZONE } from '../domain/time.ts';
import { addDemoHeldMeeting, addDemoMeetings } from './meetings.ts';
import { castVote } from '../domain/written-procedure/service.ts';
import { proposedProcedureClose } from '../domain/written-procedure/times.ts';
import { addFreeItem, refreshAgenda } from '../domain/meetings/agenda.ts';
import { listMeetings } from '../db/repositories/meetings.ts';
import { findCouncilBySlug } from '../db/repositories/councils.ts';

/** The password of every demo user; printed in the start banner. */
export const DEMO_PASSWORD = 'demo-raadssvar';

const COUNCILS = [
  {
    slug: 'naestved',
    name: 'Integrationsrådet i Næstved Kommune',
    municipality: 'Næstved Kommune',
    referencePrefix: 'NAE',
    letterheadAddress: 'Rådmandshaven 20\n4700 Næstved',
    letterheadContact: 'integrationsraadet@naestved.dk · 55 88 55 88',
    letterheadEmail: 'integrationsraadet@naestved.dk',
  },
  {
    slug: 'vordingborg',
    name: 'Integrationsrådet i Vordingborg Kommune',
    municipality: 'Vordingborg Kommune',
    referencePrefix: 'VOR',
    letterheadAddress: 'Valdemarsgade 43\n4760 Vordingborg',
    letterheadContact: 'integrationsraadet@vordingborg.dk · 55 36 36 36',
    letterheadEmail: 'integrationsraadet@vordingborg.dk',
  },
  {
    slug: 'lolland',
    name: 'Integrationsrådet i Lolland Kommune',
    municipality: 'Lolland Kommune',
    referencePrefix: 'LOL',
    letterheadAddress: 'Jernbanegade 7\n4930 Maribo',
    letterheadContact: 'integrationsraadet@lolland.dk · 54 67 67 67',
    letterheadEmail: 'integrationsraadet@lolland.dk',
  },
  {
    slug: 'ringsted',
    name: 'Integrationsrådet i Ringsted Kommune',
    municipality: 'Ringsted Kommune',
    referencePrefix: 'RIN',
    letterheadAddress: 'Sankt Bendts Gade 1\n4100 Ringsted',
    letterheadContact: 'integrationsraadet@ringsted.dk · 57 62 62 62',
    letterheadEmail: 'integrationsraadet@ringsted.dk',
  },
  {
    slug: 'nationalt',
    name: 'Det Nationale Integrationsråd',
    municipality: null,
    referencePrefix: 'DNI',
    letterheadAddress: 'Carl Jacobsens Vej 39\n2500 Valby',
    letterheadContact: 'sekretariat@integrationsraadet.dk',
    letterheadEmail: 'sekretariat@integrationsraadet.dk',
  },
] as const;

type Seat = { council: (typeof COUNCILS)[number]['slug']; role: Role; title?: string };

/** The demo people, with what they can show; printed in the start banner. */
export const DEMO_USERS: { email: string; name: string; description: string; admin?: boolean; seats: Seat[] }[] = [
  { email: 'admin@raadssvar.dk', name: 'Anne Administrator', description: 'administrator', admin: true, seats: [] },
  {
    email: 'mette.kjaergaard@naestved.dk',
    name: 'Mette Kjærgaard',
    description: 'sekretær, Næstved og Vordingborg',
    seats: [
      { council: 'naestved', role: 'secretary' },
      { council: 'vordingborg', role: 'secretary' },
    ],
  },
  {
    email: 'ahmad.hussein@example.dk',
    name: 'Ahmad Hussein',
    description: 'formand i Næstved, medlem af Det Nationale Integrationsråd',
    seats: [
      { council: 'naestved', role: 'chair', title: 'formand' },
      { council: 'nationalt', role: 'member' },
    ],
  },
  {
    email: 'birgitte.soerensen@example.dk',
    name: 'Birgitte Sørensen',
    description: 'medlem, Næstved',
    seats: [{ council: 'naestved', role: 'member' }],
  },
  {
    email: 'soeren.oestergaard@naestved.dk',
    name: 'Søren Østergaard',
    description: 'forvaltning, Næstved Kommune',
    seats: [{ council: 'naestved', role: 'staff' }],
  },
  {
    email: 'fatima.ali@example.dk',
    name: 'Fatima Ali',
    description: 'formand, Vordingborg',
    seats: [{ council: 'vordingborg', role: 'chair', title: 'formand' }],
  },
  {
    email: 'jens.moeller@lolland.dk',
    name: 'Jens Møller',
    description: 'sekretær, Lolland',
    seats: [{ council: 'lolland', role: 'secretary' }],
  },
  {
    email: 'hanne.lund@example.dk',
    name: 'Hanne Lund',
    description: 'formand, Lolland',
    seats: [{ council: 'lolland', role: 'chair', title: 'formand' }],
  },
  {
    email: 'pia.dahl@ringsted.dk',
    name: 'Pia Dahl',
    description: 'sekretær, Ringsted',
    seats: [{ council: 'ringsted', role: 'secretary' }],
  },
  {
    email: 'omar.said@example.dk',
    name: 'Omar Said',
    description: 'næstformand, Ringsted',
    seats: [{ council: 'ringsted', role: 'chair', title: 'næstformand' }],
  },
  {
    email: 'karen.aeroe@integrationsraadet.dk',
    name: 'Karen Ærø',
    description: 'sekretær, Det Nationale Integrationsråd',
    seats: [{ council: 'nationalt', role: 'secretary' }],
  },
  {
    email: 'niels.aaberg@example.dk',
    name: 'Niels Åberg',
    description: 'formand, Det Nationale Integrationsråd',
    seats: [{ council: 'nationalt', role: 'chair', title: 'formand' }],
  },
];

type Stage =
  | 'received'
  | 'assigned'
  | 'drafting'
  | 'awaiting_approval'
  | 'written_procedure'
  | 'changes_requested'
  | 'approved'
  | 'submitted'
  | 'declined'
  | 'withdrawn';

interface DemoConsultation {
  council: (typeof COUNCILS)[number]['slug'] | null;
  title: string;
  authority: string;
  authorityReference: string;
  /** Days from today to the deadline (negative: overdue). */
  deadlineInDays: number;
  receivedDaysAgo: number;
  summary: string;
  stage: Stage;
  draft?: string;
}

const LETTER_BODY = `Integrationsrådet takker for muligheden for at afgive høringssvar.

Rådet bakker op om strategiens mål om, at flere nyankomne kommer i job og uddannelse, og vil særligt fremhæve:

- at sprogundervisning skal kunne kombineres med arbejde, også på skæve tidspunkter;
- at foreningslivet inddrages som brobygger, fx gennem lektiehjælp og mentorordninger;
- at forebyggelse af negativ social kontrol får en tydelig plads i strategien.

Rådet opfordrer til, at kommunen følger op på strategien med en årlig status, som rådet får forelagt.`;

const CONSULTATIONS: DemoConsultation[] = [
  {
    council: 'naestved',
    title: 'Boligsocial helhedsplan for Kalbyris og Nørremarken 2027–2030',
    authority: 'Plan- og Miljøudvalget, Næstved Kommune',
    authorityReference: '25-022410',
    // After the next meeting: the meeting treats it, and it is on that meeting's agenda.
    deadlineInDays: 35,
    receivedDaysAgo: 4,
    summary: 'Helhedsplan med indsatser for beskæftigelse, uddannelse og fællesskab i to boligområder.',
    stage: 'drafting',
    draft: 'Integrationsrådet hilser helhedsplanen velkommen og vil særligt se på indsatserne for unge.',
  },
  {
    council: 'naestved',
    title: 'Forslag til Sprogpolitik for dagtilbud og skoler',
    authority: 'Børne- og Skoleudvalget, Næstved Kommune',
    authorityReference: '25-021190',
    deadlineInDays: 9,
    receivedDaysAgo: 8,
    summary: 'Sprogpolitik med modersmålsundervisning og tolkning i forældresamarbejdet.',
    // The chair has voted; the member (Birgitte Sørensen) has a vote to cast.
    stage: 'written_procedure',
    draft: `Integrationsrådet støtter sprogpolitikkens mål og anbefaler:

- at modersmålsundervisning tilbydes i de største sprog;
- at professionel tolkning bruges i alle samtaler med forældre, der har brug for det.`,
  },
  {
    council: 'naestved',
    title: 'Udkast til Integrationsstrategi 2026–2029',
    authority: 'Beskæftigelses- og Uddannelsesudvalget, Næstved Kommune',
    authorityReference: '25-012345',
    deadlineInDays: 3,
    receivedDaysAgo: 20,
    summary: 'Kommunens nye strategi for integration, beskæftigelse og sprog.',
    stage: 'awaiting_approval',
    draft: LETTER_BODY,
  },
  {
    council: 'naestved',
    title: 'Budget 2027 – høring af de faglige udvalgs budgetforslag',
    authority: 'Økonomiudvalget, Næstved Kommune',
    authorityReference: '25-020301',
    deadlineInDays: -2,
    receivedDaysAgo: 25,
    summary: 'Budgetforslag med reduktioner på sprogcenterområdet.',
    stage: 'drafting',
    draft: 'Integrationsrådet er bekymret over de foreslåede reduktioner på sprogcentret.',
  },
  {
    council: 'naestved',
    title: 'Forslag til Handleplan for forebyggelse af negativ social kontrol',
    authority: 'Socialudvalget, Næstved Kommune',
    authorityReference: '25-018877',
    deadlineInDays: 12,
    receivedDaysAgo: 6,
    summary: 'Handleplan med indsatser i skoler og foreninger.',
    stage: 'assigned',
  },
  {
    council: 'naestved',
    title: 'Revideret Boligsocial Helhedsplan for Kalbyris',
    authority: 'Teknik- og Miljøudvalget, Næstved Kommune',
    authorityReference: '25-009912',
    deadlineInDays: 30,
    receivedDaysAgo: 2,
    summary: 'Helhedsplan for boligområdet 2026–2030.',
    stage: 'received',
  },
  {
    council: 'naestved',
    title: 'Kvalitetsrapport for danskuddannelse 2025',
    authority: 'Beskæftigelses- og Uddannelsesudvalget, Næstved Kommune',
    authorityReference: '25-004410',
    deadlineInDays: -40,
    receivedDaysAgo: 70,
    summary: 'Årlig kvalitetsrapport for sprogcentret.',
    stage: 'submitted',
    draft: 'Integrationsrådet har læst kvalitetsrapporten med interesse og kvitterer for de gode resultater.',
  },
  {
    council: 'naestved',
    title: 'Forslag til Sundhedspolitik 2026–2030',
    authority: 'Social-, Sundheds- og Ældreudvalget, Næstved Kommune',
    authorityReference: '25-015500',
    deadlineInDays: 6,
    receivedDaysAgo: 14,
    summary: 'Sundhedspolitik med fokus på lighed i sundhed.',
    stage: 'changes_requested',
    draft: 'Rådet støtter sundhedspolitikken.',
  },
  {
    council: 'naestved',
    title: 'Ændring af retningslinjer for tolkebistand',
    authority: 'Social-, Sundheds- og Ældreudvalget, Næstved Kommune',
    authorityReference: '25-016001',
    deadlineInDays: 9,
    receivedDaysAgo: 10,
    summary: 'Nye regler for brug af tolk i sundhedsvæsenet.',
    stage: 'approved',
    draft: 'Integrationsrådet anbefaler, at kommunen fortsat tilbyder gratis tolkebistand, hvor det er nødvendigt for patientsikkerheden.',
  },
  {
    council: 'vordingborg',
    title: 'Udkast til Beskæftigelsesplan 2027',
    authority: 'Erhvervs- og Beskæftigelsesudvalget, Vordingborg Kommune',
    authorityReference: '26/1122',
    deadlineInDays: 4,
    receivedDaysAgo: 15,
    summary: 'Plan for beskæftigelsesindsatsen 2027.',
    stage: 'drafting',
    draft: 'Udkast: Rådet ønsker et større fokus på virksomhedspraktik for kvinder.',
  },
  {
    council: 'vordingborg',
    title: 'Forslag til Fritids- og Foreningspolitik',
    authority: 'Kultur- og Fritidsudvalget, Vordingborg Kommune',
    authorityReference: '26/0871',
    deadlineInDays: 21,
    receivedDaysAgo: 3,
    summary: 'Politik for foreningsliv og fritidstilbud.',
    stage: 'assigned',
  },
  {
    council: 'vordingborg',
    title: 'Lokal Udviklingsplan for Stege',
    authority: 'Teknik- og Miljøudvalget, Vordingborg Kommune',
    authorityReference: '26/0404',
    deadlineInDays: -10,
    receivedDaysAgo: 30,
    summary: 'Udviklingsplan for Stege by.',
    stage: 'declined',
  },
  {
    council: 'lolland',
    title: 'Udkast til Integrationspolitik for Lolland Kommune',
    authority: 'Arbejdsmarkedsudvalget, Lolland Kommune',
    authorityReference: '01.02.00-P15-1-26',
    deadlineInDays: 1,
    receivedDaysAgo: 12,
    summary: 'Ny integrationspolitik.',
    stage: 'awaiting_approval',
    draft: 'Integrationsrådet i Lolland Kommune bakker op om politikkens værdigrundlag og foreslår, at rådet inddrages i opfølgningen.',
  },
  {
    council: 'lolland',
    title: 'Skolestruktur 2027 – høring',
    authority: 'Børne- og Uddannelsesudvalget, Lolland Kommune',
    authorityReference: '17.01.00-A00-3-26',
    deadlineInDays: 15,
    receivedDaysAgo: 5,
    summary: 'Forslag om sammenlægning af skoler.',
    stage: 'drafting',
  },
  {
    council: 'lolland',
    title: 'Plan for modtagelse af fordrevne fra Ukraine',
    authority: 'Arbejdsmarkedsudvalget, Lolland Kommune',
    authorityReference: '27.00.00-G01-2-26',
    deadlineInDays: -20,
    receivedDaysAgo: 50,
    summary: 'Plan for boliger og skolegang.',
    stage: 'withdrawn',
  },
  {
    council: 'ringsted',
    title: 'Forslag til Ungepolitik 2026',
    authority: 'Børne- og Skoleudvalget, Ringsted Kommune',
    authorityReference: '2026-004512',
    deadlineInDays: 5,
    receivedDaysAgo: 9,
    summary: 'Politik for unge 15–25 år.',
    stage: 'assigned',
  },
  {
    council: 'ringsted',
    title: 'Ændring af serviceniveau for danskundervisning',
    authority: 'Beskæftigelsesudvalget, Ringsted Kommune',
    authorityReference: '2026-003300',
    deadlineInDays: -5,
    receivedDaysAgo: 28,
    summary: 'Færre timer på modul 1.',
    stage: 'submitted',
    draft: 'Integrationsrådet i Ringsted Kommune fraråder en reduktion af timetallet på modul 1.',
  },
  {
    council: 'ringsted',
    title: 'Frivillighedsstrategi 2026–2028',
    authority: 'Kultur- og Fritidsudvalget, Ringsted Kommune',
    authorityReference: '2026-005100',
    deadlineInDays: 40,
    receivedDaysAgo: 1,
    summary: 'Strategi for samarbejde med frivillige.',
    stage: 'received',
  },
  {
    council: 'nationalt',
    title: 'Forslag til lov om ændring af integrationsloven',
    authority: 'Udlændinge- og Integrationsministeriet',
    authorityReference: '2026-1234',
    deadlineInDays: 7,
    receivedDaysAgo: 8,
    summary: 'Ændring af reglerne for selvforsørgelses- og hjemrejseprogrammet.',
    stage: 'drafting',
    draft: 'Det Nationale Integrationsråd har følgende bemærkninger til lovforslaget:',
  },
  {
    council: 'nationalt',
    title: 'Udkast til bekendtgørelse om danskuddannelse til voksne udlændinge',
    authority: 'Udlændinge- og Integrationsministeriet',
    authorityReference: '2026-0877',
    deadlineInDays: 2,
    receivedDaysAgo: 11,
    summary: 'Nye regler for modultest.',
    stage: 'approved',
    draft: 'Det Nationale Integrationsråd støtter intentionen, men anbefaler en længere overgangsperiode.',
  },
  {
    council: 'nationalt',
    title: 'Høring over forslag til lov om ændring af udlændingeloven (familiesammenføring)',
    authority: 'Udlændinge- og Integrationsministeriet',
    authorityReference: '2026-1502',
    deadlineInDays: 25,
    receivedDaysAgo: 4,
    summary: 'Skærpede krav ved familiesammenføring.',
    stage: 'assigned',
  },
  {
    council: null,
    title: 'Sammenhængende Børnepolitik – høring',
    authority: 'Børne- og Familieudvalget, Næstved Kommune',
    authorityReference: '25-021100',
    deadlineInDays: 18,
    receivedDaysAgo: 0,
    summary: 'Kommunens børnepolitik; endnu ikke fordelt til et råd.',
    stage: 'received',
  },
];

/** True when the database has any user: used to seed only on a first start. */
export async function hasAnyUser(db: Db): Promise<boolean> {
  return (await listUsers(db)).length > 0;
}

async function actorFor(db: Db, email: string): Promise<Actor> {
  const user = await findUserByEmail(db, email);
  const actor = user ? await loadActor(db, user.id) : undefined;
  if (!actor) throw new Error(`demo user ${email} is missing`);
  return actor;
}

function firstUserWith(council: string, role: Role): string {
  const found = DEMO_USERS.find((u) => u.seats.some((s) => s.council === council && s.role === role));
  if (!found) throw new Error(`no demo ${role} for ${council}`);
  return found.email;
}

/**
 * Seeds the Danish demo data: five integration councils, a person in every role (one on two
 * councils), twenty-two consultations in every state (one in a written procedure), the next agenda
 * of Næstved, with deadlines around today; and the councils' memory (src/seed/demo-history.ts):
 * ten responses sent over the last four years, last period's former members, past meetings. The
 * same data on every first start; only the dates follow the calendar.
 */
export async function seedDemo(deps: EventDeps & RegistrationDeps): Promise<void> {
  const { db } = deps;
  for (const council of COUNCILS) await createCouncil(db, council);
  for (const user of DEMO_USERS) {
    await createUser(db, { email: user.email, name: user.name, password: DEMO_PASSWORD, isAdmin: user.admin ?? false });
    for (const seat of user.seats) {
      await addMember(db, { email: user.email, council: seat.council, role: seat.role, title: seat.title ?? null });
    }
  }
  await addDemoMeetings(db, deps.clock());

  const today = DateTime.fromJSDate(deps.clock(), { zone: ZONE }).startOf('day');
  const admin = await actorFor(db, 'admin@raadssvar.dk');
  for (const item of CONSULTATIONS) {
    const secretaryEmail = item.council ? firstUserWith(item.council, 'secretary') : undefined;
    const secretary = secretaryEmail ? await actorFor(db, secretaryEmail) : admin;
    const chair = item.council ? await actorFor(db, firstUserWith(item.council, 'chair')) : admin;
    const deadline = today.plus({ days: item.deadlineInDays }).set({ hour: 12 });
    let view = await registerConsultation(deps, item.council ? secretary : admin, {
      title: item.title,
      authority: item.authority,
      authorityReference: item.authorityReference,
      receivedAt: today.minus({ days: item.receivedDaysAgo }).toISODate(),
      deadline: deadline.toISO({ includeOffset: false }),
      summary: item.summary,
      council: item.council,
    });
    await addDemoDocuments(deps, item.council ? secretary : admin, view.id, item.title);
    const send = async (actor: Actor, event: Record<string, unknown>) => {
      view = await sendEvent(deps, actor, view.id, { ...event, version: view.version });
    };
    const stage = item.stage;
    if (stage === 'received') continue;
    if (stage === 'withdrawn') {
      await send(secretary, { type: 'WITHDRAW', reason: 'Kommunen har trukket høringen tilbage og sender et nyt forslag senere.' });
      continue;
    }
    if (stage === 'declined') {
      await send(chair, { type: 'DECLINE', reason: 'Sagen ligger uden for rådets område; rådet afgiver ikke høringssvar.' });
      continue;
    }
    if (stage === 'assigned') continue;
    await send(secretary, { type: 'START_DRAFTING' });
    if (item.draft) view = await saveDraft(deps, secretary, view.id, { body: item.draft, version: view.version });
    if (stage === 'drafting') continue;
    await send(secretary, { type: 'SUBMIT_FOR_APPROVAL' });
    if (stage === 'awaiting_approval') continue;
    if (stage === 'written_procedure') {
      const closesAt = proposedProcedureClose(deps.clock(), view.deadline) ?? new Date(view.deadline.getTime() - 3_600_000);
      await send(secretary, {
        type: 'START_WRITTEN_PROCEDURE',
        closesAt: closesAt.toISOString(),
        note: 'Rådet når ikke at mødes før fristen. Stem for, imod eller hverken for eller imod.',
      });
      view = await castVote(deps, chair, view.id, { vote: 'agree' });
      continue;
    }
    if (stage === 'changes_requested') {
      await send(chair, { type: 'REQUEST_CHANGES', comment: 'Tilføj gerne et afsnit om tolkning og om sundhedsformidling på flere sprog.' });
      continue;
    }
    await send(chair, { type: 'APPROVE', basis: 'chair_decision' });
    if (stage === 'approved') continue;
    // Through the consultation portal: the demo authorities have no e-mail address, and a submission by
    // e-mail needs one.
    await send(secretary, { type: 'SUBMIT', channel: 'portal', recipient: item.authority });
  }
  await addDemoHistory(
    deps,
    async (council) => ({
      secretary: await actorFor(db, firstUserWith(council, 'secretary')),
      chair: await actorFor(db, firstUserWith(council, 'chair')),
    }),
    DEMO_PASSWORD,
  );
  await addDemoHeldMeeting(db, deps.clock());
  await prepareDemoAgenda(deps, await actorFor(db, firstUserWith('naestved', 'secretary')));
  const [naestvedChair, naestvedMember] = [
    await actorFor(db, firstUserWith('naestved', 'chair')),
    await actorFor(db, firstUserWith('naestved', 'member')),
  ];
  await addDemoPublicPage(deps, await actorFor(db, firstUserWith('naestved', 'secretary')), [
    { userId: naestvedChair.userId, organisation: 'Foreningen Nydanskere i Næstved' },
    { userId: naestvedMember.userId, organisation: 'Næstved Byråd' },
  ]);
}

/**
 * The agenda of Næstved's next meeting, as its secretary would prepare it: the consultations to
 * treat and the chair's decisions since the last meeting to note, and one free item.
 */
async function prepareDemoAgenda(deps: EventDeps, secretary: Actor): Promise<void> {
  const council = await findCouncilBySlug(deps.db, 'naestved');
  const now = deps.clock().getTime();
  const next = council ? (await listMeetings(deps.db, council.id)).find((meeting) => meeting.starts_at.getTime() > now) : undefined;
  if (!next) return;
  await refreshAgenda(deps, secretary, 'naestved', next.id);
  await addFreeItem(deps, secretary, 'naestved', next.id, {
    title: 'Eventuelt',
    body: 'Punkter, medlemmerne ønsker at tage op. Send dem gerne til sekretæren inden mødet.',
  });
}
