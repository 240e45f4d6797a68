import { randomBytes, randomInt } from 'node:crypto';
import type { Db } from '../../src/db/database.ts';
import type { Role } from '../../src/db/types.ts';
import { loadActor, type Actor } from '../../src/domain/access/actor.ts';
import { createCouncil } from '../../src/domain/councils/service.ts';
import { registerConsultation, type ConsultationDeps } from '../../src/domain/consultations/service.ts';
import { addMember, createUser } from '../../src/domain/users/service.ts';

export const TEST_PASSWORD = 'korrekt-hest-batteri';

/** A short random suffix so tests never collide in the shared database. */
export function unique(): string {
  return randomBytes(4).toString('hex');
}

// Reference prefixes of test councils: T and five base-36 digits, counted up from a random start,
// so the councils of one run (about a thousand) never share one — five random hex digits did, about
// once in two runs — and the prefix keeps its short length, which the letters' layout is tested with.
const PREFIX_SPACE = 36 ** 5;
const prefixStart = randomInt(PREFIX_SPACE);
let prefixCount = 0;

/** The next reference prefix of a test council. */
function nextReferencePrefix(): string {
  const n = (prefixStart + prefixCount++) % PREFIX_SPACE;
  return `T${n.toString(36).toUpperCase().padStart(5, '0')}`;
}

/**
 * A council with a unique slug, in Næstved Kommune unless another municipality is given (every
 * council of one municipality is on its staff's overview, which lists a bounded number of rows).
 */
export async function makeCouncil(db: Db, name = 'Integrationsrådet i Næstved Kommune', municipality = 'Næstved Kommune') {
  const id = unique();
  return createCouncil(db, {
    slug: `raad-${id}`,
    name: `${name} ${id}`,
    municipality,
    referencePrefix: nextReferencePrefix(),
  });
}

/** A user, optionally with a role on a council, and their Actor. */
export async function makeUser(
  db: Db,
  options: { council?: { slug: string }; role?: Role; admin?: boolean; name?: string; email?: string } = {},
): Promise<{ email: string; password: string; actor: Actor }> {
  const email = options.email ?? `bruger-${unique()}@example.dk`;
  const user = await createUser(db, { email, name: options.name ?? 'Søren Ærbødig', password: TEST_PASSWORD, isAdmin: options.admin ?? false });
  if (options.council && options.role) await addMember(db, { email, council: options.council.slug, role: options.role });
  const actor = await loadActor(db, user.id);
  return { email, password: TEST_PASSWORD, actor: actor! };
}

/** A council with a secretary, a chair, a member and a staff user (in Næstved Kommune unless `municipality`). */
export async function makeCouncilWithPeople(db: Db, options: { municipality?: string } = {}) {
  const council = await makeCouncil(db, undefined, options.municipality);
  const [secretary, chair, member, staff] = await Promise.all([
    makeUser(db, { council, role: 'secretary', name: 'Mette Kjærgaard' }),
    makeUser(db, { council, role: 'chair', name: 'Ahmad Hussein' }),
    makeUser(db, { council, role: 'member', name: 'Birgitte Sørensen' }),
    makeUser(db, { council, role: 'staff', name: 'Søren Østergaard' }),
  ]);
  return { council, secretary, chair, member, staff };
}

/** The SESSION_SECRET of the test app (test/support/app.ts). */
export const TEST_SESSION_SECRET = 'test-secret-test-secret-test-secret-0123';

/** A consultation registered by `actor`, assigned to `council` when given. */
export function makeConsultation(deps: ConsultationDeps, actor: Actor, overrides: Record<string, unknown> = {}) {
  // The test app's secret unless the deps bring their own, so status links work through the app.
  return registerConsultation({ config: { sessionSecret: TEST_SESSION_SECRET }, ...deps }, actor, {
    title: 'Udkast til Integrationsstrategi 2026–2029',
    authority: 'Beskæftigelses- og Uddannelsesudvalget, Næstved Kommune',
    authorityReference: '25-012345',
    deadline: '2026-12-18T12:00',
    ...overrides,
  });
}

