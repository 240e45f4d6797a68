import { sql } from 'kysely';
import { initialTransition, transition } from 'xstate';
import type { Db } from '../src/db/database.ts';
import type { Role } from '../src/db/types.ts';
import { hashPassword } from '../src/domain/auth/passwords.ts';
import {
  consultationMachine,
  MACHINE_VERSION,
  persistSnapshot,
  type ConsultationMachineEvent,
  type ConsultationState,
} from '../workflows/consultation.machine.ts';
import { SCALE_TITLES } from '../src/seed/scale.ts';

/** The roles a benchmark user has: a council role, or administrator (no council). */
export type BenchRole = Role | 'admin';

/** How many councils, users and councils per user the web benchmark seeds. */
export const WEB_SEED = {
  councils: 400,
  /** BENCH_USERS_PER_ROLE lowers it for a quick try of the benchmark itself. */
  usersPerRole: Number(process.env.BENCH_USERS_PER_ROLE ?? 200),
  /** Councils each user of a role sits on (admins sit on none: they see everything). */
  councilsPerUser: { secretary: 2, chair: 2, member: 3, staff: 2, admin: 0 } satisfies Record<BenchRole, number>,
  /** The newest consultations of each council are open; older ones are history in a final state. */
  openPerCouncil: 20,
  /** Days between two consultations of one council, going back in time. */
  daysBetween: 3,
  meetingsPerCouncil: 4,
  password: 'bench-raadssvar',
} as const;

/** A seeded user as the benchmark logs in with it. */
export interface WebUser {
  id: number;
  email: string;
  role: BenchRole;
  /** Slugs of the councils the user sits on. */
  councils: string[];
}

const ROLES: BenchRole[] = ['secretary', 'chair', 'member', 'staff', 'admin'];

/**
 * The kinds of consultation seeded, each with the events that lead to it: every seeded snapshot is
 * one the machine produced. Kinds 0–5 are open, 6–8 final.
 */
const ASSIGNED: ConsultationMachineEvent[] = [{ type: 'ASSIGN', council: 'x' }];
const DRAFTING: ConsultationMachineEvent[] = [...ASSIGNED, { type: 'START_DRAFTING' }];
const DRAFTED: ConsultationMachineEvent[] = [...DRAFTING, { type: 'SAVE_DRAFT', draftNumber: 1, empty: false }];
const AWAITING: ConsultationMachineEvent[] = [...DRAFTED, { type: 'SUBMIT_FOR_APPROVAL' }];
const APPROVED: ConsultationMachineEvent[] = [...AWAITING, { type: 'APPROVE', basis: 'chair_decision' }];
const PATHS: Array<{ kind: number; events: ConsultationMachineEvent[] }> = [
  { kind: 0, events: [] },
  { kind: 1, events: ASSIGNED },
  { kind: 2, events: DRAFTING },
  { kind: 3, events: DRAFTED },
  { kind: 4, events: AWAITING },
  { kind: 5, events: APPROVED },
  { kind: 6, events: [...APPROVED, { type: 'SUBMIT', channel: 'email' }] },
  { kind: 7, events: [...ASSIGNED, { type: 'DECLINE', reason: 'Høringen ligger uden for rådets område.' }] },
  { kind: 8, events: [...ASSIGNED, { type: 'WITHDRAW', reason: 'Kommunen har trukket høringen tilbage.' }] },
];

/** Kinds with a saved draft (response version 1). */
const DRAFTED_KINDS = [3, 4, 5, 6];

/** A word in about one title of a thousand, for the rare search. */
export const RARE_TITLE_WORD = 'Vindmølleplan';

const DRAFT_BODY =
  '## Rådets svar\n\nRådet takker for muligheden for at afgive høringssvar og bakker op om forslagets formål.\n\n' +
  '- Rådet anbefaler, at borgere med et andet modersmål inddrages tidligt.\n- Rådet ønsker en opfølgning efter et år.\n\nMed venlig hilsen\nRådet';

