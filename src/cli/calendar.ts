import { loadConfigOrExit } from '../boot.ts';
import { calendarFeedUrlForEmail } from '../domain/calendar/service.ts';
import { AppError } from '../domain/errors.ts';
import { systemClock } from '../domain/time.ts';
import type { CliCommand } from './commands.ts';

/** `calendar url --email E [--council SLUG]`: the user's secret feed address, as {"url": "..."}. */
export const calendarUrlCommand: CliCommand = {
  name: 'calendar url',
  usage: 'calendar url --email E [--council SLUG]',
  async run(db, options) {
    if (typeof options.email !== 'string') {
      throw new AppError('VALIDATION_FAILED', '--email mangler', { details: [{ path: 'email', message: 'Skal udfyldes' }] });
    }
    const council = typeof options.council === 'string' ? options.council : undefined;
    // The feed token is derived with the server's secret, so the CLI reads the same configuration.
    const config = loadConfigOrExit();
    return { url: await calendarFeedUrlForEmail({ db, clock: systemClock, config }, options.email, council) };
  },
};
