import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { sql } from 'kysely';
import { createDatabase, type Db } from '../src/db/database.ts';
import { BEHIND_TLS_PROXY, logIn, peakRssOf, rssOf, startAppServer, type AppServer } from './app-server.ts';
import { BENCH_EMBEDDED, percentile, startBenchDatabase, type BenchDatabase, type BenchResult } from './support.ts';
import {
  consultationId,
  consultationNumber,
  isUnassignedWhenSeeded,
  pickWeighted,
  queueUrl,
  PAGE_TYPES,
  ROLE_ACTIONS,
  ROLE_SHARE,
  type Action,
  type PageType,
} from './web-mix.ts';
import { addWebConsultations, councilSlug, seedWebPeople, WEB_SEED, type BenchRole, type WebUser } from './web-seed.ts';
import type { ServerUsage } from './server-main.ts';

const DEFAULT_SIZES = [10_000, 100_000, 1_000_000];
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
/** Seconds of the mixed workload per size; the per-type phases and the bare route get less. */
const MIX_SECONDS = Number(process.env.BENCH_DURATION ?? 20);
const PHASE_SECONDS = Number(process.env.BENCH_PHASE ?? 6);
const BARE_SECONDS = 8;
const WARMUP_SECONDS = 5;
/** A per-type phase runs until it has this many requests (or three times its time), so slow pages still give a figure. */
const PHASE_MIN_REQUESTS = 30;
const LOGIN_CONCURRENCY = 4;

const TARGET_MIX_RATIO = 0.1;
const TARGET_CPU_TIMES_BARE = 10;
const TARGET_CALENDAR_CPU_TIMES_BARE = 20;
const TARGET_SCALING = 0.7;

/** What every browser says it can decode. */
const BROWSER_ACCEPT = { 'accept-encoding': 'gzip, deflate, br, zstd' };

// ---------- a light HTTP client: one keep-alive agent, CONNECTIONS sockets ----------

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });

function send(port: number, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent,
        headers: body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

function textOf(reply: Reply): string {
  const encoding = reply.headers['content-encoding'];
  if (encoding === 'gzip') return gunzipSync(reply.body).toString('utf8');
  if (encoding === 'br') return brotliDecompressSync(reply.body).toString('utf8');
  if (encoding === 'deflate') return inflateSync(reply.body).toString('utf8');
  return reply.body.toString('utf8');
}

function decodeEntities(text: string): string {
  return text
    .replace(/&amp;/g, '&')
    .replace(/&#x3D;/g, '=')
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
}

// ---------- the simulated people ----------

interface Person extends WebUser {
  cookie: string;
  /** The address of the person's own machine, so the login throttle counts them apart. */
  forwardedFor: string;
  csrf?: string;
  /** Path of the person's own calendar feed. */
  feedPath: string;
  /** 0-based indexes of the person's councils. */
  councilIndexes: number[];
  /** The queue's "next page" link of the person's last queue view. */
  nextLink?: string;
}

function headersOf(person: Person): Record<string, string> {
  return { cookie: person.cookie, 'x-forwarded-for': person.forwardedFor, ...BEHIND_TLS_PROXY, ...BROWSER_ACCEPT };
}

function councilIndexOf(slug: string): number {
  return Number(slug.slice(slug.lastIndexOf('-') + 1)) - 1;
}

async function logInEveryone(port: number, users: WebUser[]): Promise<Person[]> {
  const baseUrl = `http://127.0.0.1:${port}`;
  const people: Person[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: LOGIN_CONCURRENCY }, async () => {
      while (next < users.length) {
        const user = users[next++]!;
        const forwardedFor = `10.${(user.id >> 16) & 255}.${(user.id >> 8) & 255}.${user.id & 255}`;
        const cookie = await logIn(baseUrl, user.email, WEB_SEED.password, { 'x-forwarded-for': forwardedFor });
        const person: Person = { ...user, cookie, forwardedFor, feedPath: '', councilIndexes: user.councils.map(councilIndexOf) };
        // The profile page shows the person's own feed address (made on the first visit), as they would copy it.
        const profile = await send(port, 'GET', '/profile', headersOf(person));
        const feed = /id="feed-own"[^>]*value="([^"]+)"/.exec(textOf(profile))?.[1];
        if (profile.status !== 200 || !feed) throw new Error(`${user.email}: the profile page answered ${profile.status} without a feed address`);
        person.feedPath = new URL(decodeEntities(feed)).pathname;
        people.push(person);
      }
    }),
  );
  return people;
}

// ---------- recording ----------

interface TypeFigures {
  latencies: number[];
  ok: number;
  /** Writes the app refused as it should (a stale version after someone else's change, a step no longer possible). */
  refused: number;
  failed: number;
}

class Recorder {
  readonly byType = new Map<PageType | 'bare', TypeFigures>();
  requests = 0;