/** Seeds the councils, their meetings and `WEB_SEED.usersPerRole` users of every role with their memberships. */
export async function seedWebPeople(db: Db): Promise<WebUser[]> {
  const { councils, usersPerRole, meetingsPerCouncil } = WEB_SEED;
  await sql`
    insert into councils (slug, name, municipality, reference_prefix)
    select 'web-' || lpad(g::text, 3, '0'), 'Integrationsrådet i Webkommune ' || g, 'Webkommune ' || g, 'W' || lpad(g::text, 3, '0')
    from generate_series(1, ${councils}::int) g`.execute(db);
  await sql`
    insert into meetings (council_id, starts_at, place)
    select c.id, date_trunc('day', now()) + make_interval(days => m * 30 - 45) + interval '17 hours', 'Rådhuset, mødelokale ' || m
    from councils c cross join generate_series(1, ${meetingsPerCouncil}::int) m
    where c.slug like 'web-%'`.execute(db);

  // One scrypt hash for every user (the same password): hashing a thousand would take minutes.
  const passwordHash = await hashPassword(WEB_SEED.password);
  const users: WebUser[] = [];
  for (const role of ROLES) {
    const inserted = await sql<{ id: number; email: string; n: number }>`
      insert into users (email, name, password_hash, is_admin)
      select 'web.' || ${role}::text || '.' || lpad(g::text, 3, '0') || '@example.dk', initcap(${role}::text) || ' ' || g, ${passwordHash}, ${role === 'admin'}
      from generate_series(1, ${usersPerRole}::int) g
      returning id, email, (regexp_match(email, '(\\d+)@'))[1]::int as n`.execute(db);
    const perUser = WEB_SEED.councilsPerUser[role];
    for (const row of inserted.rows.sort((a, b) => a.n - b.n)) {
      // User n of a role sits on councils n·k … n·k+k−1 (wrapping): every council has people of every role.
      const slugs = Array.from({ length: perUser }, (_, j) => councilSlug((((row.n - 1) * perUser + j + (role === 'chair' ? 1 : 0)) % councils) + 1));
      users.push({ id: row.id, email: row.email, role, councils: slugs });
    }
  }
  const memberships = users.flatMap((u) => u.councils.map((slug) => ({ userId: u.id, slug, role: u.role })));
  await sql`
    insert into memberships (user_id, council_id, role)
    select m.user_id, c.id, m.role::text
    from json_to_recordset(${JSON.stringify(memberships.map((m) => ({ user_id: m.userId, slug: m.slug, role: m.role })))}::json)
      as m(user_id int, slug text, role text)
    join councils c on c.slug = m.slug`.execute(db);
  return users;
}

/** The slug of the n-th (1-based) benchmark council. */
export function councilSlug(n: number): string {
  return `web-${String(n).padStart(3, '0')}`;
}

/** The machine's snapshot and event log of each seeded kind (kinds 0–5 open, 6–8 final), computed once. */
export function templates(): Array<{ kind: number; state: ConsultationState; snapshot: unknown; events: unknown[] }> {
  return PATHS.map(({ kind, events }) => {
    let [snapshot] = initialTransition(consultationMachine, { deadline: new Date(0).toISOString() });
    const log: Array<{ type: string; from_state: string | null; to_state: string; payload: Record<string, unknown> }> = [
      { type: 'REGISTERED', from_state: null, to_state: 'received', payload: {} },
    ];
    for (const event of events) {
      const from = snapshot.value as string;
      [snapshot] = transition(consultationMachine, snapshot, event);
      const { type, ...payload } = event;
      log.push({ type, from_state: from, to_state: snapshot.value, payload });
    }
    // The event log keeps the registration and the last step (the timeline's first and newest rows).
    return { kind, state: snapshot.value, snapshot: persistSnapshot(snapshot), events: log.length > 2 ? [log[0], log.at(-1)] : log };
  });
}

/**
 * Adds consultations number `from` … `to − 1` in one pass of INSERT … SELECT over generate_series.
 * Consultation i belongs to council i mod C and is the k-th newest of it (k = i div C): the newest
 * `openPerCouncil` of a council are open (spread over the open states), older ones are history in
 * a final state, one every `daysBetween` days back. So growing the table adds history, as years of
 * use do, while what is open stays the same. Snapshots are the machine's own, with the row's
 * deadline and council put in. Runs as one transaction; the caller ANALYZEs.
 */
