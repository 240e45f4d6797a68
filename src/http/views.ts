import { engine } from 'express-handlebars';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Express } from 'express';
import { formatDanishDate, formatDanishDateTime } from '../domain/time.ts';
import { deadlineText, EVENT_LABELS, STATE_LABELS, VOTE_LABELS, WRITTEN_PROCEDURE_STATUS_LABELS } from './presenters/labels.ts';
import { ROLE_LABELS, seatText } from '../domain/users/service.ts';
import type { DeadlineStatus } from '../domain/deadlines/status.ts';

export const viewsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'views');

/** Helpers the templates may call; all escape their output through Handlebars. */
const helpers = {
  eq: (a: unknown, b: unknown) => a === b,
  or: (...values: unknown[]) => values.slice(0, -1).some(Boolean),
  includes: (list: unknown, value: unknown) => Array.isArray(list) && list.includes(value),
  danishDate: (value: Date | string | null | undefined) => (value ? formatDanishDate(value) : ''),
  danishDateTime: (value: Date | null | undefined) => (value ? formatDanishDateTime(value) : ''),
  isoDateTime: (value: Date | null | undefined) => (value ? value.toISOString() : ''),
  stateLabel: (state: string) => STATE_LABELS[state] ?? state,
  eventLabel: (type: string) => EVENT_LABELS[type] ?? type,
  voteLabel: (vote: string) => VOTE_LABELS[vote] ?? vote,
  procedureStatusLabel: (status: string) => WRITTEN_PROCEDURE_STATUS_LABELS[status] ?? status,
  roleLabel: (role: keyof typeof ROLE_LABELS) => ROLE_LABELS[role] ?? role,
  seatText: (role: string, title: string | null | undefined) => seatText(role, title),
  deadlineText: (status: DeadlineStatus, daysLeft: number, workingDaysLeft: number | null) => deadlineText(status, daysLeft, workingDaysLeft),
  fieldError: (errors: Record<string, string> | undefined, field: string) => errors?.[field],
  year: () => new Date().getFullYear(),
};

/** Handlebars with layouts and partials from views/. */
export function configureViews(app: Express): void {
  const renderView = engine({
    extname: '.hbs',
    defaultLayout: 'main',
    layoutsDir: path.join(viewsDir, 'layouts'),
    partialsDir: path.join(viewsDir, 'partials'),
    helpers,
    // A partial on an indented line would otherwise get that indent after every newline of its
    // output, also inside a typed value ("\n" came back as "\n    " in an input it refilled).
    compilerOptions: { preventIndent: true },
  });
  // Given a callback, express-handlebars hands every error to it, so its promise never rejects.
  app.engine('hbs', (viewPath, options, callback) => void renderView(viewPath, options, callback));
  app.set('view engine', 'hbs');
  app.set('views', viewsDir);
}
