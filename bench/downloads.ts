import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { insertDocument } from '../src/db/repositories/consultation-extras.ts';
import { seedScale, SCALE_SECRETARY } from '../src/seed/scale.ts';
import { BEHIND_TLS_PROXY, logIn, peakRssOf, rssOf, startAppServer } from './app-server.ts';
import { startBenchDatabase, type BenchResult } from './support.ts';

const MIB = 1024 * 1024;
const DOCUMENT_BYTES = Number(process.env.BENCH_DOCUMENT_MIB ?? 25) * MIB;
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 30);
const TARGET_PEAK_RSS_MIB = 300;
/** Peak RSS during the downloads over idle RSS before them, same process, same run. */
const TARGET_PEAK_OVER_IDLE = 1.25;

/** A PDF header and then incompressible bytes, as a scanned consultation letter is. */
function documentBytes(size: number): Buffer {
  const head = Buffer.from('%PDF-1.7\n%âãÏÓ\n', 'latin1');
  return Buffer.concat([head, randomBytes(size - head.length)]);
}

/** Downloads `url` to the end, hashing as it reads; what arrived. */
async function download(url: string, cookie: string): Promise<{ status: number; bytes: number; sha256: string }> {
  const response = await fetch(url, { headers: { cookie, ...BEHIND_TLS_PROXY } });
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of Readable.fromWeb(response.body! as import('node:stream/web').ReadableStream<Uint8Array>)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { status: response.status, bytes, sha256: hash.digest('hex') };
}

const f1 = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 });

/**
 * CLIENTS concurrent downloads of one 25 MB document from the app server (its own process, the
 * flags of `npm start`), with the server's resident memory before them (idle, after one warm-up
 * download) and its peak during them, read from /proc in the same run.
 */
export async function run(): Promise<BenchResult> {
  const database = await startBenchDatabase({ poolSize: 4 });
  try {
    await seedScale(database.db, 30, 3);
    const consultation = await database.db
      .selectFrom('consultations')
      .select('id')
      .where('council_id', 'is not', null)
      .orderBy('created_at')
      .executeTakeFirstOrThrow();
    const bytes = documentBytes(DOCUMENT_BYTES);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const { id: documentId } = await insertDocument(database.db, {
      consultationId: consultation.id,
      filename: 'stort-bilag.pdf',
      mediaType: 'application/pdf',
      size: bytes.length,
      sha256,
      bytes,
      uploadedBy: null,
    });
    const storage = await sql<{ compression: string | null; storage: string }>`
      select pg_column_compression(d.bytes) as compression, a.attstorage as storage
      from consultation_documents d, pg_attribute a
      where d.id = ${documentId} and a.attrelid = 'consultation_documents'::regclass and a.attname = 'bytes'`.execute(database.db);

    const server = await startAppServer(database.url);
    try {
      const baseUrl = `http://127.0.0.1:${server.port}`;
      const url = `${baseUrl}/consultations/${consultation.id}/documents/${documentId}`;
      const cookie = await logIn(baseUrl, SCALE_SECRETARY.email, SCALE_SECRETARY.password);
      const warmUp = await download(url, cookie);
      if (warmUp.status !== 200 || warmUp.sha256 !== sha256) throw new Error(`warm-up download failed: ${JSON.stringify(warmUp)}`);
      const idleRssMiB = rssOf(server.pid);
      // Resets the peak (VmHWM) to the present size, so the peak read afterwards is that of the downloads.
      writeFileSync(`/proc/${server.pid}/clear_refs`, '5');

      const started = performance.now();
      const results = await Promise.all(Array.from({ length: CLIENTS }, () => download(url, cookie)));
      const seconds = (performance.now() - started) / 1000;
      const peakRssMiB = peakRssOf(server.pid);
      const complete = results.filter((r) => r.status === 200 && r.bytes === DOCUMENT_BYTES && r.sha256 === sha256).length;
      const loadAverage = readFileSync('/proc/loadavg', 'utf8').split(' ')[0] ?? '?';
      const peakOverIdle = peakRssMiB / idleRssMiB;
      const pass = complete === CLIENTS && peakOverIdle <= TARGET_PEAK_OVER_IDLE && peakRssMiB <= TARGET_PEAK_RSS_MIB;
      const mibPerSecond = (CLIENTS * DOCUMENT_BYTES) / MIB / seconds;
      return {
        description:
          `${CLIENTS} concurrent downloads (GET /consultations/{id}/documents/{docId}, logged in) of one ${DOCUMENT_BYTES / MIB} MiB document of incompressible bytes, ` +
          'from the app server in its own process with the Node flags of `npm start`, over the embedded PostgreSQL (or DATABASE_URL). ' +
          "The document is streamed a 256 KiB slice per query. The server's resident memory is read from /proc: idle after logging in and one warm-up download, " +
          'and its peak during the concurrent downloads (VmHWM, reset just before them). Every download is checked by length and SHA-256.',
        target: `all ${CLIENTS} complete and byte-equal, server peak RSS / idle RSS <= ${TARGET_PEAK_OVER_IDLE}, peak <= ${TARGET_PEAK_RSS_MIB} MiB`,
        pass,
        postgres: database.postgresVersion,
        metrics: {
          clients: CLIENTS,
          document_bytes: DOCUMENT_BYTES,
          complete,
          idle_rss_mib: idleRssMiB,
          peak_rss_mib: peakRssMiB,
          growth_mib: peakRssMiB - idleRssMiB,
          peak_over_idle: Number(peakOverIdle.toFixed(3)),
          seconds: Number(seconds.toFixed(2)),
          mib_per_second: Number(mibPerSecond.toFixed(1)),
          column_storage: storage.rows[0]?.storage ?? '?',
          value_compression: storage.rows[0]?.compression ?? 'none',
          load_average: loadAverage,
        },
        table: {
          columns: ['measure', 'value'],
          rows: [
            ['downloads complete and byte-equal', `${complete} of ${CLIENTS}`],
            ['server RSS idle (after warm-up), MiB', idleRssMiB],
            [`server peak RSS during the downloads, MiB (target ≤ ${TARGET_PEAK_RSS_MIB})`, peakRssMiB],
            ['growth, MiB', peakRssMiB - idleRssMiB],
            [`peak / idle (target ≤ ${TARGET_PEAK_OVER_IDLE})`, peakOverIdle.toFixed(2)],
            ['wall time, s', f1(seconds)],
            ['throughput, MiB/s', f1(mibPerSecond)],
          ],
        },
        notes: [
          `Column storage \`${storage.rows[0]?.storage ?? '?'}\` (e = EXTERNAL), value compression: ${storage.rows[0]?.compression ?? 'none'}; load average at the end ${loadAverage}.`,
        ],
      };
    } finally {
      await server.stop();
    }
  } finally {
    await database.close();
  }
}
