import { execFile } from 'node:child_process';
import { testDatabaseUrl, testOwnerDatabaseUrl } from './db.ts';

/** What one run of the admin CLI printed and how it ended. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the admin CLI as a user runs it, in its own process, against the test database; `stdin`,
 * when given, is written to its standard input, which is then closed.
 */
export function runCli(args: string[], env: Record<string, string> = {}, stdin?: string): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', ...args],
      { env: { ...process.env, DATABASE_URL: testDatabaseUrl(), DATABASE_OWNER_URL: testOwnerDatabaseUrl(), LOG_LEVEL: 'silent', ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
    if (stdin !== undefined) child.stdin?.end(stdin);
  });
}
