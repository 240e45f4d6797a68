import { unsubscribeToken } from '../../src/domain/reminders/unsubscribe.ts';
import { expect } from 'chai';
import type { Page, Response } from 'playwright-core';
import type { Db } from '../../src/db/database.ts';
import { sha256Hex } from '../../src/domain/auth/digest.ts';
import { addDraftComment } from '../../src/domain/consultations/comments.ts';
import { saveDraft } from '../../src/domain/consultations/service.ts';
import { statusUrlsFor } from '../../src/domain/consultations/status-links.ts';
import { createCouncil } from '../../src/domain/councils/service.ts';
import { addMeeting } from '../../src/domain/meetings/service.ts';
import { addConsultationItem, addFreeItem, agendaTitle, refreshAgenda } from '../../src/domain/meetings/agenda.ts';
import { minutesTitle, recordOutcome } from '../../src/domain/meetings/minutes.ts';
import { appendAgendaItems, listAgendaItems } from '../../src/db/repositories/agenda.ts';
import { insertMeeting } from '../../src/db/repositories/meetings.ts';
import { createApiToken } from '../../src/domain/tokens/service.ts';
import { recordResponseOutcome } from '../../src/domain/publication/outcome.ts';
import { issueVoteToken } from '../../src/domain/written-procedure/vote-links.ts';
import { castVote } from '../../src/domain/written-procedure/service.ts';
import { registerArrivedConsultation } from '../../src/domain/consultations/arrivals.ts';
import { insertFeedSuggestion, recordSeenMail, upsertFeedWatch, upsertIntakeMailbox } from '../../src/db/repositories/intake.ts';
import { upsertSsoDomain } from '../../src/db/repositories/sso-domains.ts';
import { workflowDeps } from './fakes.ts';
import { TEST_SESSION_SECRET, deadlineInDays, makeConsultationInState, makeConsultationInWrittenProcedure, makeUser, unique } from './factories.ts';
import { WebSession } from './web-session.ts';

/*
 * Every page type of the app, once: the browser test opens each at several widths, the HTML
 * validity test feeds each to the Nu checker. The data is long on purpose (Danish compounds, long
 * council and authority names, long references and URLs), because that is what widens a page.
 */

/** A 90-letter Danish compound: no break opportunity unless the page makes one. */
export const LONG_WORD = 'Beskæftigelsesindsatsforsøgsordningsevalueringsrapporteringsforpligtelsesbekendtgørelsesudkast';

const TITLE = `Høring over ${LONG_WORD} og forslag til Integrationsstrategi og Handleplan 2026–2029 for Vordingborg Kommune`;
const AUTHORITY = 'Beskæftigelses-, Integrations- og Uddannelsesudvalget under Social-, Sundheds- og Ældreforvaltningen, Vordingborg Kommune';
const AUTHORITY_REFERENCE = '2026-0001234567/BESKÆFTIGELSESOGINTEGRATIONSUDVALGET-SAG';
const AUTHORITY_EMAIL = 'beskaeftigelsesogintegrationsudvalgetssekretariat@vordingborg-kommune.dk';
const SOURCE_URL =
  'https://www.vordingborg.dk/politik/hoeringer/2026/integrationsstrategi-og-beskaeftigelsesplan-hoeringsmateriale-version-2?kilde=raadssvar&afsnit=bilag';
const PLACE = 'Byrådssalen, Rådhuset, Valdemarsgade 43, 4760 Vordingborg (indgang fra Algade, elevator ved Borgerservice)';

/** Who opens a page: nobody, or one of the tour's users. */
export type TourRole = 'anonymous' | 'secretary' | 'chair' | 'member' | 'staff' | 'admin';
type TourUser = Awaited<ReturnType<typeof makeUser>>;

/** The data every page of the tour shows, built once by `buildTourWorld`. */
export interface TourWorld {
  users: Record<Exclude<TourRole, 'anonymous'>, TourUser & { name: string }>;
  council: { id: number; slug: string; name: string };
  /** `arrived`: came by mail, its proposed deadline not yet confirmed. */
  consultations: Record<'received' | 'drafting' | 'awaitingApproval' | 'writtenProcedure' | 'submitted' | 'arrived', string>;
  statusPath: string;
  resetPath: string;
  /** A reminder mail's one-click unsubscribe link (the secretary, the tour's council). */
  unsubscribePath: string;
  /** A pending subscription's confirmation link (the tour's council). */
  subscriptionConfirmPath: string;
  /** The member's vote link in the written procedure of `consultations.writtenProcedure`. */
  votePath: string;
  /** The tour's meeting, whose agenda has a chair decision, a consultation and a free item. */
  meeting: { id: number; heading: string };
  /** A meeting held two hours ago, its minutes begun: one item recorded, one (a consultation awaiting approval) still open. */
  heldMeeting: { id: number; heading: string; openItemId: number };
}

