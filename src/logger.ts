import { pino, type Logger } from 'pino';

/** The app's structured logger (JSON lines on stdout). */
export function createLogger(level: string): Logger {
  return pino({ level, base: { app: 'raadssvar' }, redact: ['req.headers.cookie', 'req.headers.authorization'] });
}
export type { Logger };