// ---- Helpers for the consultation service and API tests (appended). ----
import { saveDraft, sendEvent, type EventDeps } from '../../src/domain/consultations/service.ts';
import { createApiToken } from '../../src/domain/tokens/service.ts';

/** Where `makeConsultationInState` can take a consultation, each by the roles that may do it. */
export type WorkflowStop = 'received' | 'assigned' | 'drafting' | 'drafted' | 'awaiting_approval' | 'approved' | 'submitted';

/** A deadline `days` from now as ISO 8601 (UTC), within the range the service accepts. */
export function deadlineInDays(days: number, from: Date = new Date()): string {
  return new Date(from.getTime() + days * 86_400_000).toISOString();
}

/**
 * A consultation of `people.council` taken through the workflow by its secretary and chair to
 * `stop` ('received' is unassigned, registered by the secretary; 'drafted' is drafting with a
 * saved non-empty draft).
 */
export async function makeConsultationInState(
  deps: EventDeps,
  people: { council: { slug: string }; secretary: { actor: Actor }; chair: { actor: Actor } },
  stop: WorkflowStop,
  overrides: Record<string, unknown> = {},
) {
  const sec = people.secretary.actor;
  if (stop === 'received') return makeConsultation(deps, sec, { deadline: deadlineInDays(30), ...overrides });
  let c = await makeConsultation(deps, sec, { deadline: deadlineInDays(30), council: people.council.slug, ...overrides });
  if (stop === 'assigned') return c;
  c = await sendEvent(deps, sec, c.id, { type: 'START_DRAFTING', version: c.version });
  if (stop === 'drafting') return c;
  c = await saveDraft(deps, sec, c.id, { body: 'Integrationsrådet bakker op om strategien, men savner sprogcentret.', version: c.version });
  if (stop === 'drafted') return c;
  c = await sendEvent(deps, sec, c.id, { type: 'SUBMIT_FOR_APPROVAL', version: c.version });
  if (stop === 'awaiting_approval') return c;
  c = await sendEvent(deps, people.chair.actor, c.id, { type: 'APPROVE', version: c.version, basis: 'chair_decision' });
  if (stop === 'approved') return c;
  // By e-mail: to the authority's e-mail when the consultation has one, else to an address typed.
  const recipient = overrides.authorityEmail ? null : 'udvalg@naestved.dk';
  return sendEvent(deps, sec, c.id, { type: 'SUBMIT', version: c.version, channel: 'email', recipient });
}

/** A bearer token for the user with this e-mail. */
export async function apiTokenFor(db: Db, email: string): Promise<string> {
  return (await createApiToken(db, { email })).token;
}

// ---- Written procedures (appended). ----
import { toDanishIso } from '../../src/domain/time.ts';
import { proposedProcedureClose } from '../../src/domain/written-procedure/times.ts';

/**
 * A consultation of `people.council` taken to awaiting approval, with a written procedure started
 * by `starter` (its secretary unless given) that closes when the page would propose: two working
 * days from now at 12.00. The deadline is 30 days away unless `overrides` says otherwise.
 */
export async function makeConsultationInWrittenProcedure(
  deps: EventDeps,
  people: { council: { slug: string }; secretary: { actor: Actor }; chair: { actor: Actor } },
  overrides: Record<string, unknown> = {},
  options: { starter?: Actor; note?: string } = {},
) {
  const c = await makeConsultationInState(deps, people, 'awaiting_approval', overrides);
  const closesAt = proposedProcedureClose(new Date(), c.deadline)!;
  const started = await sendEvent(deps, options.starter ?? people.secretary.actor, c.id, {
    type: 'START_WRITTEN_PROCEDURE',
    version: c.version,
    closesAt: toDanishIso(closesAt),
    ...(options.note ? { note: options.note } : {}),
  });
  return { c: started, closesAt, procedureNumber: started.writtenProcedure!.number };
}