/** One page type: who opens it, where, and (for pages that only a form post shows) what is sent. */
export interface TourStop {
  /** The file-name part of its screenshot and the name in messages. */
  name: string;
  role: TourRole;
  /** The page to open (GET). */
  path(world: TourWorld): string;
  /**
   * The form on that page to send with these values, for pages a post renders (or redirects to):
   * found by `form` (a selector) or else by its action; a form with a version field is sent with
   * the page's version.
   */
  submit?(world: TourWorld): { action: string; form?: string; fields: Record<string, string> };
  /** The page's one h1, so a redirect to another page cannot pass for this one. */
  heading(world: TourWorld): string;
  /** The HTTP status the page comes with. */
  status?: number;
}

const consultation = (key: keyof TourWorld['consultations']) => (w: TourWorld) => `/consultations/${w.consultations[key]}`;
const fixed = (text: string) => () => text;
const agendaPath = (w: TourWorld) => `/councils/${w.council.slug}/meetings/${w.meeting.id}/agenda`;
const minutesPath = (w: TourWorld) => `/councils/${w.council.slug}/meetings/${w.heldMeeting.id}/minutes`;

/** Every page type of the app (30 kinds, 45 pages with the consultation page's states and roles). */
export const PAGE_TOUR: TourStop[] = [
  { name: 'login', role: 'anonymous', path: fixed('/login'), heading: fixed('Log ind') },
  { name: 'password-forgot', role: 'anonymous', path: fixed('/password/forgot'), heading: fixed('Glemt adgangskode') },
  {
    name: 'password-forgot-sent',
    role: 'anonymous',
    path: fixed('/password/forgot'),
    submit: () => ({ action: '/password/forgot', fields: { email: `ukendt-${unique()}@example.dk` } }),
    heading: fixed('Glemt adgangskode'),
  },
  { name: 'password-reset', role: 'anonymous', path: (w) => w.resetPath, heading: fixed('Vælg en ny adgangskode') },
  { name: 'status', role: 'anonymous', path: (w) => w.statusPath, heading: fixed(TITLE) },
  { name: 'public-councils', role: 'anonymous', path: fixed('/r'), heading: fixed('Rådene') },
  { name: 'public-council', role: 'anonymous', path: (w) => `/r/${w.council.slug}`, heading: (w) => w.council.name },
  {
    name: 'annual-report',
    role: 'secretary',
    path: (w) => `/councils/${w.council.slug}/annual-report`,
    heading: (w) => `Årsberetning ${new Date().getFullYear()} for ${w.council.name}`,
  },
  { name: 'public-subscribe', role: 'anonymous', path: (w) => `/r/${w.council.slug}/abonner`, heading: (w) => `Få besked fra ${w.council.name}` },
  { name: 'public-subscription', role: 'anonymous', path: (w) => w.subscriptionConfirmPath, heading: fixed('Besked på mail') },
  { name: 'reminder-unsubscribe', role: 'anonymous', path: (w) => w.unsubscribePath, heading: fixed('Stop påmindelser') },
  { name: 'vote', role: 'anonymous', path: (w) => w.votePath, heading: fixed(TITLE) },
  {
    // A refused vote (against without the reason it needs; in the browser, no choice): the form again with the message.
    name: 'vote-refused',
    role: 'anonymous',
    path: (w) => w.votePath,
    submit: (w) => ({ action: w.votePath, fields: { vote: 'disagree', comment: '' } }),
    heading: fixed(TITLE),
    status: 422,
  },
  { name: 'vote-invalid', role: 'anonymous', path: fixed('/vote/wp_findes-ikke'), heading: fixed('Stemmelinket virker ikke'), status: 404 },
  { name: 'queue', role: 'secretary', path: fixed('/'), heading: fixed('Høringer') },
  {
    name: 'queue-filtered',
    role: 'secretary',
    path: (w) => `/?q=Integrationsstrategi&state=all&council=${w.council.slug}&mine=1`,
    heading: fixed('Høringer'),
  },
  { name: 'queue-chair', role: 'chair', path: fixed('/'), heading: fixed('Høringer') },
  { name: 'search', role: 'secretary', path: fixed('/search?q=integrationsstrategi'), heading: fixed('Søg') },
  { name: 'search-refused', role: 'secretary', path: fixed('/search?q=strategi&year=tyve'), heading: fixed('Søg'), status: 422 },
  { name: 'register', role: 'secretary', path: fixed('/consultations/new'), heading: fixed('Registrér høring') },
  {
    name: 'register-with-errors',
    role: 'secretary',
    path: fixed('/consultations/new'),
    submit: () => ({
      action: '/consultations/new',
      fields: {
        title: TITLE,
        authority: AUTHORITY,
        authorityReference: AUTHORITY_REFERENCE,
        authorityEmail: 'ikke en adresse',
        sourceUrl: 'ftp://x',
      },
    }),
    heading: fixed('Registrér høring'),
    status: 422,
  },
  { name: 'consultation-received', role: 'secretary', path: consultation('received'), heading: fixed(TITLE) },
  { name: 'consultation-arrived-by-mail', role: 'secretary', path: consultation('arrived'), heading: fixed(TITLE) },
  {
    name: 'consultation-arrived-refused',
    role: 'secretary',
    path: consultation('arrived'),
    submit: (w) => ({ action: `/consultations/${w.consultations.arrived}/intake`, form: '#formular-intake', fields: { deadline: '' } }),
    heading: fixed(TITLE),
  },
  {
    name: 'consultation-drafting',
    role: 'secretary',
    path: (w) => `${consultation('drafting')(w)}?from=1&to=2`,
    heading: fixed(TITLE),
  },
  {
    name: 'consultation-conflict',
    role: 'secretary',
    path: consultation('drafting'),
    // Version 1 is long gone: the save meets a newer one, and the page it returns to shows both texts.
    submit: (w) => ({ action: `/consultations/${w.consultations.drafting}/draft`, fields: { version: '1', body: `Min ændring: ${LONG_WORD}.` } }),
    heading: fixed(TITLE),
  },
  {
    // A refused event form: the page it redirects back to, with the summary and the field's message.
    name: 'consultation-refused-withdraw',
    role: 'secretary',
    path: consultation('drafting'),
    submit: (w) => ({
      action: `/consultations/${w.consultations.drafting}/events`,
      form: '#formular-withdraw',
      fields: { type: 'WITHDRAW', reason: '' },
    }),
    heading: fixed(TITLE),
  },
  { name: 'consultation-awaiting-approval-chair', role: 'chair', path: consultation('awaitingApproval'), heading: fixed(TITLE) },
  { name: 'consultation-member', role: 'member', path: consultation('drafting'), heading: fixed(TITLE) },
  { name: 'consultation-written-procedure-member', role: 'member', path: consultation('writtenProcedure'), heading: fixed(TITLE) },
  { name: 'consultation-written-procedure-secretary', role: 'secretary', path: consultation('writtenProcedure'), heading: fixed(TITLE) },
  { name: 'consultation-staff-read-only', role: 'staff', path: consultation('drafting'), heading: fixed(TITLE) },
  { name: 'consultation-submitted', role: 'secretary', path: consultation('submitted'), heading: fixed(TITLE) },
  { name: 'overview', role: 'staff', path: fixed('/overview'), heading: fixed('Overblik for forvaltningen') },
  { name: 'profile', role: 'secretary', path: fixed('/profile'), heading: fixed('Min profil') },
  { name: 'meetings', role: 'secretary', path: (w) => `/councils/${w.council.slug}/meetings`, heading: (w) => `Møder i ${w.council.name}` },
  { name: 'agendas', role: 'staff', path: (w) => `/councils/${w.council.slug}/agendas`, heading: (w) => `Dagsordener i ${w.council.name}` },
  { name: 'notice', role: 'staff', path: (w) => `/councils/${w.council.slug}/notice`, heading: (w) => `Varsel ved høringer i ${w.council.name}` },
  {
    name: 'handover',
    role: 'chair',
    path: (w) => `/councils/${w.council.slug}/handover`,
    heading: (w) => `Overdragelsesrapport for ${w.council.name}`,
  },
  { name: 'agenda-secretary', role: 'secretary', path: (w) => agendaPath(w), heading: (w) => w.meeting.heading },
  {
    name: 'agenda-with-errors',
    role: 'secretary',
    path: (w) => agendaPath(w),
    submit: (w) => ({ action: `${agendaPath(w)}/items`, fields: { title: '', body: `Tekst uden overskrift: ${LONG_WORD}` } }),
    heading: (w) => w.meeting.heading,
    status: 422,
  },
  { name: 'agenda-member', role: 'member', path: (w) => agendaPath(w), heading: (w) => w.meeting.heading },
  { name: 'minutes-secretary', role: 'secretary', path: (w) => minutesPath(w), heading: (w) => w.heldMeeting.heading },
  {
    name: 'minutes-with-errors',
    role: 'secretary',
    path: (w) => minutesPath(w),
    // No outcome chosen: refused, the comment typed is kept.
    submit: (w) => ({ action: `${minutesPath(w)}/items/${w.heldMeeting.openItemId}`, fields: { comment: `Mødets kommentar: ${LONG_WORD}` } }),
    heading: (w) => w.heldMeeting.heading,
    status: 422,
  },
  { name: 'minutes-member', role: 'member', path: (w) => minutesPath(w), heading: (w) => w.heldMeeting.heading },
  { name: 'admin', role: 'admin', path: fixed('/admin'), heading: fixed('Administration') },
  { name: 'admin-sso', role: 'admin', path: fixed('/admin/sso'), heading: fixed('Kommunens login (SSO)') },
  {
    name: 'admin-sso-refused',
    role: 'admin',
    path: fixed('/admin/sso'),
    submit: () => ({ action: '/admin/sso/domains', fields: { domain: `ikke et domæne ${LONG_WORD}` } }),
    heading: fixed('Kommunens login (SSO)'),
    status: 422,
  },
  { name: 'second-factor', role: 'admin', path: fixed('/profile/second-factor'), heading: fixed('Totrinsbekræftelse') },
  { name: 'admin-councils', role: 'admin', path: fixed('/admin/councils'), heading: fixed('Råd') },
  { name: 'admin-council-new', role: 'admin', path: fixed('/admin/councils/new'), heading: fixed('Nyt råd') },
  { name: 'admin-council', role: 'admin', path: (w) => `/admin/councils/${w.council.id}`, heading: (w) => w.council.name },
  {
    name: 'admin-council-intake',
    role: 'admin',
    path: (w) => `/admin/councils/${w.council.id}/intake`,
    heading: (w) => `Høringer der kommer af sig selv – ${w.council.name}`,
  },
  {
    name: 'admin-council-intake-refused',
    role: 'admin',
    path: (w) => `/admin/councils/${w.council.id}/intake`,
    submit: (w) => ({ action: `/admin/councils/${w.council.id}/intake/feed`, fields: { url: `ikke en adresse ${LONG_WORD}`, keywords: LONG_WORD } }),
    heading: (w) => `Høringer der kommer af sig selv – ${w.council.name}`,
    status: 422,
  },
  { name: 'admin-users', role: 'admin', path: fixed('/admin/users'), heading: fixed('Personer') },
  { name: 'admin-user-new', role: 'admin', path: fixed('/admin/users/new'), heading: fixed('Ny person') },
  { name: 'admin-user', role: 'admin', path: (w) => `/admin/users/${w.users.secretary.actor.userId}`, heading: (w) => w.users.secretary.name },
  { name: 'not-found', role: 'secretary', path: fixed('/findes-ikke'), heading: fixed('Siden findes ikke'), status: 404 },
  {
    name: 'error-csrf',
    role: 'secretary',
    path: fixed('/profile'),
    // A form from an old page (its token no longer valid) ends on the error page.
    submit: (w) => ({ action: '/profile/reminders', fields: { _csrf: 'forældet-token', remind: w.council.slug } }),
    heading: fixed('Der opstod en fejl'),
    status: 403,
  },
];

