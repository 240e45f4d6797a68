import { generate } from 'otplib';

/*
 * The tests' authenticator app: the TOTP secret of each administrator enrolled through the pages
 * in this process, and codes from it. Rådssvar takes each 30-second step once, so each code is
 * for a step after the last one used, at most one step ahead of now (the server's tolerance);
 * when three logins of one administrator fall in one step, the next waits for the clock.
 */

const STEP_SECONDS = 30;
const secrets = new Map<string, string>();
const lastStep = new Map<string, number>();

/** Remembers an administrator's secret, as the enrolment page shows it (groups of four). */
export function rememberSecret(email: string, shownSecret: string): void {
  secrets.set(email.toLowerCase(), shownSecret.replace(/\s+/g, ''));
  lastStep.delete(email.toLowerCase());
}

/** The secret the page showed at enrolment, or undefined for an administrator not enrolled here. */
export function secretOf(email: string): string | undefined {
  return secrets.get(email.toLowerCase());
}

/** The secret shown on an enrolment page, or undefined when the page is none. */
export function secretOnPage(html: string): string | undefined {
  return /<code class="totp-secret">([^<]+)<\/code>/.exec(html)?.[1];
}

/** A code for the next unused step of this secret (a step at most one ahead of now). */
export async function nextCode(email: string, secret = secretOf(email)): Promise<string> {
  if (!secret) throw new Error(`no second factor enrolled for ${email} in this test process`);
  const key = email.toLowerCase();
  for (;;) {
    const now = Math.floor(Date.now() / 1000 / STEP_SECONDS);
    const step = Math.max(now, (lastStep.get(key) ?? -1) + 1);
    if (step <= now + 1) {
      lastStep.set(key, step);
      return generate({ secret, epoch: step * STEP_SECONDS + 1 });
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