  record(type: PageType | 'bare', milliseconds: number, outcome: 'ok' | 'refused' | 'failed'): void {
    let figures = this.byType.get(type);
    if (!figures) this.byType.set(type, (figures = { latencies: [], ok: 0, refused: 0, failed: 0 }));
    figures.latencies.push(milliseconds);
    figures[outcome]++;
    this.requests++;
  }

  failed(): number {
    return [...this.byType.values()].reduce((sum, f) => sum + f.failed, 0);
  }

  refused(): number {
    return [...this.byType.values()].reduce((sum, f) => sum + f.refused, 0);
  }
}

const failureSamples: string[] = [];

async function timed(
  recorder: Recorder,
  type: PageType | 'bare',
  run: () => Promise<Reply>,
  expected: number[],
  refusedOk = false,
): Promise<Reply | undefined> {
  const started = performance.now();
  try {
    const reply = await run();
    const ms = performance.now() - started;
    const outcome = expected.includes(reply.status) ? 'ok' : refusedOk && reply.status >= 400 && reply.status < 500 ? 'refused' : 'failed';
    if (outcome === 'failed' && failureSamples.length < 5) failureSamples.push(`${type} ${reply.status}`);
    recorder.record(type, ms, outcome);
    return reply;
  } catch (error) {
    if (failureSamples.length < 5) failureSamples.push(`${type} ${(error as Error).message}`);
    recorder.record(type, performance.now() - started, 'failed');
    return undefined;
  }
}

// ---------- what the people do ----------

interface World {
  port: number;
  size: number;
  people: Person[];
  byRole: Map<BenchRole, Person[]>;
}

const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)]!;

/** A consultation the person may see: mostly an open one of their councils, sometimes one of the history. */
function visibleConsultation(world: World, person: Person, openOnly = false): string {
  const perCouncil = Math.ceil(world.size / WEB_SEED.councils);
  for (;;) {
    const council = person.role === 'admin' ? Math.floor(Math.random() * WEB_SEED.councils) : pick(person.councilIndexes);
    const open = openOnly || Math.random() < 0.7 || perCouncil <= WEB_SEED.openPerCouncil;
    const k = open
      ? Math.floor(Math.random() * WEB_SEED.openPerCouncil)
      : WEB_SEED.openPerCouncil + Math.floor(Math.random() * (perCouncil - WEB_SEED.openPerCouncil));
    // An unassigned consultation is seen only by the secretary who registered it (and admins).
    if (isUnassignedWhenSeeded(k) && person.role !== 'secretary' && person.role !== 'admin') continue;
    const i = consultationNumber(council, k, world.size);
    if (i !== undefined) return consultationId(i);
  }
}

async function viewQueue(world: World, person: Person, recorder: Recorder): Promise<void> {
  const url = person.nextLink && Math.random() < 0.25 ? person.nextLink : queueUrl(person.councils);
  const reply = await timed(recorder, 'queue', () => send(world.port, 'GET', url, headersOf(person)), [200]);
  if (reply?.status !== 200) return;
  const next = /<a class="button" href="([^"]+)" rel="next"/.exec(textOf(reply))?.[1];
  person.nextLink = next ? decodeEntities(next) : undefined;
}

interface PageForms {
  id: string;
  version: string;
  hasDraftForm: boolean;
  events: Set<string>;
}

async function viewConsultation(
  world: World,
  person: Person,
  recorder: Recorder,
  id = visibleConsultation(world, person),
): Promise<PageForms | undefined> {
  const reply = await timed(recorder, 'consultation', () => send(world.port, 'GET', `/consultations/${id}`, headersOf(person)), [200]);
  if (reply?.status !== 200) return undefined;
  const html = textOf(reply);
  person.csrf ??= /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  const version = /name="version" value="(\d+)"/.exec(html)?.[1];
  if (!version) return undefined;
  const events = new Set([...html.matchAll(/name="type" value="([A-Z_]+)"/g)].map((m) => m[1]!));
  return { id, version, hasDraftForm: html.includes(`action="/consultations/${id}/draft"`), events };
}

const DRAFT_TEXT =
  '## Rådets svar\n\nRådet har drøftet høringen og har disse bemærkninger:\n\n- Tidlig inddragelse af borgerne.\n- En opfølgning efter et år.\n';

function postForm(world: World, person: Person, path: string, fields: Record<string, string>): Promise<Reply> {
  return send(
    world.port,
    'POST',
    path,
    { ...headersOf(person), 'content-type': 'application/x-www-form-urlencoded' },
    new URLSearchParams({ _csrf: person.csrf ?? '', ...fields }).toString(),
  );
}

function saveDraft(world: World, person: Person, recorder: Recorder, id: string, version: string): Promise<Reply | undefined> {
  const body = `${DRAFT_TEXT}\nGemt ${new Date().toISOString()}.`;
  return timed(recorder, 'draft', () => postForm(world, person, `/consultations/${id}/draft`, { body, version }), [303], true);
}

