import { DateTime } from 'luxon';
import { findCouncilBySlug } from '../db/repositories/councils.ts';
import { findUserByEmail, setMembershipTerm } from '../db/repositories/users.ts';
import { insertMeeting } from '../db/repositories/meetings.ts';
import type { Actor } from '../domain/access/actor.ts';
import { electionPeriodCovering } from '../domain/councils/terms.ts';
import { registerConsultation, saveDraft, sendEvent, type EventDeps, type RegistrationDeps } from '../domain/consultations/service.ts';
import { ZONE } from '../domain/time.ts';
import { addMember, createUser } from '../domain/users/service.ts';
import { addDemoDocuments } from './demo-documents.ts';

/*
 * The demo councils' memory: responses they sent in this and the last election period, so the
 * search, "Tidligere høringssvar" and the handover report have years to show. Registered and
 * answered through the services like any consultation, the way a secretariat registers answers
 * it sent before it used Rådssvar: received and due on their own days, and the SUBMIT records the
 * day the response went out (submittedAt), which the letter is dated and every list counts by.
 * Also two people of Næstved's council whose term ended with the last period.
 */

interface PastResponse {
  council: 'naestved' | 'vordingborg' | 'nationalt';
  title: string;
  authority: string;
  authorityEmail?: string;
  summary: string;
  /** Months before today the response went out. */
  monthsAgo: number;
  body: string;
}

const PAST_RESPONSES: PastResponse[] = [
  {
    council: 'naestved',
    title: 'Status på Integrationsstrategi 2022–2025',
    authority: 'Beskæftigelses- og Uddannelsesudvalget, Næstved Kommune',
    authorityEmail: 'bu@naestved.dk',
    summary: 'Status og opfølgning på strategiens mål for beskæftigelse, sprog og fællesskab.',
    monthsAgo: 13,
    body: `Integrationsrådet takker for statussen på integrationsstrategien.

Rådet glæder sig over, at flere nyankomne er kommet i job, men bemærker, at kvinderne halter efter. Rådet anbefaler, at den næste strategi får et særskilt mål for kvinders beskæftigelse.

Rådet foreslår, at mentorordningen i foreningslivet gøres permanent.`,
  },
  {
    council: 'naestved',
    title: 'Beskæftigelsesplan 2025',
    authority: 'Beskæftigelses- og Uddannelsesudvalget, Næstved Kommune',
    authorityEmail: 'bu@naestved.dk',
    summary: 'Årlig plan for jobcentrets indsats.',
    monthsAgo: 24,
    body: `Integrationsrådet støtter planens mål om virksomhedsrettede forløb.

Rådet anbefaler, at danskundervisning kan tages om aftenen, så den kan kombineres med arbejde.`,
  },
  {
    council: 'naestved',
    title: 'Beskæftigelsesplan 2024',
    authority: 'Beskæftigelses- og Uddannelsesudvalget, Næstved Kommune',
    authorityEmail: 'bu@naestved.dk',
    summary: 'Årlig plan for jobcentrets indsats.',
    monthsAgo: 36,
    body: `Integrationsrådet har ingen indvendinger mod planen, men savner en indsats for unge uden uddannelse.`,
  },
  {
    council: 'naestved',
    title: 'Budget 2026 – høring af de faglige udvalgs budgetforslag',
    authority: 'Økonomiudvalget, Næstved Kommune',
    authorityEmail: 'oekonomi@naestved.dk',
    summary: 'Budgetforslag med en besparelse på tolkebistand.',
    monthsAgo: 15,
    body: `Integrationsrådet fraråder besparelsen på tolkebistand.

Uden tolk kan borgere ikke forstå deres egen sag, og det bliver dyrere i sidste ende.`,
  },
  {
    council: 'naestved',
    title: 'Budget 2025 – høring af de faglige udvalgs budgetforslag',
    authority: 'Økonomiudvalget, Næstved Kommune',
    authorityEmail: 'oekonomi@naestved.dk',
    summary: 'Budgetforslag med reduktioner på sprogcentret.',
    monthsAgo: 27,
    body: `Integrationsrådet er bekymret over reduktionerne på sprogcentret og beder udvalget fastholde antallet af hold.`,
  },
  {
    council: 'naestved',
    title: 'Boligsocial helhedsplan for Kalbyris 2022–2026',
    authority: 'Plan- og Miljøudvalget, Næstved Kommune',
    summary: 'Helhedsplan med lektiehjælp og fritidsjob i boligområdet.',
    monthsAgo: 46,
    body: `Integrationsrådet bakker op om helhedsplanen.

Rådet anbefaler, at beboerrådgiverne samarbejder med foreningerne om lektiehjælp, og at forældre inddrages med tolk.`,
  },
  {
    council: 'naestved',
    title: 'Handleplan mod negativ social kontrol 2023',
    authority: 'Socialudvalget, Næstved Kommune',
    summary: 'Handleplan for skoler, klubber og foreninger.',
    monthsAgo: 40,
    body: `Integrationsrådet støtter handleplanen og tilbyder at holde dialogmøder med foreningerne.`,
  },
  {
    council: 'naestved',
    title: 'Kvalitetsrapport for danskuddannelse 2024',
    authority: 'Beskæftigelses- og Uddannelsesudvalget, Næstved Kommune',
    authorityEmail: 'bu@naestved.dk',
    summary: 'Årlig kvalitetsrapport for sprogcentret.',
    monthsAgo: 9,
    body: `Integrationsrådet kvitterer for rapporten og noterer, at flere består modultestene.`,
  },
  {
    council: 'vordingborg',
    title: 'Beskæftigelsesplan 2026',
    authority: 'Erhvervs- og Beskæftigelsesudvalget, Vordingborg Kommune',
    summary: 'Plan for beskæftigelsesindsatsen 2026.',
    monthsAgo: 12,
    body: `Integrationsrådet i Vordingborg Kommune ønsker flere virksomhedspraktikker for kvinder.`,
  },
  {
    council: 'nationalt',
    title: 'Forslag til lov om ændring af integrationsloven (danskuddannelse)',
    authority: 'Udlændinge- og Integrationsministeriet',
    authorityEmail: 'uim@uim.dk',
    summary: 'Ændrede krav til modultest og danskuddannelse.',
    monthsAgo: 20,
    body: `Det Nationale Integrationsråd anbefaler, at kravene indfases over to år, så sprogcentrene kan nå at omstille sig.`,
  },
];

