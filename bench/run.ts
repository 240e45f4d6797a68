import { consoleTable, writeResult, type BenchResult } from './support.ts';

/** A benchmark module: `bench/<name>.ts` exporting `run()`. */
export interface BenchModule {
  /** `argv`: what followed the name on the command line (e.g. `--sizes 10k,100k`). */
  run(argv: string[]): Promise<BenchResult>;
}

/** Every benchmark by name, loaded only when it runs. */
export const BENCHMARKS: Record<string, () => Promise<BenchModule>> = {
  transitions: () => import('./transitions.ts'),
  pdf: () => import('./pdf.ts'),
  web: () => import('./web.ts'),
  downloads: () => import('./downloads.ts'),
  feed: () => import('./feed.ts'),
  overview: () => import('./overview.ts'),
  search: () => import('./search.ts'),
};

/**
 * `tsx bench/run.ts <name>`: runs one benchmark, prints its table, writes its result
 * (bench/results/<name>.json and its section of BENCHMARKS.md). Exit 0 when the target is met,
 * 1 when it is missed or the benchmark fails, 2 for an unknown or missing name.
 */
export async function main(argv: string[]): Promise<number> {
  const name = argv[0];
  const load = name !== undefined && Object.hasOwn(BENCHMARKS, name) ? BENCHMARKS[name] : undefined;
  if (!name || !load) {
    process.stderr.write(
      `${name ? `Unknown benchmark: ${name}\n` : ''}Usage: npm run bench -- <name> [options]\nBenchmarks: ${Object.keys(BENCHMARKS).join(', ')}\n`,
    );
    return 2;
  }
  const module = await load();
  const result = await module.run(argv.slice(1));
  const written = await writeResult(name, result);
  process.stdout.write(`\n${consoleTable(result.table)}\n\n`);
  process.stdout.write(`target: ${result.target} — ${result.pass ? 'met' : 'MISSED'}\n`);
  process.stdout.write(`written: bench/results/${name}.json, BENCHMARKS.md (${written.date})\n`);
  return result.pass ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