function sendEvent(
  world: World,
  person: Person,
  recorder: Recorder,
  id: string,
  version: string,
  type: string,
  fields: Record<string, string> = {},
): Promise<Reply | undefined> {
  return timed(recorder, 'transition', () => postForm(world, person, `/consultations/${id}/events`, { type, version, ...fields }), [303], true);
}

function laterDeadline(): string {
  const date = new Date(Date.now() + (200 + Math.floor(Math.random() * 400)) * 86_400_000);
  return date.toISOString().slice(0, 16);
}

/** A write as a browser makes it: the consultation page, then one of the forms it shows. */
async function write(world: World, person: Person, recorder: Recorder): Promise<void> {
  // A chair mostly goes to what awaits their approval (the seed's kind 4: k ≡ 4 mod 6).
  const awaiting =
    person.role === 'chair' && Math.random() < 0.7 ? consultationNumber(pick(person.councilIndexes), pick([4, 10, 16]), world.size) : undefined;
  const id = awaiting === undefined ? visibleConsultation(world, person, true) : consultationId(awaiting);
  const page = await viewConsultation(world, person, recorder, id);
  if (!page) return;
  if (person.role === 'chair') {
    if (page.events.has('REQUEST_CHANGES') && Math.random() < 0.6) {
      await sendEvent(world, person, recorder, id, page.version, 'REQUEST_CHANGES', { comment: 'Afsnit to bør være kortere.' });
    } else if (page.events.has('APPROVE')) await sendEvent(world, person, recorder, id, page.version, 'APPROVE', { basis: 'chair_decision' });
    return;
  }
  const step = ['START_DRAFTING', 'SUBMIT_FOR_APPROVAL'].find((type) => page.events.has(type));
  if (page.hasDraftForm && (Math.random() < 0.5 || !step)) await saveDraft(world, person, recorder, id, page.version);
  else if (step) await sendEvent(world, person, recorder, id, page.version, step);
  else if (page.events.has('EXTEND_DEADLINE'))
    await sendEvent(world, person, recorder, id, page.version, 'EXTEND_DEADLINE', { deadline: laterDeadline(), note: 'Forlænget efter aftale' });
}

async function viewOverview(world: World, person: Person, recorder: Recorder): Promise<void> {
  await timed(recorder, 'overview', () => send(world.port, 'GET', '/overview', headersOf(person)), [200]);
}

async function fetchFeed(world: World, person: Person, recorder: Recorder): Promise<void> {
  // A calendar program: no cookie, only the secret address.
  await timed(recorder, 'calendar', () => send(world.port, 'GET', person.feedPath, { ...BROWSER_ACCEPT }), [200]);
}

const ACTIONS: Record<Action, (world: World, person: Person, recorder: Recorder) => Promise<unknown>> = {
  queue: viewQueue,
  consultation: (world, person, recorder) => viewConsultation(world, person, recorder),
  overview: viewOverview,
  write,
  calendar: fetchFeed,
};

/** Someone of a role that does `action`, by the roles' shares. */
function personFor(world: World, action?: Action): Person {
  const roles = Object.fromEntries(
    Object.entries(ROLE_SHARE).filter(([role]) => action === undefined || ROLE_ACTIONS[role as BenchRole][action] !== undefined),
  ) as Record<BenchRole, number>;
  return pick(world.byRole.get(pickWeighted(roles))!);
}

// ---------- phases: a time window, the server's and PostgreSQL's CPU around it ----------

const CLOCK_TICKS_PER_SECOND = 100;

