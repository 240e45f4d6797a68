import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { createDatabase, type Db } from '../src/db/database.ts';
import { loadActor, type Actor } from '../src/domain/access/actor.ts';
import { registerConsultation, saveDraft, sendEvent, type EventDeps, type RegistrationDeps } from '../src/domain/consultations/service.ts';
import { workflowDeps } from '../test/support/fakes.ts';
import { createCouncil } from '../src/domain/councils/service.ts';
import { AppError } from '../src/domain/errors.ts';
import { systemClock } from '../src/domain/time.ts';
import { addMember, createUser } from '../src/domain/users/service.ts';
import { BENCH_SESSION_SECRET, peakRssMiB, percentile, runClients, startBenchDatabase, type BenchResult } from './support.ts';

const CONSULTATIONS = Number(process.env.BENCH_CONSULTATIONS ?? 1000);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 32);
const POOL_SIZE = CLIENTS + 8;
/** The run alternates service and raw in this many rounds, each with its share of the consultations. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
/**
 * Warm-up lifecycles per path, not counted: enough for every pooled connection to have run each
 * statement several times and for V8 to have optimised the hot code, so the rounds measure the
 * steady state of a running server rather than its first seconds.
 */
const WARMUP_CONSULTATIONS = 8 * CLIENTS;
const PROFILE_CONSULTATIONS = 30;
/** Event rows per consultation: REGISTERED and ASSIGN (one registration), START_DRAFTING, SAVE_DRAFT, SUBMIT_FOR_APPROVAL, APPROVE, SUBMIT. */
const STEPS_PER_CONSULTATION = 7;
/** Issue 15: plain Kysely statements in one transaction, no driver patches. */
const TARGET_RATIO = 0.4;

const DRAFT_BODY = Array.from(
  { length: 12 },
  (_, i) =>
    `${i + 1}. Integrationsrådet støtter strategiens mål om beskæftigelse og uddannelse, men savner konkrete ` +
    'indsatser for kvinder uden for arbejdsmarkedet og for unge med kort skolegang. Rådet anbefaler, at ' +
    'kommunen inddrager foreningerne tidligt og følger op på målene hvert år.',
).join('\n\n');

/**
 * A realistic answer deadline: 14 to 56 days ahead, spread over the consultations. (Every view of a
 * consultation counts the working days to its deadline one day at a time, so the distance matters.)
 */
function deadlineFor(n: number): string {
  return new Date(Date.now() + (14 + (n % 43)) * 86_400_000).toISOString().slice(0, 10);
}

interface PathStats {
  transitions: number;
  failures: Map<string, number>;
  latenciesMs: number[];
  seconds: number;
}

function newStats(): PathStats {
  return { transitions: 0, failures: new Map(), latenciesMs: [], seconds: 0 };
}

function mergeStats(into: PathStats, from: PathStats): void {
  into.transitions += from.transitions;
  into.seconds += from.seconds;
  for (const ms of from.latenciesMs) into.latenciesMs.push(ms);
  for (const [code, n] of from.failures) into.failures.set(code, (into.failures.get(code) ?? 0) + n);
}

function recordFailure(stats: PathStats, error: unknown): void {
  const code = error instanceof AppError ? error.code : error instanceof Error ? error.message.slice(0, 80) : String(error);
  stats.failures.set(code, (stats.failures.get(code) ?? 0) + 1);
}

function failureCount(stats: PathStats): number {
  let n = 0;
  for (const count of stats.failures.values()) n += count;
  return n;
}

interface Fixture {
  councils: string[];
  secretary: Actor;
  chair: Actor;
}

