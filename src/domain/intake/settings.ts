import { z } from 'zod';
import type { Db } from '../../db/database.ts';
import { findCouncilById } from '../../db/repositories/councils.ts';
import {
  deleteFeedWatch,
  deleteIntakeMailbox,
  findFeedWatch,
  findIntakeMailbox,
  listFailedMails,
  upsertFeedWatch,
  upsertIntakeMailbox,
} from '../../db/repositories/intake.ts';
import { assertAdmin } from '../access/admin.ts';
import type { Actor } from '../access/actor.ts';
import { AppError, notFound } from '../errors.ts';
import type { Clock } from '../time.ts';
import { sealSecret } from '../tokens/secret-box.ts';
import { parseInput, requiredText } from '../validation.ts';
import { MAILBOX_PASSWORD_PURPOSE, mailboxSettingsOf } from './mail-intake.ts';
import { MailboxConnectionError, type MailboxConnector } from './mailbox.ts';

/*
 * What an admin sets for a council's intake: its mailbox (the password sealed, never shown
 * again: the form leaves it empty, and empty keeps it) and its watch of Høringsportalen's feed.
 */

export interface IntakeSettingsDeps {
  db: Db;
  clock: Clock;
  config: { sessionSecret: string };
  mailboxes: MailboxConnector;
}

const checkbox = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((value) => (Array.isArray(value) ? value.at(-1) : value))
  .transform((value) => value === '1' || value === 'on' || value === 'true');

const hostname = z
  .string({ error: 'Angiv serverens navn' })
  .trim()
  .min(1, 'Angiv serverens navn')
  .max(253)
  .regex(/^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$|^\[?[0-9a-fA-F:.]+\]?$/, 'Serverens navn må kun indeholde bogstaver, tal, punktum og bindestreg');

const folderName = (message: string) =>
  z
    .string()
    .trim()
    .min(1, message)
    .max(200)
    .refine((v) => ![...v].some((c) => c.charCodeAt(0) < 0x20 || c === '*' || c === '%'), 'Mappenavnet indeholder et ugyldigt tegn');

const mailboxSchema = z.object({
  host: hostname,
  port: z.coerce
    .number({ error: 'Porten skal være et tal' })
    .int('Porten skal være et helt tal')
    .min(1, 'Porten skal ligge mellem 1 og 65535')
    .max(65535, 'Porten skal ligge mellem 1 og 65535'),
  tls: checkbox,
  username: requiredText(254, 'Angiv brugernavnet'),
  password: z.string().max(1000).optional().default(''),
  folder: folderName('Angiv mappen der skal læses').default('INBOX'),
  afterProcessing: z.enum(['move', 'flag'], { error: 'Vælg hvad der sker med en læst mail' }),
  processedFolder: folderName('Angiv mappen læste mails flyttes til').default('Behandlet'),
  enabled: checkbox,
});

/** A list field: one entry per line or comma, blanks dropped. */
const listField = z
  .string()
  .max(5000)
  .optional()
  .default('')
  .transform((v) =>
    v
      .split(/[\n,]/)
      .map((entry) => entry.trim())
      .filter(Boolean)
      .slice(0, 50),
  );

const feedWatchSchema = z.object({
  url: z
    .string({ error: 'Angiv feedets adresse' })
    .trim()
    .min(1, 'Angiv feedets adresse')
    .max(2000)
    .pipe(z.url({ protocol: /^https?$/, error: 'Adressen skal begynde med https:// eller http://' })),
  keywords: listField,
  authorities: listField,
  enabled: checkbox,
});