/** CPU time of the embedded PostgreSQL (the postmaster and all its children) so far, ms; undefined without one. */
function postgresCpuMs(): number | undefined {
  const pidFile = join(BENCH_EMBEDDED.clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const postmaster = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // Fields after the command name in parentheses: state ppid … utime(14) stime(15).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(entry) === postmaster || Number(fields[1]) === postmaster) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

interface PhaseResult {
  seconds: number;
  recorder: Recorder;
  rps: number;
  serverCpuMsPerRequest: number;
  postgresCpuMsPerRequest: number | undefined;
  usage: ServerUsage;
}

async function phase(
  server: AppServer,
  seconds: number,
  loop: (recorder: Recorder, index: number) => Promise<boolean | void>,
  minRequests = 0,
): Promise<PhaseResult> {
  const recorder = new Recorder();
  const before = await server.usage();
  const pgBefore = postgresCpuMs();
  const started = performance.now();
  const soft = started + seconds * 1000;
  const hard = started + 3 * seconds * 1000;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async (_, index) => {
      for (;;) {
        const now = performance.now();
        if (now >= hard || (now >= soft && recorder.requests >= minRequests)) return;
        if ((await loop(recorder, index)) === false) return;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const after = await server.usage();
  const pgAfter = postgresCpuMs();
  const requests = Math.max(1, recorder.requests);
  return {
    seconds: elapsed,
    recorder,
    rps: recorder.requests / elapsed,
    serverCpuMsPerRequest: (after.cpuMicros - before.cpuMicros) / 1000 / requests,
    postgresCpuMsPerRequest: pgBefore === undefined || pgAfter === undefined ? undefined : (pgAfter - pgBefore) / requests,
    usage: after,
  };
}

function bareLoop(world: World) {
  return async (recorder: Recorder) => {
    await timed(recorder, 'bare', () => send(world.port, 'GET', '/bench/bare', { ...BROWSER_ACCEPT }), [200]);
  };
}

function mixLoop(world: World) {
  return async (recorder: Recorder) => {
    const person = personFor(world);
    await ACTIONS[pickWeighted(ROLE_ACTIONS[person.role])](world, person, recorder);
  };
}

/** The drafting consultations the write phases work on, one per connection, each with its secretary and chair. */
interface OwnedConsultation {
  id: string;
  secretary: Person;
  chair: Person;
  version: string;
}

async function claimDraftingConsultations(world: World): Promise<OwnedConsultation[]> {
  const secretaries = world.byRole.get('secretary')!;
  const chairs = world.byRole.get('chair')!;
  const scratch = new Recorder();
  const owned: OwnedConsultation[] = [];
  // Drafting consultations of the seed are kinds 2 and 3 (k ≡ 2, 3 mod 6); one council per connection.
  for (let council = 0; council < WEB_SEED.councils && owned.length < CONNECTIONS; council += 7) {
    const slug = councilSlug(council + 1);
    const secretary = secretaries.find((p) => p.councils.includes(slug));
    const chair = chairs.find((p) => p.councils.includes(slug));
    if (!secretary || !chair) continue;
    for (const k of [2, 3, 8, 9, 14, 15]) {
      const i = consultationNumber(council, k, world.size);
      if (i === undefined) continue;
      const page = await viewConsultation(world, secretary, scratch, consultationId(i));
      if (!page?.hasDraftForm) continue;
      // The chair's page gives the chair's CSRF token.
      await viewConsultation(world, chair, scratch, page.id);
      owned.push({ id: page.id, secretary, chair, version: page.version });
      break;
    }
  }
  return owned;
}

/** Repeated draft saves, each with the version the last save left. */
function draftLoop(world: World, owned: OwnedConsultation[]) {
  return async (recorder: Recorder, index: number) => {
    const target = owned[index];
    if (!target) return false;
    const reply = await saveDraft(world, target.secretary, recorder, target.id, target.version);
    if (reply?.status === 303) target.version = String(Number(target.version) + 1);
    else return false;
  };
}

/** A real round of the workflow: the secretary sends the draft for approval, the chair sends it back. */
function transitionLoop(world: World, owned: OwnedConsultation[]) {
  return async (recorder: Recorder, index: number) => {
    const target = owned[index];
    if (!target) return false;
    const sent = await sendEvent(world, target.secretary, recorder, target.id, target.version, 'SUBMIT_FOR_APPROVAL');
    if (sent?.status !== 303) return false;
    const back = await sendEvent(world, target.chair, recorder, target.id, String(Number(target.version) + 1), 'REQUEST_CHANGES', {
      comment: 'Ret afsnit to.',
    });
    if (back?.status !== 303) return false;
    target.version = String(Number(target.version) + 2);
  };
}

// ---------- one size ----------

interface SizeResult {
  size: number;
  seedSeconds: number;
  bare: PhaseResult;
  mix: PhaseResult;
  alone: Record<PageType, PhaseResult>;
  rssMiB: number;
  peakRssMiB: number;
}

async function measureSize(server: AppServer, world: World): Promise<Omit<SizeResult, 'seedSeconds'>> {
  const log = (text: string) => process.stderr.write(`web ${world.size}: ${text}\n`);
  log('warm-up');
  await phase(server, WARMUP_SECONDS, mixLoop(world));
  await phase(server, 2, bareLoop(world));
  log('bare route');
  const bareBefore = await phase(server, BARE_SECONDS / 2, bareLoop(world));
  log('mixed workload');
  const mix = await phase(server, MIX_SECONDS, mixLoop(world));
  const rssMiB = rssOf(server.pid);
  log('bare route again');
  const bareAfter = await phase(server, BARE_SECONDS / 2, bareLoop(world));
  const bare = mergePhases(bareBefore, bareAfter);
  const alone = {} as Record<PageType, PhaseResult>;
  for (const type of ['queue', 'consultation', 'overview', 'calendar'] as const) {
    log(`${type} alone`);
    const action: Action = type;
    alone[type] = await phase(
      server,
      PHASE_SECONDS,
      async (recorder) => void (await ACTIONS[action](world, personFor(world, action), recorder)),
      PHASE_MIN_REQUESTS,
    );
  }
  const owned = await claimDraftingConsultations(world);
  log(`draft saves alone (${owned.length} consultations)`);
  alone.draft = await phase(server, PHASE_SECONDS, draftLoop(world, owned), PHASE_MIN_REQUESTS);
  log('transitions alone');
  alone.transition = await phase(server, PHASE_SECONDS, transitionLoop(world, owned), PHASE_MIN_REQUESTS);
  return { size: world.size, bare, mix, alone, rssMiB, peakRssMiB: peakRssOf(server.pid) };
}

/** Two phases of the same load as one (the bare route before and after the mix). */
function mergePhases(a: PhaseResult, b: PhaseResult): PhaseResult {
  const recorder = new Recorder();
  for (const source of [a.recorder, b.recorder]) {
    for (const [type, figures] of source.byType) {
      for (const ms of figures.latencies) recorder.record(type, ms, 'ok');
    }
  }
  const requests = a.recorder.requests + b.recorder.requests;
  const seconds = a.seconds + b.seconds;
  const cpu = a.serverCpuMsPerRequest * a.recorder.requests + b.serverCpuMsPerRequest * b.recorder.requests;
  const pg =
    a.postgresCpuMsPerRequest === undefined || b.postgresCpuMsPerRequest === undefined
      ? undefined
      : a.postgresCpuMsPerRequest * a.recorder.requests + b.postgresCpuMsPerRequest * b.recorder.requests;
  return {
    seconds,
    recorder,
    rps: requests / seconds,
    serverCpuMsPerRequest: cpu / requests,
    postgresCpuMsPerRequest: pg === undefined ? undefined : pg / requests,
    usage: b.usage,
  };
}

// ---------- profile ----------

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }>;
}

/**
 * The functions with the most self time in the CPU profile the server process `pid` left in
 * `dir` (its main thread's: the largest of its files; tsx's loader thread writes one too), as
 * lines with their share of the busy (non-idle) samples.
 */
function topSelfTime(dir: string, pid: number, count = 20): string[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile') && f.includes(`.${pid}.`))
    .map((f) => ({ f, size: statSync(join(dir, f)).size }))
    .sort((a, b) => b.size - a.size);
  const file = files[0]?.f;
  if (!file) return ['(no CPU profile was written)'];
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
  const byFunction = new Map<string, number>();
  let busy = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue;
    busy += hits;
    const where = url
      .replace(/^file:\/\//, '')
      .replace(/^.*node_modules\//, '')
      .replace(`${process.cwd()}/`, '');
    const key = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + hits);
  }
  return [...byFunction]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([key, hits]) => `${((100 * hits) / Math.max(1, busy)).toFixed(1).padStart(5)}%  ${key}`);
}

// ---------- pg_stat_statements, for --profile ----------

/**
 * The benchmark's embedded PostgreSQL restarted with pg_stat_statements loaded (ALTER SYSTEM:
 * the setting is kept in the cluster until the run resets it) and the extension created.
 */
async function withStatementStats(database: BenchDatabase): Promise<BenchDatabase> {
  await database.pool.query(`alter system set shared_preload_libraries = 'pg_stat_statements'`);
  await database.close();
  const restarted = await startBenchDatabase({ poolSize: 2 });
  await restarted.pool.query('create extension if not exists pg_stat_statements');
  return restarted;
}

async function topStatements(db: Db, count = 10): Promise<string[]> {
  const result = await sql<{ calls: number; total_ms: number; mean_ms: number; query: string }>`
    select calls::int, round(total_exec_time)::int as total_ms, round(mean_exec_time::numeric, 2)::float8 as mean_ms,
      regexp_replace(left(query, 160), '\\s+', ' ', 'g') as query
    from pg_stat_statements where query not ilike '%pg_stat_statements%'
    order by total_exec_time desc limit ${count}`.execute(db);
  return result.rows.map(
    (r) => `${String(r.total_ms).padStart(7)} ms ${String(r.calls).padStart(6)}× ${r.mean_ms.toFixed(2).padStart(8)} ms  ${r.query}`,
  );
}

// ---------- the benchmark ----------

/** `--sizes 10k,100k,1m` (or BENCH_SIZES) and `--profile`. */
export function parseOptions(argv: string[]): { sizes: number[]; profile: boolean } {
  const index = argv.indexOf('--sizes');
  const raw = index >= 0 ? argv[index + 1] : process.env.BENCH_SIZES;
  const sizes = raw
    ? raw.split(',').map((part) => {
        const match = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(part.trim());
        if (!match) throw new Error(`--sizes: cannot read "${part}" (e.g. 10k,100k,1m)`);
        return Math.round(Number(match[1]) * ({ k: 1e3, m: 1e6 }[match[2]!.toLowerCase() as 'k' | 'm'] ?? 1));
      })
    : DEFAULT_SIZES;
  return { sizes: [...new Set(sizes)].sort((a, b) => a - b), profile: argv.includes('--profile') };
}

const f0 = (n: number) => Math.round(n).toLocaleString('en-US');
const f1 = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 });
const f2 = (n: number) => n.toFixed(2);
const sizeLabel = (n: number) => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n));