/** The council, its people and consultations in every state the tour shows, with long names throughout. */
export async function buildTourWorld(db: Db): Promise<TourWorld> {
  const deps = workflowDeps(db);
  const id = unique();
  const council = await createCouncil(db, {
    slug: `tour-${id}`,
    name: `Integrationsrådet for Vordingborg, Faxe og Stevns Kommuner samt Lolland-Falster-Samarbejdet ${id}`,
    // A municipality of its own, so the overview shows only the tour's councils.
    municipality: `Vordingborg-Faxe-Stevns Kommunefællesskab ${id}`,
    letterheadAddress: 'Integrationsrådet\nValdemarsgade 43\n4760 Vordingborg',
    letterheadContact: 'integrationsraadet@vordingborg-kommune.dk',
  });
  const person = async (role: 'secretary' | 'chair' | 'member' | 'staff', name: string) => ({
    ...(await makeUser(db, { council, role, name, email: `${role}-${id}-kjaergaard-oestergaard-hussein@vordingborg-kommune.dk` })),
    name,
  });
  const admin = 'Administrator Christian Frederik Østergaard-Vestergaard';
  const users: TourWorld['users'] = {
    secretary: await person('secretary', 'Mette Kjærgaard-Østergaard Hussein-Christiansen'),
    chair: await person('chair', 'Ahmad Abdulrahman Hussein-Mikkelsen Bjerregaard'),
    member: await person('member', 'Birgitte Skovgaard-Sørensen Frederiksberg-Holm'),
    staff: await person('staff', 'Søren Østergaard Andersen-Vestergaard Kristiansen'),
    admin: { ...(await makeUser(db, { admin: true, name: admin })), name: admin },
  };
  const people = { council, secretary: users.secretary, chair: users.chair };
  const details = {
    title: TITLE,
    authority: AUTHORITY,
    authorityReference: AUTHORITY_REFERENCE,
    authorityEmail: AUTHORITY_EMAIL,
    sourceUrl: SOURCE_URL,
    summary: `Kommunen vil samle ${LONG_WORD} og sprogcentrets tilbud i én plan; se ${SOURCE_URL}.`,
  };
  const received = await makeConsultationInState(deps, people, 'received', { ...details, deadline: deadlineInDays(4) });
  const drafting = await makeConsultationInState(deps, people, 'drafted', { ...details, deadline: deadlineInDays(9) });
  const secondDraft = `# ${LONG_WORD}\n\nIntegrationsrådet bakker op om strategien, men savner ${LONG_WORD}.\n\nSe ${SOURCE_URL}.`;
  await saveDraft(deps, users.secretary.actor, drafting.id, { body: secondDraft, version: drafting.version });
  await addDraftComment(deps, users.member.actor, drafting.id, { body: `Husk ${LONG_WORD} i andet afsnit, tak.` });
  const awaiting = await makeConsultationInState(deps, people, 'awaiting_approval', { ...details, deadline: deadlineInDays(2) });
  const submitted = await makeConsultationInState(deps, people, 'submitted', { ...details, deadline: deadlineInDays(20) });
  // In a written procedure, with a long note and one vote against with its reason.
  const voting = await makeConsultationInWrittenProcedure(
    deps,
    people,
    { ...details, deadline: deadlineInDays(20) },
    {
      note: `Sagen kan ikke vente til mødet: ${LONG_WORD}.`,
    },
  );
  await castVote(deps, users.chair.actor, voting.c.id, { vote: 'disagree', comment: `Afsnittet om ${LONG_WORD} skal skrives om.` });
  const voteToken = await issueVoteToken(
    db,
    { consultationId: voting.c.id, procedureNumber: voting.procedureNumber, userId: users.member.actor.userId },
    voting.closesAt,
  );
  const meeting = await addMeeting(deps, users.secretary.actor, council.slug, {
    date: deadlineInDays(14).slice(0, 10),
    time: '17:00',
    place: PLACE,
    note: LONG_WORD,
  });
  // The submitted consultation was approved by the chair's decision: a note on the agenda.
  await refreshAgenda(deps, users.secretary.actor, council.slug, meeting.id);
  await addConsultationItem(deps, users.secretary.actor, council.slug, meeting.id, { consultationId: drafting.id });
  await addFreeItem(deps, users.secretary.actor, council.slug, meeting.id, {
    title: `Eventuelt: ${LONG_WORD}`,
    body: `- **Temadag** om ${LONG_WORD}\n- Se ${SOURCE_URL}`,
  });
  const heldMeeting = await insertMeeting(db, { councilId: council.id, startsAt: new Date(Date.now() - 2 * 3_600_000), place: PLACE });
  // Its agenda is put in place directly: a refresh adds nothing once a meeting has begun.
  await db.transaction().execute((tx) =>
    appendAgendaItems(tx, heldMeeting.id, [
      { kind: 'consultation', consultationId: awaiting.id, title: TITLE },
      { kind: 'free', title: `Eventuelt: ${LONG_WORD}`, bodyMarkdown: `Temadag om ${LONG_WORD}` },
    ]),
  );
  const [openItem, freeItem] = await listAgendaItems(db, heldMeeting.id);
  await recordOutcome(deps, users.secretary.actor, council.slug, heldMeeting.id, freeItem!.id, {
    outcome: 'noted',
    comment: `Rådet tog orienteringen om ${LONG_WORD} til efterretning; se ${SOURCE_URL}.`,
  });
  await createApiToken(db, { email: users.secretary.email, name: LONG_WORD });
  // The public page: a description with a long word and link, an address, and members listed with long organisations.
  await db
    .updateTable('councils')
    .set({ public_description: `**Rådet** rådgiver om ${LONG_WORD}.\n\nLæs mere på ${SOURCE_URL}`, public_email: AUTHORITY_EMAIL })
    .where('id', '=', council.id)
    .execute();
  await recordResponseOutcome(deps, users.secretary.actor, submitted.id, {
    outcome: 'partly',
    note: `Myndigheden tog forslaget om ${LONG_WORD} med, men ikke resten.`,
    url: SOURCE_URL,
  });
  await db
    .updateTable('memberships')
    .set({ listed_publicly: true, organisation: AUTHORITY })
    .where('council_id', '=', council.id)
    .where('role', 'in', ['chair', 'member'])
    .execute();

  // What arrived by itself: a mailed consultation awaiting confirmation, two suggestions from
  // Høringsportalen, a mail that could not be read, and the admin's mailbox and feed settings.
  const arrived = await db.transaction().execute((tx) =>
    registerArrivedConsultation(
      tx,
      { jobs: deps.jobs, clock: deps.clock, sessionSecret: TEST_SESSION_SECRET },
      {
        councilId: council.id,
        source: 'mail',
        title: TITLE,
        authority: AUTHORITY,
        authorityEmail: AUTHORITY_EMAIL,
        summary: details.summary,
        sourceUrl: null,
        receivedOn: deadlineInDays(0).slice(0, 10),
        deadline: { instant: new Date(deadlineInDays(12)), sentence: `Høringsfristen for ${LONG_WORD} er om tolv dage kl. 12.00.` },
        files: [],
      },
    ),
  );
  for (const n of [1, 2]) {
    await insertFeedSuggestion(db, council.id, {
      entryId: `tour-${id}-${n}`,
      title: `Høring over ${LONG_WORD} nr. ${n}`,
      link: `${SOURCE_URL}?hoering=${n}`,
      authority: AUTHORITY,
      summary: `Forslaget om ${LONG_WORD}.`,
      deadline: n === 1 ? new Date(deadlineInDays(30)) : null,
      deadlineSentence: n === 1 ? 'Høringsfristen er om 30 dage.' : null,
      publishedAt: new Date(),
    });
  }
  await recordSeenMail(
    db,
    {
      councilId: council.id,
      uidValidity: 1,
      uid: 1,
      messageId: null,
      subject: `VS: ${LONG_WORD}`,
      sender: AUTHORITY_EMAIL,
      raw: Buffer.from('ikke en mail'),
    },
    'failed',
    'Mailen kunne ikke læses: den har ingen brevhoved',
  );
  await upsertIntakeMailbox(
    db,
    council.id,
    {
      host: 'imap.vordingborg-kommune.dk',
      port: 993,
      tls: true,
      username: `integrationsraadet-hoeringer-${id}@vordingborg-kommune.dk`,
      passwordSealed: 'forseglet',
      folder: 'INBOX',
      afterProcessing: 'move',
      processedFolder: `Behandlet/${LONG_WORD}`,
      // Switched off, like the watch below: the intake job never dials the tour's made-up servers.
      enabled: false,
    },
    new Date(),
  );
  await upsertFeedWatch(
    db,
    council.id,
    { url: `${SOURCE_URL}/feed`, keywords: [LONG_WORD, 'integration'], authorities: [AUTHORITY], enabled: false },
    new Date(),
  );

  await upsertSsoDomain(db, { domain: `tour-${id}.vordingborg-faxe-stevns-kommunefaellesskab.dk`, createUsers: true, requireSso: false });

  const statusUrls = await statusUrlsFor(
    { db, clock: deps.clock, config: { publicUrl: 'http://tour', port: 0, sessionSecret: TEST_SESSION_SECRET } },
    [submitted.id],
  );
  const resetToken = `pw_${unique()}${unique()}`;
  await db
    .insertInto('password_reset_tokens')
    .values({ token_hash: sha256Hex(resetToken), user_id: users.member.actor.userId, expires_at: new Date(Date.now() + 24 * 3_600_000) })
    .execute();
  const confirmToken = `ab_tour-${unique()}`;
  await db
    .insertInto('public_subscriptions')
    .values({
      council_id: council.id,
      email: `tour-${unique()}@example.dk`,
      requested_at: new Date(),
      confirm_token_hash: sha256Hex(confirmToken),
      confirm_expires_at: new Date(Date.now() + 24 * 3_600_000),
    })
    .execute();
  return {
    users,
    council,
    subscriptionConfirmPath: `/abonnement/bekraeft/${confirmToken}`,
    consultations: {
      received: received.id,
      drafting: drafting.id,
      awaitingApproval: awaiting.id,
      writtenProcedure: voting.c.id,
      submitted: submitted.id,
      arrived,
    },
    statusPath: new URL(statusUrls.get(submitted.id)!).pathname,
    resetPath: `/password/reset/${resetToken}`,
    votePath: `/vote/${voteToken}`,
    unsubscribePath: `/reminders/unsubscribe/${unsubscribeToken(TEST_SESSION_SECRET, users.secretary.actor.userId, council.id)}`,
    meeting: { id: meeting.id, heading: agendaTitle({ startsAt: meeting.starts_at }) },
    heldMeeting: { id: heldMeeting.id, heading: minutesTitle({ startsAt: heldMeeting.starts_at }), openItemId: openItem!.id },
  };
}