/** One council per client (so registrations do not queue on one reference counter), one secretary and one chair on all of them. */
async function createFixture(db: Db, councils: number): Promise<Fixture> {
  const tag = randomBytes(2).toString('hex');
  const secretary = await createUser(db, { email: `bench-sekretaer-${tag}@example.dk`, name: 'Mette Kjærgaard', password: 'bench-adgangskode' });
  const chair = await createUser(db, { email: `bench-formand-${tag}@example.dk`, name: 'Ahmad Hussein', password: 'bench-adgangskode' });
  const slugs: string[] = [];
  for (let i = 0; i < councils; i++) {
    const council = await createCouncil(db, {
      slug: `bench-${tag}-${i}`,
      name: `Integrationsrådet ${i} (benchmark ${tag})`,
      municipality: 'Næstved Kommune',
      referencePrefix: `B${tag.toUpperCase()}${String(i).padStart(3, '0')}`,
    });
    await addMember(db, { email: secretary.email, council: council.slug, role: 'secretary' });
    await addMember(db, { email: chair.email, council: council.slug, role: 'chair' });
    slugs.push(council.slug);
  }
  const [secretaryActor, chairActor] = await Promise.all([loadActor(db, secretary.id), loadActor(db, chair.id)]);
  if (!secretaryActor || !chairActor) throw new Error('benchmark users missing');
  return { councils: slugs, secretary: secretaryActor, chair: chairActor };
}

type Step = 'register' | 'START_DRAFTING' | 'saveDraft' | 'SUBMIT_FOR_APPROVAL' | 'APPROVE' | 'SUBMIT';

/**
 * Drives one consultation through its whole life with the service layer. Returns its id (when
 * registered). `onStep` is told before each call, for the profile.
 */
async function lifecycle(
  deps: EventDeps & RegistrationDeps,
  fixture: Fixture,
  council: string,
  n: number,
  stats: PathStats,
  onStep: (step: Step) => void = () => {},
): Promise<string | undefined> {
  const { secretary, chair } = fixture;
  let t = performance.now();
  const done = (count: number) => {
    const now = performance.now();
    stats.latenciesMs.push(now - t);
    stats.transitions += count;
    t = now;
  };
  let id: string | undefined;
  try {
    onStep('register');
    const registered = await registerConsultation(deps, secretary, {
      title: `Høring over udkast til integrationsstrategi ${n}`,
      authority: 'Beskæftigelses- og Uddannelsesudvalget, Næstved Kommune',
      authorityReference: `25-${String(n).padStart(6, '0')}`,
      deadline: deadlineFor(n),
      council,
    });
    id = registered.id;
    // Registration with a council writes two event rows (REGISTERED, ASSIGN): two transitions.
    done(2);
    onStep('START_DRAFTING');
    let current = await sendEvent(deps, secretary, id, { type: 'START_DRAFTING', version: registered.version });
    done(1);
    onStep('saveDraft');
    current = await saveDraft(deps, secretary, id, { body: DRAFT_BODY, version: current.version });
    done(1);
    onStep('SUBMIT_FOR_APPROVAL');
    current = await sendEvent(deps, secretary, id, { type: 'SUBMIT_FOR_APPROVAL', version: current.version });
    done(1);
    onStep('APPROVE');
    current = await sendEvent(deps, chair, id, { type: 'APPROVE', version: current.version, basis: 'chair_decision' });
    done(1);
    onStep('SUBMIT');
    await sendEvent(deps, secretary, id, { type: 'SUBMIT', version: current.version, channel: 'email', recipient: 'byraad@naestved.dk' });
    done(1);
  } catch (error) {
    recordFailure(stats, error);
  }
  return id;
}

/** Runs `count` lifecycles on `clients` concurrent clients; client i uses council i. */
async function servicePath(deps: EventDeps & RegistrationDeps, fixture: Fixture, count: number, clients: number, offset: number) {
  const stats = newStats();
  const ids: string[] = [];
  let next = 0;
  const started = performance.now();
  await runClients(clients, async (client) => {
    if (next >= count) return false;
    const n = next++;
    const id = await lifecycle(deps, fixture, fixture.councils[client % fixture.councils.length]!, offset + n, stats);
    if (id) ids.push(id);
    return true;
  });
  stats.seconds = (performance.now() - started) / 1000;
  return { stats, ids };
}