/**
 * Many signed-in people of every role on many pages (queue with varied filters and pages,
 * consultation pages, the staff overview, draft saves and transitions through the forms, calendar
 * feeds) against a bare Express route on the same server, at each size of the consultations table.
 */
export async function run(argv: string[] = []): Promise<BenchResult> {
  const options = parseOptions(argv);
  let database = await startBenchDatabase({ poolSize: 2 });
  const statementStats = options.profile && database.embedded;
  if (statementStats) database = await withStatementStats(database);
  // Seeding runs statements far longer than the app's timeouts allow.
  const seeding = createDatabase(database.url, { max: 1, timeouts: null });
  const profileDir = options.profile ? mkdtempSync(join(tmpdir(), 'raadssvar-web-profile-')) : undefined;
  const results: SizeResult[] = [];
  const profiles: string[] = [];
  try {
    const peopleStarted = performance.now();
    const users = await seedWebPeople(seeding.db);
    const peopleSeconds = (performance.now() - peopleStarted) / 1000;
    let seeded = 0;
    let people: Person[] | undefined;
    let loginSeconds = 0;
    for (const size of options.sizes) {
      const seedStarted = performance.now();
      await addWebConsultations(seeding.db, seeded, size);
      seeded = size;
      await sql`vacuum analyze`.execute(seeding.db);
      const seedSeconds = (performance.now() - seedStarted) / 1000;
      process.stderr.write(`web: ${f0(size)} consultations seeded in ${f1(seedSeconds)} s\n`);
      const server = await startAppServer(database.url, {}, profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []);
      const serverPid = server.pid;
      try {
        // Sessions live in the database, so the people logged in once stay logged in across server restarts.
        if (people && (await send(server.port, 'GET', '/', headersOf(people[0]!))).status !== 200) people = undefined;
        if (!people) {
          const loginStarted = performance.now();
          process.stderr.write(`web: logging in ${users.length} people through the login form\n`);
          people = await logInEveryone(server.port, users);
          loginSeconds = (performance.now() - loginStarted) / 1000;
        }
        const byRole = new Map<BenchRole, Person[]>();
        for (const person of people) byRole.set(person.role, [...(byRole.get(person.role) ?? []), person]);
        if (statementStats) await sql`select pg_stat_statements_reset()`.execute(seeding.db);
        const measured = await measureSize(server, { port: server.port, size, people, byRole });
        results.push({ ...measured, seedSeconds });
        if (statementStats) {
          const top = await topStatements(seeding.db);
          process.stderr.write(`web ${f0(size)}: top statements by total time (pg_stat_statements)\n${top.join('\n')}\n`);
          profiles.push(`Top statements at ${sizeLabel(size)} (pg_stat_statements, the whole measurement): ${top.slice(0, 6).join(' · ')}`);
        }
      } finally {
        await server.stop();
      }
      if (profileDir) {
        const top = topSelfTime(profileDir, serverPid);
        process.stderr.write(`web ${f0(size)}: top self time in the server\n${top.join('\n')}\n`);
        profiles.push(
          `Top self time at ${sizeLabel(size)} (\`--profile\`): ${top
            .slice(0, 10)
            .map((line) => line.trim())
            .join(' · ')}`,
        );
      }
    }
    return report(results, { peopleSeconds, loginSeconds, users: users.length, postgres: database.postgresVersion, profiles });
  } finally {
    agent.destroy();
    // The next run without --profile runs without the extension's overhead.
    if (statementStats) await sql`alter system reset shared_preload_libraries`.execute(seeding.db);
    await seeding.close();
    await database.close();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  }
}