/** The intake settings of a council as the admin page shows them: never the password. */
export async function intakeSettings(deps: IntakeSettingsDeps, actor: Actor, councilId: number) {
  assertAdmin(actor);
  const council = await findCouncilById(deps.db, councilId);
  if (!council) throw notFound('Rådet findes ikke');
  const mailbox = await findIntakeMailbox(deps.db, councilId);
  const watch = await findFeedWatch(deps.db, councilId);
  return {
    council: { id: council.id, name: council.name, slug: council.slug },
    mailbox: mailbox && {
      host: mailbox.host,
      port: mailbox.port,
      tls: mailbox.tls,
      username: mailbox.username,
      hasPassword: mailbox.password_sealed !== '',
      folder: mailbox.folder,
      afterProcessing: mailbox.after_processing,
      processedFolder: mailbox.processed_folder,
      enabled: mailbox.enabled,
      lastPolledAt: mailbox.last_polled_at,
      lastError: mailbox.last_error,
    },
    feedWatch: watch && {
      url: watch.url,
      keywords: watch.keywords,
      authorities: watch.authorities,
      enabled: watch.enabled,
      lastPolledAt: watch.last_polled_at,
      lastError: watch.last_error,
    },
    failedMails: await listFailedMails(deps.db, [councilId]),
  };
}

/** Stores a council's mailbox; the password is required the first time, and an empty one keeps the stored password. */
export async function saveIntakeMailbox(deps: IntakeSettingsDeps, actor: Actor, councilId: number, input: unknown): Promise<void> {
  assertAdmin(actor);
  const values = parseInput(mailboxSchema, input);
  if (!(await findCouncilById(deps.db, councilId))) throw notFound('Rådet findes ikke');
  const existing = await findIntakeMailbox(deps.db, councilId);
  if (!values.password && !existing?.password_sealed) {
    throw new AppError('VALIDATION_FAILED', 'Angiv adgangskoden', {
      details: [{ path: 'password', message: 'Angiv adgangskoden (eller en app-adgangskode)' }],
    });
  }
  const { password, ...settings } = values;
  await upsertIntakeMailbox(
    deps.db,
    councilId,
    { ...settings, ...(password ? { passwordSealed: sealSecret(deps.config.sessionSecret, MAILBOX_PASSWORD_PURPOSE, password) } : {}) },
    deps.clock(),
  );
}

/** Removes a council's mailbox. */
export async function removeIntakeMailbox(deps: IntakeSettingsDeps, actor: Actor, councilId: number): Promise<void> {
  assertAdmin(actor);
  await deleteIntakeMailbox(deps.db, councilId);
}

/** "Test forbindelsen": logs in with the stored settings and opens the folder; what happened, in words for the admin. */
export async function testIntakeMailbox(deps: IntakeSettingsDeps, actor: Actor, councilId: number): Promise<{ ok: boolean; message: string }> {
  assertAdmin(actor);
  const row = await findIntakeMailbox(deps.db, councilId);
  if (!row) throw new AppError('VALIDATION_FAILED', 'Gem postkassens indstillinger først', { details: [] });
  const settings = mailboxSettingsOf(deps.config.sessionSecret, row);
  if (!settings) return { ok: false, message: 'Adgangskoden kan ikke læses (SESSION_SECRET er skiftet): skriv den igen' };
  try {
    const session = await deps.mailboxes.open(settings);
    await session.close();
    return { ok: true, message: `Forbindelsen virker: Rådssvar kunne logge ind og åbne mappen „${settings.folder}“.` };
  } catch (error) {
    if (error instanceof MailboxConnectionError) return { ok: false, message: error.message };
    return { ok: false, message: 'Forbindelsen mislykkedes af en ukendt grund' };
  }
}

/** Stores a council's watch of Høringsportalen's feed. */
export async function saveFeedWatch(deps: IntakeSettingsDeps, actor: Actor, councilId: number, input: unknown): Promise<void> {
  assertAdmin(actor);
  const values = parseInput(feedWatchSchema, input);
  if (!(await findCouncilById(deps.db, councilId))) throw notFound('Rådet findes ikke');
  await upsertFeedWatch(deps.db, councilId, values, deps.clock());
}

/** Removes a council's feed watch. */
export async function removeFeedWatch(deps: IntakeSettingsDeps, actor: Actor, councilId: number): Promise<void> {
  assertAdmin(actor);
  await deleteFeedWatch(deps.db, councilId);
}
