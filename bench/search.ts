import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { createDatabase, type Db } from '../src/db/database.ts';
import { saveDocumentText } from '../src/db/repositories/document-text.ts';
import { loadActor, type Actor } from '../src/domain/access/actor.ts';
import { extractDocumentText } from '../src/domain/consultations/text-extraction.ts';
import { search } from '../src/domain/search/service.ts';
import { hashPassword } from '../src/domain/auth/passwords.ts';
import { docxWithText, odtWithText, pdfWithText } from '../src/seed/document-files.ts';
import { MACHINE_VERSION } from '../workflows/consultation.machine.ts';
import { explainReads } from './focused.ts';
import { page, paragraph, queryWords, random, sentence, title, TOPICS } from './search-text.ts';
import { percentile, startBenchDatabase, type BenchResult } from './support.ts';
import { templates } from './web-seed.ts';

/**
 * `npm run bench -- search [--sizes 100k,1m] [--documents 100k] [--explain]`: the app's search
 * (src/domain/search/service.ts: the actor's read, access check, compound expansion, ranking,
 * snippets, the bounded count) against the bare full-text query for the same words on the same
 * database, for one-word, two-word and prefix queries, as a secretary of three councils and as a
 * staff user of a whole municipality; the index sizes; the time to extract and index one document.
 *
 * The sizes are seeded one after the other (the larger adds history to the smaller, as years of
 * use do). `--documents` is the number of document texts at the largest size; smaller sizes get
 * the same share (one consultation in size/documents has a document).
 */

const DEFAULT_SIZES = [100_000, 1_000_000];
const DEFAULT_DOCUMENTS = 100_000;
const COUNCILS = 400;
const COUNCILS_PER_MUNICIPALITY = 4;
const OPEN_PER_COUNCIL = 20;
const DAYS_BETWEEN = 3;
/** Concurrent callers in a phase, and the pool they share. */
const CALLERS = 4;
const PHASE_SECONDS = Number(process.env.BENCH_PHASE_SECONDS ?? 8);
const MIN_CALLS = 40;
const MAX_PHASE_SECONDS = 45;
const TARGET_RATIO = 0.5;
const TARGET_GROWTH = 2;
/** Pools of generated text the seed draws from, per topic. */
const PAGES_PER_TOPIC = 60;
const TEXTS_PER_TOPIC = 200;
const DOCUMENT_BATCH = 2_000;
/** Connections that insert documents at once (the machine has two cores). */
const SEED_CONNECTIONS = 2;

type QueryKind = 'one-word' | 'two-word' | 'prefix';
const QUERY_KINDS: QueryKind[] = ['one-word', 'two-word', 'prefix'];

interface Options {
  sizes: number[];
  documents: number;
  explain: boolean;
}

function parseCount(raw: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(raw.trim());
  if (!match) throw new Error(`${flag}: cannot read "${raw}" (e.g. 10k, 100k, 1m)`);
  return Math.round(Number(match[1]) * ({ k: 1e3, m: 1e6 }[match[2]!.toLowerCase() as 'k' | 'm'] ?? 1));
}

