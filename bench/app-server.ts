import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerUsage } from './server-main.ts';

// The app server as the benchmarks that measure it over HTTP start it (web, downloads).

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));

/**
 * The Node flags `npm start` runs the app with (package.json's start script: the heap limits),
 * so the server measured here keeps its heap as the app does.
 */
function appNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(join(BENCH_DIR, '..', 'package.json'), 'utf8')) as { scripts: { start: string } };
  return pkg.scripts.start.split(/\s+/).filter((token) => /^--max-(old|semi)-space-size=\d+$/.test(token));
}

/** The app server of {@link startAppServer}, running. */
export interface AppServer {
  port: number;
  pid: number;
  /** The server's CPU time, memory and cache counters now (asked over IPC). */
  usage(): Promise<ServerUsage>;
  stop(): Promise<void>;
}

/**
 * The app server (bench/server-main.ts) in a child process with `npm start`'s Node flags (and
 * `nodeFlags`, e.g. `--cpu-prof`), in production mode unless `env` says otherwise; resolves once
 * it listens.
 */
export function startAppServer(databaseUrl: string, env: Record<string, string> = {}, nodeFlags: string[] = []): Promise<AppServer> {
  const child = fork(join(BENCH_DIR, 'server-main.ts'), [], {
    execArgv: [...appNodeFlags(), ...nodeFlags, '--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      SESSION_SECRET: 'bench-secret-bench-secret-bench-secret-0123',
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
      // The benchmark client is the app's TLS-terminating proxy on loopback (BEHIND_TLS_PROXY).
      TRUST_PROXY: 'loopback',
      ...env,
    },
  });
  const usage = () =>
    new Promise<ServerUsage>((resolve) => {
      const listener = (message: { type?: string; usage?: ServerUsage }) => {
        if (message?.type !== 'usage') return;
        child.off('message', listener);
        resolve(message.usage!);
      };
      child.on('message', listener);
      child.send({ type: 'usage' });
    });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
    const listening = (message: { port?: number }) => {
      if (typeof message?.port !== 'number') return;
      child.off('message', listening);
      resolve({
        port: message.port,
        pid: child.pid!,
        usage,
        stop: () =>
          new Promise((done) => {
            child.removeAllListeners('exit');
            child.once('exit', () => done());
            child.disconnect();
            setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
          }),
      });
    };
    child.on('message', listening);
  });
}

function statusMiB(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(new RegExp(`${field}:\\s+(\\d+)\\s+kB`).exec(status)?.[1] ?? Number.NaN);
  return Math.round(kb / 1024);
}

/** Peak resident set size (VmHWM) of a process, in MiB; Linux only. */
export function peakRssOf(pid: number): number {
  return statusMiB(pid, 'VmHWM');
}

/** Resident set size now (VmRSS) of a process, in MiB; Linux only. */
export function rssOf(pid: number): number {
  return statusMiB(pid, 'VmRSS');
}

function cookiesOf(response: Response, jar: Map<string, string>): void {
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const index = pair!.indexOf('=');
    jar.set(pair!.slice(0, index).trim(), pair!.slice(index + 1).trim());
  }
}

/**
 * Logs in through the login form like a browser; returns the session cookie header. `headers` go
 * with both requests (e.g. the X-Forwarded-For of the user's own machine).
 */
export async function logIn(baseUrl: string, email: string, password: string, headers: Record<string, string> = {}): Promise<string> {
  const jar = new Map<string, string>();
  const header = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const page = await fetch(`${baseUrl}/login`, { headers: { ...BEHIND_TLS_PROXY, ...headers } });
  cookiesOf(page, jar);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
  if (!csrf) throw new Error('no CSRF token on the login page');
  const login = await fetch(`${baseUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: header(), ...BEHIND_TLS_PROXY, ...headers },
    body: new URLSearchParams({ _csrf: csrf, email, password, next: '/' }).toString(),
  });
  cookiesOf(login, jar);
  if (login.status !== 303) throw new Error(`login failed with ${login.status}`);
  return header();
}

/**
 * In production the session cookie is Secure, so the app sets it only on HTTPS. The benchmark
 * talks plain HTTP on loopback, like a TLS-terminating proxy in front of the app would (the bench
 * server is started with TRUST_PROXY=loopback), and says so with this header.
 */
export const BEHIND_TLS_PROXY = { 'x-forwarded-proto': 'https' };
