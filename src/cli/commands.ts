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