export async function addWebConsultations(db: Db, from: number, to: number): Promise<void> {
  if (to <= from) return;
  const { councils, openPerCouncil, daysBetween } = WEB_SEED;
  const kinds = templates();
  await db.transaction().execute(async (tx) => {
    // Bulk statements outlast the app's statement timeout; the rows are consistent by
    // construction, so the owner skips the triggers and foreign-key checks (change
    // notifications would tell no running server anything).
    await sql`set local statement_timeout = 0`.execute(tx);
    await sql`set local session_replication_role = replica`.execute(tx);
    await sql`create temp table web_templates (kind int primary key, state text, snapshot jsonb, events jsonb) on commit drop`.execute(tx);
    await sql`
      insert into web_templates
      select kind, state, snapshot, events from json_to_recordset(${JSON.stringify(kinds)}::json) as t(kind int, state text, snapshot jsonb, events jsonb)`.execute(
      tx,
    );
    await sql`
      create temp table web_new on commit drop as
      select g as i, md5('web-consultation-' || g)::uuid as id, c.id as council_id, c.slug, c.reference_prefix, c.municipality, s.user_id as secretary_id,
        case when g / ${councils}::int < ${openPerCouncil}::int then (g / ${councils}::int) % 6
             when (g * 7) % 25 < 20 then 6 when (g * 7) % 25 < 23 then 7 else 8 end as kind,
        date_trunc('minute', now() + interval '45 days' - make_interval(days => (g / ${councils}::int) * ${daysBetween}::int)
          + make_interval(mins => ((g::bigint * 7919) % 1440)::int)) as deadline
      from generate_series(${from}::int, ${to - 1}::int) g
      join councils c on c.slug = 'web-' || lpad((g % ${councils}::int + 1)::text, 3, '0')
      left join memberships s on s.council_id = c.id and s.role = 'secretary'`.execute(tx);
    const titles = sql`array[${sql.join(SCALE_TITLES.map((t) => sql.lit(t)))}]::text[]`;
    const iso = sql`to_jsonb(to_char(n.deadline at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))`;
    await sql`
      insert into consultations (id, reference, council_id, assignee_id, title, authority, authority_reference, received_at, deadline,
        state, snapshot, machine_version, created_by, created_at, updated_at)
      select n.id, n.reference_prefix || '-' || n.i,
        case when n.kind = 0 then null else n.council_id end,
        case when n.kind = 0 then null else n.secretary_id end,
        (${titles})[n.i % ${SCALE_TITLES.length}::int + 1] || ' ' || extract(year from n.deadline)::int || ' nr. ' || n.i
          || case when n.i % 997 = 0 then ${` om ${RARE_TITLE_WORD}`}::text else '' end,
        'Økonomiudvalget, ' || n.municipality, '26-' || lpad(n.i::text, 7, '0'),
        (n.deadline - interval '30 days')::date, n.deadline, t.state,
        jsonb_set(jsonb_set(t.snapshot, '{context,deadline}', ${iso}), '{context,council}', case when n.kind = 0 then 'null'::jsonb else to_jsonb(n.slug) end),
        ${MACHINE_VERSION}::int, n.secretary_id, n.deadline - interval '30 days', n.deadline - interval '30 days'
      from web_new n join web_templates t on t.kind = n.kind`.execute(tx);
    await sql`
      insert into consultation_events (consultation_id, at, actor_id, type, from_state, to_state, payload)
      select n.id, n.deadline - interval '30 days' + make_interval(days => e.ord::int - 1), n.secretary_id,
        e.value->>'type', e.value->>'from_state', e.value->>'to_state', e.value->'payload'
      from web_new n join web_templates t on t.kind = n.kind cross join lateral jsonb_array_elements(t.events) with ordinality as e(value, ord)`.execute(
      tx,
    );
    await sql`
      insert into response_versions (consultation_id, number, body, author_id, created_at)
      select n.id, 1, ${DRAFT_BODY}, n.secretary_id, n.deadline - interval '20 days'
      from web_new n where n.kind in (${sql.join(DRAFTED_KINDS)})`.execute(tx);
  });
}