/** Opens the stop in a browser tab already signed in as its role, and checks it is the page meant. */
export async function openInBrowser(tab: Page, stop: TourStop, world: TourWorld): Promise<void> {
  let response = await tab.goto(stop.path(world));
  if (stop.submit) {
    const { action, form: selector, fields } = stop.submit(world);
    const form = tab.locator(selector ?? `form[action="${action}"]`);
    // Values go straight into the fields (hidden ones included), as a stale page would hold them.
    for (const [name, value] of Object.entries(fields)) {
      await form
        .locator(`[name="${name}"]`)
        .first()
        .evaluate((el, v) => ((el as HTMLInputElement).value = v), value);
    }
    // The page the post ends on: its own answer, or the page a 303 sends the browser back to.
    const landed = (r: Response) => r.request().isNavigationRequest() && (r.status() < 300 || r.status() >= 400);
    [response] = await Promise.all([tab.waitForResponse(landed), form.locator('button[type=submit]').click()]);
    await tab.waitForLoadState('load');
  }
  expect(response?.status(), `${stop.name}: HTTP status`).to.equal(stop.status ?? 200);
  expect(await tab.locator('h1').allTextContents(), `${stop.name}: its h1`).to.deep.equal([stop.heading(world)]);
}

/** The stop's HTML fetched over plain HTTP by a session signed in as its role. */
export async function fetchOverHttp(session: WebSession, stop: TourStop, world: TourWorld): Promise<string> {
  let page = await session.get(stop.path(world));
  if (stop.submit) {
    const { action, fields } = stop.submit(world);
    const version = /name="version" value="(\d+)"/.exec(page.text)?.[1];
    page = await session.postForm(action, { _csrf: WebSession.csrfToken(page.text), ...(version ? { version } : {}), ...fields });
    if (page.status === 303) page = await session.follow(page);
  }
  expect(page.status, `${stop.name}: HTTP status`).to.equal(stop.status ?? 200);
  return page.text;
}

/** The roles the tour needs, each with the e-mail and password to sign in with (none for anonymous). */
export function tourRoles(world: TourWorld): { role: TourRole; login?: { email: string; password: string } }[] {
  const roles = [...new Set(PAGE_TOUR.map((s) => s.role))];
  return roles.map((role) => (role === 'anonymous' ? { role } : { role, login: world.users[role] }));
}