const RAW_STATES = ['received', 'assigned', 'drafting', 'drafting', 'awaiting_approval', 'approved', 'submitted'] as const;
const RAW_TYPES = ['REGISTERED', 'ASSIGN', 'START_DRAFTING', 'SAVE_DRAFT', 'SUBMIT_FOR_APPROVAL', 'APPROVE', 'SUBMIT'] as const;

/** Plain consultation rows for the raw baseline (not timed). */
async function insertPlainRows(pool: pg.Pool, count: number, createdBy: number): Promise<string[]> {
  const result = await pool.query<{ id: string }>(
    `insert into consultations (title, authority, received_at, deadline, state, snapshot, machine_version, created_by)
     select 'Rå høring ' || g, 'Næstved Kommune', current_date, now() + interval '90 days', 'received',
            '{"value":"received","context":{}}'::jsonb, 1, $2
       from generate_series(1, $1) g
     returning id`,
    [count, createdBy],
  );
  return result.rows.map((r) => r.id);
}

/** One raw step: versioned UPDATE plus the event INSERT in one transaction. True when written. */
async function rawStep(pool: pg.Pool, id: string, step: number, actorId: number): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const updated = await client.query('UPDATE consultations SET state=$3, version=version+1 WHERE id=$1 AND version=$2', [
      id,
      step + 1,
      RAW_STATES[step],
    ]);
    if (updated.rowCount !== 1) {
      await client.query('ROLLBACK');
      throw new Error('STALE_VERSION');
    }
    await client.query(
      'INSERT INTO consultation_events (consultation_id, actor_id, type, from_state, to_state, payload) VALUES ($1, $2, $3, $4, $5, $6)',
      [id, actorId, RAW_TYPES[step], step === 0 ? null : RAW_STATES[step - 1], RAW_STATES[step], JSON.stringify({ step })],
    );
    await client.query('COMMIT');
  } catch (error) {
    if (!(error instanceof Error && error.message === 'STALE_VERSION')) await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** The raw baseline: `clients` concurrent clients, each taking consultations and doing all their steps. */
async function rawPath(pool: pg.Pool, ids: string[], clients: number, actorId: number) {
  const stats = newStats();
  let next = 0;
  const started = performance.now();
  await runClients(clients, async () => {
    const id = ids[next++];
    if (id === undefined) return false;
    for (let step = 0; step < STEPS_PER_CONSULTATION; step++) {
      const t = performance.now();
      try {
        await rawStep(pool, id, step, actorId);
      } catch (error) {
        recordFailure(stats, error);
        break;
      }
      stats.latenciesMs.push(performance.now() - t);
      stats.transitions += 1;
    }
    return true;
  });
  stats.seconds = (performance.now() - started) / 1000;
  return stats;
}

/** Event rows, final states and versions of a set of consultations. */
async function audit(pool: pg.Pool, ids: string[]) {
  const events = await pool.query<{ n: number }>('select count(*) as n from consultation_events where consultation_id = any($1::uuid[])', [ids]);
  const rows = await pool.query<{ state: string; version: number; n: number }>(
    'select state, version, count(*) as n from consultations where id = any($1::uuid[]) group by state, version order by n desc',
    [ids],
  );
  return { eventRows: events.rows[0]?.n ?? 0, states: rows.rows.map((r) => `${r.n}× ${r.state} v${r.version}`).join(', ') };
}

interface QueryRecord {
  step: Step;
  sql: string;
  ms: number;
}

/** A short name for a statement: verb and first table, e.g. `select consultations for update`. */
function queryKind(text: string): string {
  const sql = text.replace(/\s+/g, ' ').trim().toLowerCase();
  const verb = sql.split(' ')[0] ?? '?';
  const table = /(?:from|into|update) "?([a-z_]+)"?/.exec(sql)?.[1];
  const join = sql.includes(' join ') ? ' + join' : '';
  const lock = sql.includes('for update') ? ' for update' : '';
  const upsert = sql.includes('on conflict') ? ' on conflict' : '';
  return table ? `${verb} ${table}${join}${lock}${upsert}` : verb;
}

/**
 * The profile (not timed): a few lifecycles on one client over a pool whose connections record
 * every statement (BEGIN and COMMIT included) with its round-trip time, per service call.
 */
async function profile(url: string, fixture: Fixture) {
  const { db, pool } = createDatabase(url, { max: 2, applicationName: 'raadssvar-bench-profile' });
  const records: QueryRecord[] = [];
  let step: Step = 'register';
  pool.on('connect', (client) => {
    const original = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const first = args[0];
      const text = typeof first === 'string' ? first : ((first as { text?: string } | undefined)?.text ?? '?');
      const at = step;
      const t = performance.now();
      const result = original(...args);
      if (result instanceof Promise) {
        return result.then((value: unknown) => {
          records.push({ step: at, sql: text, ms: performance.now() - t });
          return value;
        });
      }
      return result;
    };
  });
  // SUBMIT archives its letter: a blank one from the fake renderer, so this measures the transition, not Chromium; its mail job is only recorded.
  const deps = { ...workflowDeps(db, systemClock), config: { sessionSecret: BENCH_SESSION_SECRET } };
  const wall = new Map<Step, number>();
  const stats = newStats();
  try {
    for (let n = 0; n < PROFILE_CONSULTATIONS; n++) {
      let t = performance.now();
      let current: Step = 'register';
      await lifecycle(deps, fixture, fixture.councils[n % fixture.councils.length]!, 900_000 + n, stats, (s) => {
        const now = performance.now();
        if (s !== 'register') wall.set(current, (wall.get(current) ?? 0) + now - t);
        t = now;
        current = s;
        step = s;
      });
      wall.set(current, (wall.get(current) ?? 0) + performance.now() - t);
    }
  } finally {
    await db.destroy();
  }
  const steps: Step[] = ['register', 'START_DRAFTING', 'saveDraft', 'SUBMIT_FOR_APPROVAL', 'APPROVE', 'SUBMIT'];
  const perStep = steps.map((s) => {
    const mine = records.filter((r) => r.step === s);
    const kinds = new Map<string, number>();
    for (const r of mine) kinds.set(queryKind(r.sql), (kinds.get(queryKind(r.sql)) ?? 0) + 1);
    const queries = mine.length / PROFILE_CONSULTATIONS;
    const dbMs = mine.reduce((sum, r) => sum + r.ms, 0) / PROFILE_CONSULTATIONS;
    const wallMs = (wall.get(s) ?? 0) / PROFILE_CONSULTATIONS;
    return { step: s, queries, dbMs, wallMs, kinds: [...kinds].map(([k, c]) => `${c / PROFILE_CONSULTATIONS}× ${k}`) };
  });
  return { perStep, failures: failureCount(stats) };
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/**
 * The `transitions` benchmark: throughput of state transitions through the service layer
 * (registerConsultation, sendEvent, saveDraft) against a raw-SQL baseline on the same database in
 * the same run, and a check that no update was lost.
 */
export async function run(): Promise<BenchResult> {
  const loadAtStart = loadavg()[0]!;
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const database = await startBenchDatabase({ poolSize: POOL_SIZE });
  try {
    const { db, pool } = database;
    log(
      `transitions: PostgreSQL ${database.postgresVersion} (${database.embedded ? 'embedded, data/bench-pg' : 'DATABASE_URL'}), ${CONSULTATIONS} consultations, ${CLIENTS} clients, pool ${POOL_SIZE}`,
    );
    const fixture = await createFixture(db, CLIENTS);
    // SUBMIT archives its letter: a blank one from the fake renderer, so this measures the transition, not Chromium; its mail job is only recorded.
    const deps = { ...workflowDeps(db, systemClock), config: { sessionSecret: BENCH_SESSION_SECRET } };

    // Warm-up (JIT, pool connections, plan caches); its rows are not counted.
    await servicePath(deps, fixture, WARMUP_CONSULTATIONS, CLIENTS, 800_000);
    await rawPath(pool, await insertPlainRows(pool, WARMUP_CONSULTATIONS, fixture.secretary.userId), CLIENTS, fixture.secretary.userId);

    // Rounds alternate the two paths, so a noisy neighbour on the shared machine hits both alike.
    const service = { stats: newStats(), ids: [] as string[] };
    const raw = newStats();
    const rawIds: string[] = [];
    const roundRatios: number[] = [];
    let offset = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const count = Math.floor((CONSULTATIONS * (round + 1)) / ROUNDS) - Math.floor((CONSULTATIONS * round) / ROUNDS);
      const s = await servicePath(deps, fixture, count, CLIENTS, offset);
      offset += count;
      mergeStats(service.stats, s.stats);
      service.ids.push(...s.ids);
      const ids = await insertPlainRows(pool, count, fixture.secretary.userId);
      rawIds.push(...ids);
      const r = await rawPath(pool, ids, CLIENTS, fixture.secretary.userId);
      mergeStats(raw, r);
      const sRate = s.stats.transitions / s.stats.seconds;
      const rRate = r.transitions / r.seconds;
      roundRatios.push(sRate / rRate);
      log(
        `  round ${round + 1}/${ROUNDS}: service ${sRate.toFixed(0)}/s (${s.stats.seconds.toFixed(1)} s), raw ${rRate.toFixed(0)}/s (${r.seconds.toFixed(1)} s), ratio ${(sRate / rRate).toFixed(2)}`,
      );
    }
    const serviceRate = service.stats.transitions / service.stats.seconds;
    const rawRate = raw.transitions / raw.seconds;
    log(`service: ${service.stats.transitions} transitions in ${service.stats.seconds.toFixed(1)} s = ${serviceRate.toFixed(0)}/s`);
    log(`raw:     ${raw.transitions} transitions in ${raw.seconds.toFixed(1)} s = ${rawRate.toFixed(0)}/s`);

    const serviceAudit = await audit(pool, service.ids);
    const rawAudit = await audit(pool, rawIds);
    const expected = CONSULTATIONS * STEPS_PER_CONSULTATION;
    const serviceLost = Math.abs(serviceAudit.eventRows - service.stats.transitions);
    const rawLost = Math.abs(rawAudit.eventRows - raw.transitions);
    const ratio = serviceRate / rawRate;

    log('profile (1 client, not timed)…');
    const prof = await profile(database.url, fixture);
    const peakRss = peakRssMiB();

    const pass = ratio >= TARGET_RATIO && serviceLost === 0 && rawLost === 0;
    const failures = (s: PathStats) => (s.failures.size === 0 ? '0' : [...s.failures].map(([k, v]) => `${v} ${k}`).join(', '));
    const table: BenchResult['table'] = {
      columns: ['', 'service layer', 'raw SQL baseline'],
      rows: [
        ['transitions/s', fmt(serviceRate), fmt(rawRate)],
        [`ratio service/raw (target ≥ ${TARGET_RATIO})`, fmt(ratio, 2), '1.00'],
        [`ratio per round (${ROUNDS} rounds)`, roundRatios.map((r) => fmt(r, 2)).join(' '), ''],
        ['successful transitions', fmt(service.stats.transitions), fmt(raw.transitions)],
        ['expected transitions', fmt(expected), fmt(expected)],
        ['failed calls', failures(service.stats), failures(raw)],
        ['event rows written', fmt(serviceAudit.eventRows), fmt(rawAudit.eventRows)],
        ['lost updates (|events − transitions|)', fmt(serviceLost), fmt(rawLost)],
        ['final rows', serviceAudit.states, rawAudit.states],
        ['elapsed s', fmt(service.stats.seconds, 1), fmt(raw.seconds, 1)],
        [
          'call latency p50 / p99 ms',
          `${fmt(percentile(service.stats.latenciesMs, 50), 1)} / ${fmt(percentile(service.stats.latenciesMs, 99), 1)}`,
          `${fmt(percentile(raw.latenciesMs, 50), 1)} / ${fmt(percentile(raw.latenciesMs, 99), 1)}`,
        ],
        ['round trips per transition', fmt(prof.perStep.reduce((s, p) => s + p.queries, 0) / STEPS_PER_CONSULTATION, 1), '4.0'],
        ['peak RSS of the process', `${fmt(peakRss)} MiB`, ''],
      ],
    };
    const notes = [
      `Profile, one client, ${PROFILE_CONSULTATIONS} lifecycles (per call: round trips to PostgreSQL, time spent waiting on them, wall time): ` +
        prof.perStep
          .map((p) => `${p.step} ${fmt(p.queries, 1)} queries, ${fmt(p.dbMs, 2)} ms waiting on round trips, ${fmt(p.wallMs, 2)} ms wall`)
          .join('; ') +
        '.',
      `Statements per call: ${prof.perStep.map((p) => `**${p.step}**: ${p.kinds.join(', ')}`).join('; ')}.`,
      `Load average of the machine (1 min) at the start and the end of the run: ${loadAtStart.toFixed(1)} and ${loadavg()[0]!.toFixed(1)}.`,
    ];
    return {
      description:
        `State transitions per second through the service layer against raw SQL. ${fmt(CONSULTATIONS)} consultations, ` +
        `${CLIENTS} concurrent clients on a pool of ${POOL_SIZE}; each client takes a consultation and drives it through its whole ` +
        'life: `registerConsultation` with a council and a deadline 14–56 days ahead (two event rows, REGISTERED and ASSIGN, counted as two transitions), then ' +
        '`sendEvent` START_DRAFTING, `saveDraft`, SUBMIT_FOR_APPROVAL, APPROVE (by the chair) and SUBMIT — 7 transitions each. ' +
        'The baseline, in the same run on the same database (the run alternates service and baseline in ' +
        `${ROUNDS} rounds; each rate is total transitions over total time of its path), does the same number of steps on as many plain consultation rows ` +
        '(inserted first, not timed): per step one transaction with `UPDATE consultations SET state=$3, version=version+1 WHERE ' +
        "id=$1 AND version=$2` and an `INSERT INTO consultation_events`. Lost updates: the event rows of the benchmark's " +
        'consultations must equal the successful transitions counted by the clients.',
      target: `ratio >= ${TARGET_RATIO}, lost updates = 0`,
      pass,
      postgres: database.postgresVersion,
      metrics: {
        consultations: CONSULTATIONS,
        clients: CLIENTS,
        poolSize: POOL_SIZE,
        serviceTransitionsPerSecond: Math.round(serviceRate),
        rawTransitionsPerSecond: Math.round(rawRate),
        ratio: Number(ratio.toFixed(3)),
        rounds: ROUNDS,
        roundRatios: roundRatios.map((r) => r.toFixed(3)).join(' '),
        serviceTransitions: service.stats.transitions,
        rawTransitions: raw.transitions,
        serviceEventRows: serviceAudit.eventRows,
        rawEventRows: rawAudit.eventRows,
        serviceFailures: failureCount(service.stats),
        rawFailures: failureCount(raw),
        lostUpdates: serviceLost + rawLost,
        serviceSeconds: Number(service.stats.seconds.toFixed(2)),
        rawSeconds: Number(raw.seconds.toFixed(2)),
        serviceP50Ms: Number(percentile(service.stats.latenciesMs, 50).toFixed(2)),
        serviceP99Ms: Number(percentile(service.stats.latenciesMs, 99).toFixed(2)),
        rawP50Ms: Number(percentile(raw.latenciesMs, 50).toFixed(2)),
        rawP99Ms: Number(percentile(raw.latenciesMs, 99).toFixed(2)),
        peakRssMiB: peakRss,
        database: database.embedded ? 'embedded' : 'DATABASE_URL',
        ...Object.fromEntries(
          prof.perStep.flatMap((p) => [
            [`profile.${p.step}.queries`, p.queries],
            [`profile.${p.step}.dbMs`, Number(p.dbMs.toFixed(3))],
            [`profile.${p.step}.wallMs`, Number(p.wallMs.toFixed(3))],
          ]),
        ),
      },
      table,
      notes,
    };
  } finally {
    await database.close();
  }
}
