import { pino, type DestinationStream, type Logger } from 'pino';

/** The app's structured logger: JSON lines on stdout, or on `destination` (the tests read them). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, base: { app: 'raadssvar' }, redact: ['req.headers.cookie', 'req.headers.authorization'] };
  return destination ? pino(options, destination) : pino(options);
}
export type { Logger };