function report(
  results: SizeResult[],
  context: { peopleSeconds: number; loginSeconds: number; users: number; postgres: string; profiles: string[] },
): BenchResult {
  const mixRatio = (r: SizeResult) => r.mix.rps / r.bare.rps;
  const cpuTimes = (r: SizeResult, type: PageType) => r.alone[type].serverCpuMsPerRequest / r.bare.serverCpuMsPerRequest;
  const cpuLimit = (type: PageType) => (type === 'calendar' ? TARGET_CALENDAR_CPU_TIMES_BARE : TARGET_CPU_TIMES_BARE);
  const first = results[0]!;
  const last = results.at(-1)!;
  const scaling = results.length > 1 ? mixRatio(last) / mixRatio(first) : undefined;
  const failures = results.reduce((sum, r) => sum + r.mix.recorder.failed() + PAGE_TYPES.reduce((s, t) => s + r.alone[t].recorder.failed(), 0), 0);
  const pass =
    results.every((r) => mixRatio(r) >= TARGET_MIX_RATIO && PAGE_TYPES.every((t) => cpuTimes(r, t) <= cpuLimit(t))) &&
    (scaling === undefined || scaling >= TARGET_SCALING) &&
    failures === 0;

  const metrics: BenchResult['metrics'] = {
    sizes: results.map((r) => r.size).join(','),
    users: context.users,
    connections: CONNECTIONS,
    mix_seconds: MIX_SECONDS,
    phase_seconds: PHASE_SECONDS,
    people_seed_seconds: Number(context.peopleSeconds.toFixed(1)),
    login_seconds: Number(context.loginSeconds.toFixed(1)),
    scaling_largest_over_smallest: scaling === undefined ? 'n/a' : Number(scaling.toFixed(3)),
    failed_requests: failures,
  };
  for (const r of results) {
    const p = `n${r.size}_`;
    metrics[`${p}seed_seconds`] = Number(r.seedSeconds.toFixed(1));
    metrics[`${p}mix_rps`] = Math.round(r.mix.rps);
    metrics[`${p}bare_rps`] = Math.round(r.bare.rps);
    metrics[`${p}mix_over_bare`] = Number(mixRatio(r).toFixed(4));
    metrics[`${p}bare_cpu_ms`] = Number(r.bare.serverCpuMsPerRequest.toFixed(3));
    metrics[`${p}mix_cpu_ms`] = Number(r.mix.serverCpuMsPerRequest.toFixed(3));
    metrics[`${p}rss_mib`] = r.rssMiB;
    metrics[`${p}peak_rss_mib`] = r.peakRssMiB;
    metrics[`${p}refused_writes`] = r.mix.recorder.refused();
    for (const type of PAGE_TYPES) {
      const inMix = r.mix.recorder.byType.get(type);
      metrics[`${p}${type}_p50_ms`] = Number(percentile(inMix?.latencies ?? [], 50).toFixed(1));
      metrics[`${p}${type}_p99_ms`] = Number(percentile(inMix?.latencies ?? [], 99).toFixed(1));
      metrics[`${p}${type}_share`] = Number(((inMix?.latencies.length ?? 0) / Math.max(1, r.mix.recorder.requests)).toFixed(3));
      metrics[`${p}${type}_cpu_ms`] = Number(r.alone[type].serverCpuMsPerRequest.toFixed(3));
      metrics[`${p}${type}_pg_cpu_ms`] =
        r.alone[type].postgresCpuMsPerRequest === undefined ? 'n/a' : Number(r.alone[type].postgresCpuMsPerRequest.toFixed(3));
      metrics[`${p}${type}_alone_rps`] = Number(r.alone[type].rps.toFixed(1));
    }
  }

  const row = (label: string, cell: (r: SizeResult) => string | number) => [label, ...results.map(cell)];
  const rows: Array<Array<string | number>> = [
    row('seeding (rows added, VACUUM ANALYZE), s', (r) => f1(r.seedSeconds)),
    row('mixed workload, requests/s', (r) => f0(r.mix.rps)),
    row('bare route, requests/s', (r) => f0(r.bare.rps)),
    row(`mix / bare (target ≥ ${TARGET_MIX_RATIO})`, (r) => f2(mixRatio(r))),
    row(
      'bare route: server CPU ms/request · p50 / p99 ms',
      (r) =>
        `${r.bare.serverCpuMsPerRequest.toFixed(3)} · ${f1(percentile(r.bare.recorder.byType.get('bare')?.latencies ?? [], 50))} / ${f1(percentile(r.bare.recorder.byType.get('bare')?.latencies ?? [], 99))}`,
    ),
    row('mix: server CPU ms/request', (r) => f2(r.mix.serverCpuMsPerRequest)),
  ];
  for (const type of PAGE_TYPES) {
    rows.push(
      row(`${type}: share of the mix · p50 / p99 ms in the mix`, (r) => {
        const figures = r.mix.recorder.byType.get(type);
        const share = (100 * (figures?.latencies.length ?? 0)) / Math.max(1, r.mix.recorder.requests);
        return `${share.toFixed(0)}% · ${f1(percentile(figures?.latencies ?? [], 50))} / ${f1(percentile(figures?.latencies ?? [], 99))}`;
      }),
    );
    rows.push(
      row(`${type} alone: server CPU ms/request (× bare, target ≤ ${cpuLimit(type)}×) · PostgreSQL CPU ms/request`, (r) => {
        const alone = r.alone[type];
        const pg = alone.postgresCpuMsPerRequest === undefined ? 'n/a' : f2(alone.postgresCpuMsPerRequest);
        return `${f2(alone.serverCpuMsPerRequest)} (${f0(cpuTimes(r, type))}×) · ${pg}`;
      }),
    );
  }
  rows.push(
    row('server RSS after the mix / peak, MiB', (r) => `${r.rssMiB} / ${r.peakRssMiB}`),
    // The app keeps no cache of pages, sessions or users (issue 15), so there is no hit rate to report.
    row('caches in the app', () => 'none'),
    row(
      'failed requests (mix and phases) · refused writes in the mix',
      (r) => `${r.mix.recorder.failed() + PAGE_TYPES.reduce((s, t) => s + r.alone[t].recorder.failed(), 0)} · ${r.mix.recorder.refused()}`,
    ),
  );
  if (scaling !== undefined) {
    rows.push([
      `mix/bare at ${sizeLabel(last.size)} over mix/bare at ${sizeLabel(first.size)} (target ≥ ${TARGET_SCALING})`,
      ...results.map((r) => (r === last ? f2(scaling) : '')),
    ]);
  }
  const loadAverage = readFileSync('/proc/loadavg', 'utf8').split(' ')[0] ?? '?';
  return {
    description:
      `${context.users} people signed in through the login form (CSRF token, session cookie; ${WEB_SEED.usersPerRole} each of secretaries, chairs, members, ` +
      `municipal staff and administrators, each on ${Object.entries(WEB_SEED.councilsPerUser)
        .map(([role, n]) => `${n} (${role})`)
        .join(', ')} of ${WEB_SEED.councils} councils) ` +
      `use the real app (\`createApp\`, production mode, its own process with the Node flags of \`npm start\`) from ${CONNECTIONS} keep-alive connections of a small ` +
      `\`node:http\` client in the benchmark's process. Each request is made by someone picked by role (secretaries 30%, chairs 20%, members 30%, staff 15%, admins 5%) ` +
      `doing what that role does: the queue with varied filters, searches and next pages (about half), consultation pages they may see (about a third), the staff overview ` +
      `(staff, admins), a write through the page's own form with its CSRF token and version field (secretaries: draft saves and workflow steps; chairs: approve or send back), ` +
      `and their calendar feed (no cookie, the secret address from their profile page). Sizes: ${results.map((r) => f0(r.size)).join(', ')} consultations; the table grows ` +
      `by history (each council's ${WEB_SEED.openPerCouncil} newest are open, older ones final, one every ${WEB_SEED.daysBetween} days back), seeded with INSERT … SELECT ` +
      `from machine-made snapshots (bench/web-seed.ts). Per size: ${WARMUP_SECONDS} s warm-up, the bare route (\`/bench/bare\`, in front of all the app's middleware on the ` +
      `same server) for ${BARE_SECONDS / 2} s before and ${BARE_SECONDS / 2} s after ${MIX_SECONDS} s of the mix (counted together), then each page type alone for ${PHASE_SECONDS} s ` +
      `(at least ${PHASE_MIN_REQUESTS} requests) to measure its CPU per request: the server's from \`process.cpuUsage()\` (asked over IPC), PostgreSQL's from /proc ` +
      `(postmaster and backends). Latencies are those of the mix.`,
    target:
      `per size: mix ≥ ${TARGET_MIX_RATIO} × bare requests/s, every page type's server CPU/request ≤ ${TARGET_CPU_TIMES_BARE} × bare's (calendar ≤ ${TARGET_CALENDAR_CPU_TIMES_BARE}×); ` +
      `mix/bare at the largest size ≥ ${TARGET_SCALING} × mix/bare at the smallest; no failed requests`,
    pass,
    postgres: context.postgres,
    metrics,
    table: { columns: ['', ...results.map((r) => `${sizeLabel(r.size)} consultations`)], rows },
    notes: [
      `Seeding the ${context.users} people, ${WEB_SEED.councils} councils and their meetings took ${f1(context.peopleSeconds)} s; logging everyone in through the form ` +
        `(one scrypt check each, then their profile page for the feed address) ${f1(context.loginSeconds)} s. Sessions stay in the database across the server's restart per size.`,
      `The client shares the machine's ${cpus().length} CPUs with the server and PostgreSQL; the bare route is measured with the same client, so the ratios are fair, ` +
        `but the bare route's absolute rate is bounded by the client too. Load average (1 min) at the end: ${loadAverage}.`,
      `What grows with the table is history, as in years of use: each council keeps ${WEB_SEED.openPerCouncil} open consultations at every size, so a ` +
        `calendar feed or a default queue holds about the same rows at 10k and 1M, while searches, filters on final states, the admin's views and counts ` +
        `meet the whole history. (A table whose open rows grow with it, as in the profile quoted in issue 15, makes feeds and counts grow too.)`,
      `Write phases: each connection owns one drafting consultation; "draft" saves it again and again with the version the last save left, "transition" is the ` +
        `secretary's SUBMIT_FOR_APPROVAL followed by the chair's REQUEST_CHANGES. A refused write in the mix (409 stale version, a step no longer possible) is the app ` +
        `working as it should when two people act on one consultation, and is counted apart from failures.`,
      ...(failureSamples.length > 0 ? [`First failures: ${failureSamples.join(', ')}.`] : []),
      ...context.profiles,
    ],
  };
}