/** `--sizes 100k,1m`, `--documents 100k`, `--explain`. */
export function parseOptions(argv: string[]): Options {
  const at = (flag: string) => {
    const index = argv.indexOf(flag);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const rawSizes = at('--sizes');
  const sizes = rawSizes ? rawSizes.split(',').map((s) => parseCount(s, '--sizes')) : DEFAULT_SIZES;
  const rawDocuments = at('--documents');
  const documents = rawDocuments ? parseCount(rawDocuments, '--documents') : DEFAULT_DOCUMENTS;
  const sorted = [...new Set(sizes)].sort((a, b) => a - b);
  if (sorted.some((s) => s < 1000)) throw new Error('--sizes: at least 1000 consultations');
  if (documents < 1 || documents > sorted.at(-1)!) throw new Error('--documents: between 1 and the largest size');
  return { sizes: sorted, documents, explain: argv.includes('--explain') };
}

function fmtCount(n: number): string {
  return n >= 1e6 && n % 1e6 === 0 ? `${n / 1e6}M` : n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : n.toLocaleString('en');
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}

/** The pools of Danish text the seed draws from (titles, summaries, response bodies, document pages), per topic. */
async function seedTextPools(db: Db): Promise<string[][][]> {
  const rnd = random(2026);
  const titles: Array<{ topic: number; n: number; text: string }> = [];
  const summaries: typeof titles = [];
  const bodies: typeof titles = [];
  const pages: typeof titles = [];
  const pagesAsParagraphs: string[][][] = [];
  for (let topic = 0; topic < TOPICS.length; topic++) {
    for (let n = 0; n < TEXTS_PER_TOPIC; n++) {
      titles.push({ topic, n, text: title(topic, rnd) });
      summaries.push({ topic, n, text: `${sentence(topic, rnd)} ${sentence(topic, rnd)}` });
      const paragraphs = 2 + Math.floor(rnd() * 3);
      bodies.push({
        topic,
        n,
        text: `## Rådets svar\n\n${Array.from({ length: paragraphs }, () => paragraph(topic, rnd)).join('\n\n')}\n\nMed venlig hilsen\nRådet`,
      });
    }
    const ofTopic: string[][] = [];
    for (let n = 0; n < PAGES_PER_TOPIC; n++) {
      const p = page(topic, rnd);
      ofTopic.push(p);
      pages.push({ topic, n, text: p.join('\n\n') });
    }
    pagesAsParagraphs.push(ofTopic);
  }
  for (const [table, rows] of [
    ['bench_titles', titles],
    ['bench_summaries', summaries],
    ['bench_bodies', bodies],
    ['bench_pages', pages],
  ] as const) {
    await sql`create table ${sql.table(table)} (topic int, n int, text text not null, primary key (topic, n))`.execute(db);
    await sql`insert into ${sql.table(table)} select * from json_to_recordset(${JSON.stringify(rows)}::json) as t(topic int, n int, text text)`.execute(
      db,
    );
  }
  return pagesAsParagraphs;
}

/** Councils (four to a municipality), one secretary each (the benchmark's secretary sits on the first three) and a staff user of the second municipality. */
async function seedPeople(db: Db): Promise<{ secretaryId: number; staffId: number }> {
  await sql`
    insert into councils (slug, name, municipality, reference_prefix)
    select 'search-' || lpad(g::text, 3, '0'),
      (array['Integrationsrådet', 'Ældrerådet', 'Handicaprådet', 'Udsatterådet'])[(g - 1) % ${COUNCILS_PER_MUNICIPALITY}::int + 1]
        || ' i Søgekommune ' || ((g - 1) / ${COUNCILS_PER_MUNICIPALITY}::int + 1),
      'Søgekommune ' || ((g - 1) / ${COUNCILS_PER_MUNICIPALITY}::int + 1), 'S' || lpad(g::text, 3, '0')
    from generate_series(1, ${COUNCILS}::int) g`.execute(db);
  const hash = await hashPassword('bench-raadssvar');
  await sql`
    insert into users (email, name, password_hash)
    select 'search.secretary.' || lpad(g::text, 3, '0') || '@example.dk', 'Sekretær ' || g, ${hash}
    from generate_series(1, ${COUNCILS}::int) g where g = 1 or g > 3`.execute(db);
  await sql`insert into users (email, name, password_hash) values ('search.staff@example.dk', 'Forvaltning Søgekommune 2', ${hash})`.execute(db);
  // Secretary 1 on councils 1–3, secretary g on council g after that.
  await sql`
    insert into memberships (user_id, council_id, role)
    select u.id, c.id, 'secretary' from councils c
    join users u on u.email = 'search.secretary.' || lpad((case when substr(c.slug, 8)::int <= 3 then 1 else substr(c.slug, 8)::int end)::text, 3, '0') || '@example.dk'
    where c.slug like 'search-%'`.execute(db);
  await sql`
    insert into memberships (user_id, council_id, role)
    select u.id, c.id, 'staff' from councils c, users u
    where u.email = 'search.staff@example.dk' and c.municipality = 'Søgekommune 2'`.execute(db);
  const ids = await sql<{
    email: string;
    id: number;
  }>`select email, id from users where email in ('search.secretary.001@example.dk', 'search.staff@example.dk')`.execute(db);
  const id = (email: string) => ids.rows.find((r) => r.email === email)!.id;
  return { secretaryId: id('search.secretary.001@example.dk'), staffId: id('search.staff@example.dk') };
}

/** Seconds each seeding step took, summed over the sizes so far. */
interface SeedTimes {
  consultations: number;
  consultationEntries: number;
  responses: number;
  documents: number;
}

async function timed(step: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await step();
  return (performance.now() - started) / 1000;
}

/**
 * Adds consultations `from` … `to − 1` (INSERT … SELECT over generate_series), their response
 * versions and, for one in `documentEvery`, a document of 2–20 pages of text.
 *
 * - Consultations are inserted with triggers off (session_replication_role = replica, as
 *   bench/web-seed.ts does: no change notifications for a million rows), then their search entries
 *   are written by calling `search_put` with exactly the arguments the consultation trigger passes.
 * - Response versions and documents are inserted with the triggers on: their search entries (and
 *   search_words) are written by search_response_trigger and search_document_trigger, as in use.
 */
async function addConsultations(db: Db, from: number, to: number, documentEvery: number, times: SeedTimes): Promise<void> {
  const kinds = templates();
  const newRows = sql`
    select g as i, md5('search-consultation-' || g)::uuid as id, c.id as council_id, c.reference_prefix, c.municipality, s.user_id as secretary_id,
      abs(hashint4(g) % ${TOPICS.length}::int) as topic,
      case when g / ${COUNCILS}::int < ${OPEN_PER_COUNCIL}::int then (g / ${COUNCILS}::int) % 6
           when (g * 7) % 25 < 20 then 6 when (g * 7) % 25 < 23 then 7 else 8 end as kind,
      date_trunc('minute', now() + interval '45 days' - make_interval(days => (g / ${COUNCILS}::int) * ${DAYS_BETWEEN}::int)
        + make_interval(mins => ((g::bigint * 7919) % 1440)::int)) as deadline
    from generate_series(${from}::int, ${to - 1}::int) g
    join councils c on c.slug = 'search-' || lpad((g % ${COUNCILS}::int + 1)::text, 3, '0')
    join memberships s on s.council_id = c.id and s.role = 'secretary'`;
  await db.transaction().execute(async (tx) => {
    await sql`set local statement_timeout = 0`.execute(tx);
    await sql`create temp table search_new on commit drop as ${newRows}`.execute(tx);
    await sql`create index on search_new (id)`.execute(tx);
    await sql`analyze search_new`.execute(tx);
    await sql`create temp table search_templates (kind int primary key, state text, snapshot jsonb, events jsonb) on commit drop`.execute(tx);
    await sql`
      insert into search_templates
      select kind, state, snapshot, events from json_to_recordset(${JSON.stringify(kinds)}::json) as t(kind int, state text, snapshot jsonb, events jsonb)`.execute(
      tx,
    );
    const iso = sql`to_jsonb(to_char(n.deadline at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))`;
    times.consultations += await timed(async () => {
      await sql`set local session_replication_role = replica`.execute(tx);
      await sql`
        insert into consultations (id, reference, council_id, assignee_id, title, authority, authority_reference, summary, received_at, deadline,
          state, snapshot, machine_version, created_by, created_at, updated_at)
        select n.id, n.reference_prefix || '-' || n.i,
          case when n.kind = 0 then null else n.council_id end,
          case when n.kind = 0 then null else n.secretary_id end,
          ti.text || ' ' || extract(year from n.deadline)::int || ' nr. ' || n.i,
          'Økonomiudvalget, ' || n.municipality, '26-' || lpad(n.i::text, 7, '0'), su.text,
          (n.deadline - interval '30 days')::date, n.deadline, t.state,
          jsonb_set(jsonb_set(t.snapshot, '{context,deadline}', ${iso}), '{context,council}',
            case when n.kind = 0 then 'null'::jsonb else to_jsonb('search-' || lpad((n.i % ${COUNCILS}::int + 1)::text, 3, '0')) end),
          ${MACHINE_VERSION}::int, n.secretary_id, n.deadline - interval '30 days', n.deadline - interval '30 days'
        from search_new n join search_templates t on t.kind = n.kind
        join bench_titles ti on ti.topic = n.topic and ti.n = (n.i / 7) % ${TEXTS_PER_TOPIC}::int
        join bench_summaries su on su.topic = n.topic and su.n = (n.i / 3) % ${TEXTS_PER_TOPIC}::int`.execute(tx);
      await sql`
        insert into consultation_events (consultation_id, at, actor_id, type, from_state, to_state, payload)
        select n.id, n.deadline - interval '30 days' + make_interval(days => e.ord::int - 1), n.secretary_id,
          e.value->>'type', e.value->>'from_state', e.value->>'to_state', e.value->'payload'
        from search_new n join search_templates t on t.kind = n.kind cross join lateral jsonb_array_elements(t.events) with ordinality as e(value, ord)`.execute(
        tx,
      );
      await sql`set local session_replication_role = origin`.execute(tx);
    });
    // The consultation trigger's own call (search_consultation_trigger), for the rows inserted above.
    times.consultationEntries += await timed(() =>
      sql`
        select count(search_put('consultation', c.id::text, c.id,
          concat_ws(E'\n', c.title, c.authority, c.summary),
          setweight(to_tsvector('danish', search_clean(c.title)), 'A')
          || setweight(to_tsvector('danish', search_clean(c.authority)), 'A')
          || setweight(to_tsvector('simple', search_clean(concat_ws(' ', c.reference, c.authority_reference))), 'A')
          || setweight(to_tsvector('danish', search_clean(c.summary)), 'B')))
        from consultations c join search_new n on n.id = c.id`.execute(tx),
    );
    // Through the trigger: one response version of each consultation with a draft.
    times.responses += await timed(() =>
      sql`
        insert into response_versions (consultation_id, number, body, author_id, created_at)
        select n.id, 1, b.text, n.secretary_id, n.deadline - interval '20 days'
        from search_new n join bench_bodies b on b.topic = n.topic and b.n = (n.i / 11) % ${TEXTS_PER_TOPIC}::int
        where n.kind in (3, 4, 5, 6)`.execute(tx),
    );
  });
  // Documents through the trigger, in batches (each a transaction) on SEED_CONNECTIONS connections.
  // Their words are mostly in search_words already, so the batches seldom wait on each other; a
  // deadlock over a new word retries the batch.
  const hasDocument = sql`abs(hashint4(g + 18) % ${documentEvery}::int) = 0`;
  const batches: Array<[number, number]> = [];
  for (let start = from; start < to; start += DOCUMENT_BATCH * documentEvery)
    batches.push([start, Math.min(to, start + DOCUMENT_BATCH * documentEvery)]);
  const insertBatch = (start: number, end: number) =>
    db.transaction().execute(async (tx) => {
      await sql`set local statement_timeout = 0`.execute(tx);
      await sql`
        insert into consultation_documents (consultation_id, filename, media_type, size, sha256, bytes, text_status, extracted_text, page_count, text_extracted_at)
        select d.id, 'bilag-' || d.i || '.pdf', 'application/pdf', length(d.text), md5(d.text) || md5(d.text), convert_to('%PDF', 'UTF8'),
          'extracted', d.text, d.pages, now()
        from (
          select g as i, md5('search-consultation-' || g)::uuid as id, 2 + ((g::bigint * 31) % 19)::int as pages,
            (select string_agg(p.text, E'\n\n' order by j) from generate_series(1, 2 + ((g::bigint * 31) % 19)::int) j
              join bench_pages p on p.topic = abs(hashint4(g) % ${TOPICS.length}::int)
                and p.n = (abs(hashint4(g) / ${TOPICS.length}::int) * 7 + j * 13) % ${PAGES_PER_TOPIC}::int) as text
          from generate_series(${start}::int, ${end - 1}::int) g
          where ${hasDocument}
        ) d`.execute(tx);
    });
  let nextBatch = 0;
  times.documents += await timed(() =>
    Promise.all(
      Array.from({ length: SEED_CONNECTIONS }, async () => {
        while (nextBatch < batches.length) {
          const [start, end] = batches[nextBatch++]!;
          for (let attempt = 1; ; attempt++) {
            try {
              await insertBatch(start, end);
              break;
            } catch (error) {
              if (attempt >= 5 || (error as { code?: string }).code !== '40P01') throw error;
            }
          }
          process.stderr.write(`  documents up to consultation ${end.toLocaleString('en')}\n`);
        }
      }),
    ),
  );
}

/** What one phase of calls measured. */
interface Phase {
  calls: number;
  seconds: number;
  rate: number;
  p50: number;
  p99: number;
  errors: number;
  /** Mean results returned per call (at most 20). */
  hits: number;
}

/** CALLERS concurrent loops over `words` (each call takes the next) for PHASE_SECONDS and at least MIN_CALLS calls. */
async function runPhase(words: string[], call: (q: string) => Promise<number>): Promise<Phase> {
  const ms: number[] = [];
  let next = 0;
  let errors = 0;
  let hits = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  await Promise.all(
    Array.from({ length: CALLERS }, async () => {
      while ((elapsed() < PHASE_SECONDS || ms.length < MIN_CALLS) && elapsed() < MAX_PHASE_SECONDS) {
        const q = words[next++ % words.length]!;
        const t0 = performance.now();
        try {
          hits += await call(q);
        } catch (error) {
          errors += 1;
          firstError ??= error instanceof Error ? error.message : 'failed';
        }
        ms.push(performance.now() - t0);
      }
    }),
  );
  if (firstError) process.stderr.write(`  ${errors} failed calls, the first: ${firstError}\n`);
  const seconds = elapsed();
  return { calls: ms.length, seconds, rate: ms.length / seconds, p50: percentile(ms, 50), p99: percentile(ms, 99), errors, hits: hits / ms.length };
}

/** The bare full-text query: the same words, no access check, no expansion, no snippet, no count. */
const BARE_SQL = {
  words: `select id from search_entries where tsv @@ plainto_tsquery('danish', $1) order by ts_rank_cd(tsv, plainto_tsquery('danish', $1)) desc limit 20`,
  prefix: `select id from search_entries where tsv @@ to_tsquery('danish', $1) order by ts_rank_cd(tsv, to_tsquery('danish', $1)) desc limit 20`,
};

interface SizeResult {
  size: number;
  documents: number;
  bare: Record<QueryKind, Phase>;
  secretary: Record<QueryKind, Phase>;
  staff: Record<QueryKind, Phase>;
  sizes: Record<string, number>;
  entries: Record<string, number>;
  indexOneMs: number;
}

async function relationSizes(db: Db): Promise<Record<string, number>> {
  const row = await sql<Record<string, string>>`
    select pg_relation_size('search_entries') as entries_table, pg_total_relation_size('search_entries') as entries_total,
      pg_relation_size('search_entries_council_year_tsv_idx') as entries_gin, pg_relation_size('search_entries_scoped_idx') as entries_scoped,
      pg_relation_size('search_entries_council_year_idx') as entries_years, pg_relation_size('search_words') as words_table,
      pg_total_relation_size('search_words') as words_total, pg_relation_size('search_words_trgm_idx') as words_trgm,
      (select count(*) from search_words) as words`.execute(db);
  return Object.fromEntries(Object.entries(row.rows[0]!).map(([k, v]) => [k, Number(v)]));
}

/** ms of saveDocumentText (the extraction job's UPDATE, which indexes the text through the trigger), median of 5 documents. */
async function timeIndexOne(db: Db, text: string, pageCount: number): Promise<number> {
  const ms: number[] = [];
  const consultation = await sql<{ id: string }>`select id from consultations where council_id is not null order by id limit 1`.execute(db);
  for (let i = 0; i < 6; i++) {
    const [doc] = await db
      .insertInto('consultation_documents')
      .values({
        consultation_id: consultation.rows[0]!.id,
        filename: `indeks-${i}.pdf`,
        media_type: 'application/pdf',
        size: 4,
        sha256: '0'.repeat(64),
        bytes: Buffer.from('%PDF'),
      })
      .returning('id')
      .execute();
    const t0 = performance.now();
    await db.transaction().execute((tx) => saveDocumentText(tx, doc!.id, { status: 'extracted', text, pageCount, error: null }, new Date()));
    if (i > 0) ms.push(performance.now() - t0);
  }
  await db.deleteFrom('consultation_documents').where('filename', 'like', 'indeks-%').execute();
  return percentile(ms, 50);
}

/** ms to extract the text of each kind of file, median of 5 runs after one warm-up. */
async function timeExtraction(pool: string[][][]): Promise<Record<string, { ms: number; chars: number }>> {
  const pages = (n: number) => Array.from({ length: n }, (_, i) => pool[i % pool.length]![i % PAGES_PER_TOPIC]!);
  const files: Array<[string, string, Buffer]> = [
    ['PDF, 2 pages', 'application/pdf', await pdfWithText(pages(2))],
    ['PDF, 20 pages', 'application/pdf', await pdfWithText(pages(20))],
    ['DOCX, 10 pages', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', await docxWithText(pages(10).flat())],
    ['ODT, 10 pages', 'application/vnd.oasis.opendocument.text', await odtWithText(pages(10).flat())],
  ];
  const out: Record<string, { ms: number; chars: number }> = {};
  for (const [name, type, bytes] of files) {
    const ms: number[] = [];
    let chars = 0;
    for (let i = 0; i < 6; i++) {
      const t0 = performance.now();
      const result = await extractDocumentText(type, bytes);
      if (result.status !== 'extracted') throw new Error(`${name}: ${result.status} ${result.error ?? ''}`);
      if (i > 0) ms.push(performance.now() - t0);
      chars = result.text!.length;
    }
    out[name] = { ms: percentile(ms, 50), chars };
  }
  return out;
}

/** Runs the search benchmark. */
export async function run(argv: string[] = []): Promise<BenchResult> {
  const options = parseOptions(argv);
  const largest = options.sizes.at(-1)!;
  const documentEvery = Math.max(1, Math.round(largest / options.documents));
  const database = await startBenchDatabase({ poolSize: CALLERS * 2 });
  const seeding = createDatabase(database.url, { max: SEED_CONNECTIONS, timeouts: null });
  // The bare query's own pool, without the app's statement timeout: its full time is the baseline.
  const barePool = createDatabase(database.url, { max: CALLERS, timeouts: null }).pool;
  try {
    const started = performance.now();
    const pool = await seedTextPools(seeding.db);
    const people = await seedPeople(seeding.db);
    const words = queryWords();
    const times: SeedTimes = { consultations: 0, consultationEntries: 0, responses: 0, documents: 0 };
    const results: SizeResult[] = [];
    const indexText = pool[0]!
      .slice(0, 20)
      .map((p) => p.join('\n\n'))
      .join('\n\n');
    let seeded = 0;
    for (const size of options.sizes) {
      process.stderr.write(`seeding ${size.toLocaleString('en')} consultations …\n`);
      await addConsultations(seeding.db, seeded, size, documentEvery, times);
      seeded = size;
      const vacuum = await timed(() => sql`vacuum analyze`.execute(seeding.db));
      process.stderr.write(
        `  seeded: consultations ${times.consultations.toFixed(0)} s, their entries ${times.consultationEntries.toFixed(0)} s, ` +
          `responses ${times.responses.toFixed(0)} s, documents ${times.documents.toFixed(0)} s, vacuum analyze ${vacuum.toFixed(0)} s\n`,
      );
      const actors: Record<'secretary' | 'staff', Actor> = {
        secretary: (await loadActor(database.db, people.secretaryId))!,
        staff: (await loadActor(database.db, people.staffId))!,
      };
      const wordsOf: Record<QueryKind, string[]> = { 'one-word': words.oneWord, 'two-word': words.twoWord, prefix: words.prefix };
      const bare = (kind: QueryKind) => async (q: string) => {
        const text = kind === 'prefix' ? `'${q.replace(/\*$/, '')}':*` : q;
        const result = await barePool.query(kind === 'prefix' ? BARE_SQL.prefix : BARE_SQL.words, [text]);
        return result.rowCount ?? 0;
      };
      const app = (userId: number) => async (q: string) => {
        // The request's own read of who is asking, then the search.
        const actor = await loadActor(database.db, userId);
        const found = await search({ db: database.db }, actor!, { q });
        return found.items.length;
      };
      // Warm-up: caches, JIT, the pool.
      for (const kind of QUERY_KINDS) {
        await Promise.all(wordsOf[kind].slice(0, 12).map((q) => bare(kind)(q)));
        // A call over the app's statement timeout is counted in the phases, not fatal here.
        await Promise.all(wordsOf[kind].slice(0, 12).map((q) => app(people.secretaryId)(q).catch(() => 0)));
      }
      const result = { size, documents: 0 } as SizeResult;
      result.bare = {} as SizeResult['bare'];
      result.secretary = {} as SizeResult['secretary'];
      result.staff = {} as SizeResult['staff'];
      for (const kind of QUERY_KINDS) {
        const before = await runPhase(wordsOf[kind], bare(kind));
        result.secretary[kind] = await runPhase(wordsOf[kind], app(people.secretaryId));
        result.staff[kind] = await runPhase(wordsOf[kind], app(people.staffId));
        const after = await runPhase(wordsOf[kind], bare(kind));
        // The bare query before and after the app's phases, pooled.
        const calls = before.calls + after.calls;
        const seconds = before.seconds + after.seconds;
        result.bare[kind] = {
          calls,
          seconds,
          rate: calls / seconds,
          p50: (before.p50 + after.p50) / 2,
          p99: Math.max(before.p99, after.p99),
          errors: before.errors + after.errors,
          hits: (before.hits * before.calls + after.hits * after.calls) / calls,
        };
        const f = (p: Phase) => `${p.rate.toFixed(1)}/s p50 ${p.p50.toFixed(1)} p99 ${p.p99.toFixed(1)} ms`;
        process.stderr.write(`  ${kind}: bare ${f(result.bare[kind])} · secretary ${f(result.secretary[kind])} · staff ${f(result.staff[kind])}\n`);
      }
      result.sizes = await relationSizes(seeding.db);
      const entries = await sql<{ kind: string; n: string }>`select kind, count(*) as n from search_entries group by kind`.execute(seeding.db);
      result.entries = Object.fromEntries(entries.rows.map((r) => [r.kind, Number(r.n)]));
      result.documents = result.entries.document ?? 0;
      result.indexOneMs = await timeIndexOne(seeding.db, indexText, 20);
      results.push(result);
      if (options.explain) {
        for (const [name, actor] of Object.entries(actors)) {
          for (const q of ['rådet', 'strategi', words.twoWord[0]!, 'strat*']) {
            process.stderr.write(`\n--- ${fmtCount(size)} · ${name} · "${q}"\n`);
            process.stderr.write(`${await explainReads(database.url, (db) => search({ db }, actor, { q }))}\n`);
          }
        }
        const plan = await barePool.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers, costs off) ${BARE_SQL.words}`, ['rådet']);
        process.stderr.write(`\n--- ${fmtCount(size)} · bare · "rådet"\n${plan.rows.map((r) => r['QUERY PLAN']).join('\n')}\n`);
      }
    }
    const extraction = await timeExtraction(pool);
    const totalMinutes = (performance.now() - started) / 60_000;
    return report(options, documentEvery, results, extraction, times, totalMinutes, database.postgresVersion);
  } finally {
    await barePool.end();
    await seeding.close();
    await database.close();
  }
}

function report(
  options: Options,
  documentEvery: number,
  results: SizeResult[],
  extraction: Record<string, { ms: number; chars: number }>,
  times: SeedTimes,
  totalMinutes: number,
  postgres: string,
): BenchResult {
  const first = results[0]!;
  const last = results.at(-1)!;
  const growing = results.length > 1;
  const f1 = (n: number) => n.toFixed(1);
  const ratios: number[] = [];
  const growths: number[] = [];
  const metrics: BenchResult['metrics'] = {
    sizes: results.map((r) => r.size).join(','),
    documents: results.map((r) => r.documents).join(','),
    callers: CALLERS,
    load_average: Number(loadavg()[0]!.toFixed(2)),
    seed_minutes_total: Number(totalMinutes.toFixed(1)),
    seed_consultations_s: Math.round(times.consultations),
    seed_consultation_entries_s: Math.round(times.consultationEntries),
    seed_responses_s: Math.round(times.responses),
    seed_documents_s: Math.round(times.documents),
  };
  const rows: BenchResult['table']['rows'] = [];
  for (const kind of QUERY_KINDS) {
    rows.push([
      `${kind} · bare SQL: p50 / p99 ms · calls/s`,
      ...results.map((r) => `${f1(r.bare[kind].p50)} / ${f1(r.bare[kind].p99)} · ${f1(r.bare[kind].rate)}`),
      ...(growing ? [`${(last.bare[kind].p99 / first.bare[kind].p99).toFixed(2)}×`] : []),
    ]);
    for (const who of ['secretary', 'staff'] as const) {
      const label = who === 'secretary' ? 'secretary of 3 councils' : `staff of a municipality (${COUNCILS_PER_MUNICIPALITY} councils)`;
      rows.push([
        `${kind} · app, ${label}: rate app/bare · p50 / p99 ms`,
        ...results.map((r) => {
          const ratio = r[who][kind].rate / r.bare[kind].rate;
          ratios.push(ratio);
          metrics[`${kind}_${who}_${r.size}_ratio`] = Number(ratio.toFixed(3));
          metrics[`${kind}_${who}_${r.size}_p50_ms`] = Number(r[who][kind].p50.toFixed(2));
          metrics[`${kind}_${who}_${r.size}_p99_ms`] = Number(r[who][kind].p99.toFixed(2));
          metrics[`${kind}_${who}_${r.size}_errors`] = r[who][kind].errors;
          return `${ratio.toFixed(2)} · ${f1(r[who][kind].p50)} / ${f1(r[who][kind].p99)}${r[who][kind].errors > 0 ? ` (${r[who][kind].errors} failed)` : ''}`;
        }),
        ...(growing
          ? [
              (() => {
                const growth = last[who][kind].p99 / first[who][kind].p99;
                growths.push(growth);
                metrics[`${kind}_${who}_p99_growth`] = Number(growth.toFixed(2));
                return `${growth.toFixed(2)}×`;
              })(),
            ]
          : []),
      ]);
    }
    for (const r of results) {
      metrics[`${kind}_bare_${r.size}_p50_ms`] = Number(r.bare[kind].p50.toFixed(2));
      metrics[`${kind}_bare_${r.size}_p99_ms`] = Number(r.bare[kind].p99.toFixed(2));
      metrics[`${kind}_bare_${r.size}_rate`] = Number(r.bare[kind].rate.toFixed(2));
    }
  }
  const pad = growing ? [''] : [];
  rows.push(
    [
      'search entries: consultations / responses / documents',
      ...results.map((r) => `${fmtCount(r.entries.consultation ?? 0)} / ${fmtCount(r.entries.response ?? 0)} / ${fmtCount(r.entries.document ?? 0)}`),
      ...pad,
    ],
    [
      'search_entries: table / with indexes and TOAST',
      ...results.map((r) => `${mib(r.sizes.entries_table!)} / ${mib(r.sizes.entries_total!)}`),
      ...pad,
    ],
    ['search_entries_council_year_tsv_idx (GIN over council, year and tsvector)', ...results.map((r) => mib(r.sizes.entries_gin!)), ...pad],
    ['search_entries_scoped_idx (GIN over council/year/lexeme keys)', ...results.map((r) => mib(r.sizes.entries_scoped!)), ...pad],
    ['search_entries_council_year_idx (btree over council and year)', ...results.map((r) => mib(r.sizes.entries_years!)), ...pad],
    [
      'search_words: words · table / trigram index',
      ...results.map((r) => `${fmtCount(r.sizes.words!)} · ${mib(r.sizes.words_table!)} / ${mib(r.sizes.words_trgm!)}`),
      ...pad,
    ],
    ['index one 20-page text (saveDocumentText: UPDATE through the trigger), ms', ...results.map((r) => f1(r.indexOneMs)), ...pad],
  );
  for (const r of results) {
    for (const [k, v] of Object.entries(r.sizes)) metrics[`${r.size}_${k}`] = v;
    metrics[`${r.size}_index_one_ms`] = Number(r.indexOneMs.toFixed(1));
  }
  for (const [name, e] of Object.entries(extraction)) {
    rows.push([`extract ${name} (${e.chars.toLocaleString('en')} characters), ms`, f1(e.ms), ...results.slice(1).map(() => ''), ...pad]);
    metrics[`extract_${name.replace(/\W+/g, '_').toLowerCase()}_ms`] = Number(e.ms.toFixed(1));
  }
  const ratioOk = ratios.every((r) => r >= TARGET_RATIO);
  const growthOk = growths.every((g) => g <= TARGET_GROWTH);
  const full = options.sizes.join(',') === DEFAULT_SIZES.join(',') && options.documents === DEFAULT_DOCUMENTS;
  return {
    description:
      `The app's search (\`search()\` of src/domain/search/service.ts, called in-process after the request's \`loadActor\`: access by visibleTo, ` +
      `compound expansion through search_words, ranking by ts_rank_cd, ts_headline snippets for the page, the count up to 1,000) against the bare ` +
      `full-text query for the same words on the same database (\`select id from search_entries where tsv @@ plainto_tsquery('danish', $1) ` +
      `order by ts_rank_cd(tsv, …) desc limit 20\`, \`to_tsquery('danish', 'w':*)\` for a prefix; no access check, no expansion, no snippet, no count). ` +
      `${CALLERS} concurrent callers, each call taking the next of 60 words (common words, compounds, topic words and parts of compounds, ` +
      `such as "strategi"; pairs of them; prefixes such as \`strat*\`), for at least ${PHASE_SECONDS} s and ${MIN_CALLS} calls per phase; ` +
      `the bare query runs before and after the app's two phases of each query kind. Seeded with set-based SQL: ${COUNCILS} councils ` +
      `(${COUNCILS_PER_MUNICIPALITY} to a municipality), consultations with a title and a summary, a response version for those with a draft, ` +
      `and for one consultation in ${documentEvery} a document of 2–20 pages (about 2,500 characters a page) of Danish sentences on the ` +
      `consultation's topic.`,
    target: `app rate ≥ ${TARGET_RATIO} × bare for every query kind and user${growing ? `; app p99 growing ≤ ${TARGET_GROWTH}× from ${fmtCount(first.size)} to ${fmtCount(last.size)}` : ''}`,
    pass: ratioOk && growthOk,
    postgres,
    metrics,
    table: {
      columns: [
        '',
        ...results.map((r) => `${fmtCount(r.size)} consultations, ${fmtCount(r.documents)} documents`),
        ...(growing ? [`p99 ${fmtCount(last.size)} / ${fmtCount(first.size)}`] : []),
      ],
      rows,
    },
    notes: [
      full
        ? 'Run at the issue’s sizes: 100k and 1M consultations, 100k documents at 1M.'
        : `Run at reduced size: ${results.map((r) => `${fmtCount(r.size)} consultations with ${fmtCount(r.documents)} documents`).join(', then ')} ` +
          `(the issue asks 100k and 1M consultations with 100k documents at 1M: \`npm run bench -- search\` without options).`,
      `Seeding took ${totalMinutes.toFixed(0)} min in all: consultations ${times.consultations.toFixed(0)} s (triggers off), their search entries ` +
        `${times.consultationEntries.toFixed(0)} s (search_put with the trigger's arguments), response versions through the trigger ` +
        `${times.responses.toFixed(0)} s, documents through the trigger ${times.documents.toFixed(0)} s.`,
      `Load average (1 min) at the end: ${loadavg()[0]!.toFixed(2)}; the machine is shared, so compare the ratios, not the absolute figures.`,
    ],
  };
}