/** Two people of Næstved's council in the last election period, who did not continue. */
const FORMER_MEMBERS = [
  { email: 'lars.holm@example.dk', name: 'Lars Holm', role: 'member' as const, title: null },
  { email: 'grethe.nielsen@example.dk', name: 'Grethe Nielsen', role: 'member' as const, title: 'næstformand' },
];

/**
 * Seeds the demo councils' past responses, the last period's former members and a meeting a
 * quarter of the last two years. `actors` gives the secretary and chair of each council.
 */
export async function addDemoHistory(
  deps: EventDeps & RegistrationDeps,
  actors: (council: string) => Promise<{ secretary: Actor; chair: Actor }>,
  password: string,
): Promise<void> {
  const today = DateTime.fromJSDate(deps.clock(), { zone: ZONE }).startOf('day');
  for (const item of PAST_RESPONSES) {
    const { secretary, chair } = await actors(item.council);
    const sent = today.minus({ months: item.monthsAgo });
    const send = async (actor: Actor, event: Record<string, unknown>) => {
      view = await sendEvent(deps, actor, view.id, { ...event, version: view.version });
    };
    // Registered on the day it arrived, as the secretariat did then: its reference is of that year's series.
    const received = sent.minus({ days: 28 });
    let view = await registerConsultation({ ...deps, clock: () => received.set({ hour: 10 }).toJSDate() }, secretary, {
      title: item.title,
      authority: item.authority,
      authorityReference: `${sent.toFormat('yy')}-${String(100000 + item.monthsAgo * 137).slice(0, 6)}`,
      ...(item.authorityEmail ? { authorityEmail: item.authorityEmail } : {}),
      receivedAt: received.toISODate(),
      deadline: sent.plus({ days: 2 }).set({ hour: 12 }).toISO({ includeOffset: false }),
      summary: item.summary,
      council: item.council,
    });
    await addDemoDocuments(deps, secretary, view.id, item.title);
    await send(secretary, { type: 'START_DRAFTING' });
    view = await saveDraft(deps, secretary, view.id, { body: item.body, version: view.version });
    await send(secretary, { type: 'SUBMIT_FOR_APPROVAL' });
    await send(chair, { type: 'APPROVE', basis: 'meeting', meetingDate: sent.minus({ days: 7 }).toISODate() });
    // Sent through the consultation portal that day, as the secretary records it afterwards.
    await send(secretary, { type: 'SUBMIT', channel: 'portal', recipient: item.authority, submittedAt: sent.toISODate() });
  }

  const naestved = await findCouncilBySlug(deps.db, 'naestved');
  if (!naestved) return;
  const last = electionPeriodCovering(today.minus({ years: 4 }).toJSDate());
  for (const person of FORMER_MEMBERS) {
    if (!(await findUserByEmail(deps.db, person.email)))
      await createUser(deps.db, { email: person.email, name: person.name, password, isAdmin: false });
    await addMember(deps.db, { email: person.email, council: 'naestved', role: person.role, title: person.title });
    const user = (await findUserByEmail(deps.db, person.email))!;
    await setMembershipTerm(deps.db, user.id, naestved.id, last);
  }
  // The meetings of the last two years, one a quarter, so the report lists meetings held.
  for (let quarter = 1; quarter <= 8; quarter++) {
    const day = today.minus({ months: 3 * quarter }).set({ weekday: 2, hour: 17, minute: 0 });
    await insertMeeting(deps.db, { councilId: naestved.id, startsAt: day.toJSDate(), place: 'Rådhuset, Næstved Kommune, mødelokale 2' });
  }
}
