import { parseArgs } from 'node:util';
import { bootDatabase, loadConfigOrExit } from '../boot.ts';
import type { Db } from '../db/database.ts';
import { AppError } from '../domain/errors.ts';
import { createCouncil } from '../domain/councils/service.ts';
import { createApiToken } from '../domain/tokens/service.ts';
import { addMember, createUser } from '../domain/users/service.ts';
import { cliCommands, type CliCommand } from './commands.ts';

const USAGE = `Brug: npm run --silent cli -- <kommando> [tilvalg]
  council create --slug SLUG --name NAVN [--municipality KOMMUNE] [--prefix NAE]
  user create --email E --name NAVN --password P [--admin]
  member add --email E --council SLUG --role secretary|chair|member|staff [--title formand]
  token create --email E [--name NAVN]
${cliCommands.map((c) => `  ${c.usage}`).join('\n')}`;

type Options = Record<string, string | boolean | undefined>;
type Handler = (db: Db, options: Options) => Promise<unknown>;

const str = (value: string | boolean | undefined) => (typeof value === 'string' ? value : undefined);

const builtIn: Record<string, Handler> = {
  'council create': (db, o) =>
    createCouncil(db, {
      slug: str(o.slug) ?? '',
      name: str(o.name) ?? '',
      municipality: str(o.municipality),
      referencePrefix: str(o.prefix),
    }),
  'user create': (db, o) =>
    createUser(db, { email: str(o.email) ?? '', name: str(o.name) ?? '', password: str(o.password) ?? '', isAdmin: o.admin === true }),
  'member add': (db, o) =>
    addMember(db, { email: str(o.email) ?? '', council: str(o.council) ?? '', role: (str(o.role) ?? '') as 'member', title: str(o.title) }),
  'token create': (db, o) => createApiToken(db, { email: str(o.email) ?? '', name: str(o.name) }),
};

function fail(error: AppError | Error, exitCode: number): never {
  const body =
    error instanceof AppError
      ? { error: { code: error.code, message: error.message, details: error.details } }
      : { error: { code: 'USAGE', message: error.message } };
  process.stderr.write(`${JSON.stringify(body)}\n`);
  process.exit(exitCode);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const key = argv.slice(0, 2).join(' ');
  const extra: CliCommand | undefined = cliCommands.find((c) => c.name === key);
  const handler: Handler | undefined = builtIn[key] ?? extra?.run;
  if (!handler) fail(new Error(`Ukendt kommando "${key}".\n${USAGE}`), 2);
  let options: Options;
  try {
    options = parseArgs({
      args: argv.slice(2),
      options: {
        slug: { type: 'string' },
        name: { type: 'string' },
        municipality: { type: 'string' },
        prefix: { type: 'string' },
        email: { type: 'string' },
        password: { type: 'string' },
        admin: { type: 'boolean' },
        council: { type: 'string' },
        role: { type: 'string' },
        title: { type: 'string' },
        anchor: { type: 'string' },
      },
      strict: true,
    }).values;
  } catch (error) {
    fail(new Error(`${(error as Error).message}\n${USAGE}`), 2);
  }
  const config = loadConfigOrExit();
  const database = await bootDatabase(config, { poolSize: 2 });
  try {
    const result = await handler(database.db, options);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } catch (error) {
    await database.shutdown();
    if (error instanceof AppError) fail(error, 1);
    throw error;
  }
  await database.shutdown();
}

main().catch((error) => {
  process.stderr.write(`${JSON.stringify({ error: { code: 'INTERNAL', message: String((error as Error)?.message ?? error) } })}\n`);
  process.exit(1);
});
