import { z } from 'zod';
import type { Db, Executor } from '../../db/database.ts';
import { findCouncilByReferencePrefix, findCouncilBySlug, insertCouncil } from '../../db/repositories/councils.ts';
import { AppError } from '../errors.ts';
import { meetingStartOrIssue, optionalEmailSchema, optionalText, parseInput, requiredText } from '../validation.ts';

/** The prefix of a council's own references (NAE in NAE-2026-0017). */
const referencePrefixSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-ZÆØÅ0-9]{2,8}$/, 'Præfikset skal være 2-8 store bogstaver eller tal');

export const newCouncilSchema = z.object({
  slug: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'Kortnavnet må kun have små bogstaver a-z, tal og bindestreg (2-63 tegn)'),
  name: requiredText(200),
  municipality: optionalText(200),
  referencePrefix: referencePrefixSchema.optional(),
  letterheadAddress: optionalText(500),
  letterheadContact: optionalText(500),
  letterheadEmail: optionalEmailSchema,
});

/** "naestved" → "NAE", the default prefix of a council's own references (NAE-2026-0017). */
export function defaultReferencePrefix(slug: string): string {
  const letters = slug.replace(/[^a-z0-9]/g, '').toUpperCase();
  return (letters.slice(0, 3) || 'RAD').padEnd(2, 'X');
}

/**
 * `base` when no council uses it, else the first free of base2, base3, ... (references must
 * never collide between councils: NAE-2026-0001 belongs to one council only).
 */
async function freeReferencePrefix(db: Executor, base: string): Promise<string> {
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? base : `${base.slice(0, 8 - String(n).length)}${n}`;
    if (!(await findCouncilByReferencePrefix(db, candidate))) return candidate;
  }
}

/** Creates a council. Fails with CONFLICT when the slug is taken. */
export async function createCouncil(db: Executor, input: z.input<typeof newCouncilSchema>) {
  const values = parseInput(newCouncilSchema, input);
  if (values.referencePrefix && (await findCouncilByReferencePrefix(db, values.referencePrefix))) {
    throw new AppError('CONFLICT', `Præfikset ${values.referencePrefix} bruges allerede af et andet råd`, {
      details: [{ path: 'referencePrefix', message: 'Præfikset er allerede i brug' }],
    });
  }
  if (await findCouncilBySlug(db, values.slug)) {
    throw new AppError('CONFLICT', `Der findes allerede et råd med kortnavnet ${values.slug}`, {
      details: [{ path: 'slug', message: 'Kortnavnet er allerede i brug' }],
    });
  }
  const council = await insertCouncil(db, {
    slug: values.slug,
    name: values.name,
    municipality: values.municipality,
    reference_prefix: values.referencePrefix ?? (await freeReferencePrefix(db, defaultReferencePrefix(values.slug))),
    letterhead_address: values.letterheadAddress ?? '',
    letterhead_contact: values.letterheadContact ?? '',
    letterhead_email: values.letterheadEmail,
  });
  return {
    id: council.id,
    slug: council.slug,
    name: council.name,
    municipality: council.municipality,
    referencePrefix: council.reference_prefix,
  };
}

// ---- Administration (the web pages): every function checks that the actor is an administrator. ----
import { DateTime } from 'luxon';
import { fileTypeFromBuffer } from 'file-type';
import { findCouncilById, listCouncils, updateCouncil as updateCouncilRow } from '../../db/repositories/councils.ts';
import { deleteMeeting as deleteMeetingRow, insertMeeting, listMeetings } from '../../db/repositories/meetings.ts';
import { deletingMeeting } from '../meetings/archived-minutes.ts';
import { assertAdmin } from '../access/admin.ts';
import type { Actor } from '../access/actor.ts';
import { issuesToDetails } from '../validation.ts';
import { ZONE } from '../time.ts';
import type { ErrorDetail } from '../errors.ts';

/** The largest letterhead logo accepted, in bytes. */
export const MAX_LOGO_BYTES = 1024 * 1024;
const LOGO_TYPES = ['image/png', 'image/jpeg'];

/** The reminder thresholds as typed ("10, 3, 0") or as numbers: whole working days 0–60, largest first. */
const reminderDaysSchema = z.preprocess(
  (value) =>
    typeof value === 'string'
      ? value
          .split(/[\s,;]+/)
          .filter((part) => part !== '')
          .map((part) => (/^\d+$/.test(part) ? Number(part) : Number.NaN))
      : value,
  z
    .array(z.number({ error: 'Skriv hele tal adskilt af komma, f.eks. 10, 3, 0' }).int().min(0, 'Mindst 0').max(60, 'Højst 60 arbejdsdage'), {
      error: 'Skriv hele tal adskilt af komma, f.eks. 10, 3, 0',
    })
    .max(10, 'Højst 10 påmindelser')
    .transform((days) => [...new Set(days)].sort((a, b) => b - a)),
);

/** What an administrator may change on a council (the slug never changes: it is in links and the CLI). */
export const councilSettingsSchema = z.object({
  name: requiredText(200),
  municipality: optionalText(200),
  referencePrefix: referencePrefixSchema,
  letterheadAddress: optionalText(500),
  letterheadContact: optionalText(500),
  letterheadEmail: optionalEmailSchema,
  dueSoonWorkingDays: z.coerce
    .number({ error: 'Skriv et helt antal arbejdsdage' })
    .int('Skriv et helt antal arbejdsdage')
    .min(1, 'Mindst 1 arbejdsdag')
    .max(30, 'Højst 30 arbejdsdage'),
  reminderWorkingDays: reminderDaysSchema,
  /** Whether the council's minutes are published; left out: unchanged (stored only, public pages come later). */
  minutesPublished: z.boolean().optional(),
});

/** An uploaded logo as the HTTP layer hands it over. */
export interface LogoUpload {
  buffer: Buffer;
}

/** A council as the administration pages show it. */
export interface CouncilAdminView {
  id: number;
  slug: string;
  name: string;
  municipality: string | null;
  referencePrefix: string;
  letterheadAddress: string;
  letterheadContact: string;
  /** Reply-To of the mail to the authority; null: none. */
  letterheadEmail: string | null;
  hasLogo: boolean;
  logoType: string | null;
  dueSoonWorkingDays: number;
  reminderWorkingDays: number[];
  minutesPublished: boolean;
}

function toCouncilAdminView(row: Awaited<ReturnType<typeof listCouncils>>[number]): CouncilAdminView {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    municipality: row.municipality,
    referencePrefix: row.reference_prefix,
    letterheadAddress: row.letterhead_address,
    letterheadContact: row.letterhead_contact,
    letterheadEmail: row.letterhead_email,
    hasLogo: row.letterhead_logo !== null,
    logoType: row.letterhead_logo_type,
    dueSoonWorkingDays: row.due_soon_working_days,
    reminderWorkingDays: row.reminder_working_days,
    minutesPublished: row.minutes_published,
  };
}

/** Checks an uploaded logo by its content (not its name or declared type): PNG or JPEG, at most 1 MB. */
async function checkLogo(logo: LogoUpload): Promise<{ details: ErrorDetail[]; type?: string }> {
  if (logo.buffer.length > MAX_LOGO_BYTES) return { details: [{ path: 'logo', message: 'Logoet må højst fylde 1 MB' }] };
  const detected = await fileTypeFromBuffer(logo.buffer);
  if (!detected || !LOGO_TYPES.includes(detected.mime)) {
    return { details: [{ path: 'logo', message: 'Logoet skal være et PNG- eller JPEG-billede' }] };
  }
  return { details: [], type: detected.mime };
}

function validationFailed(details: ErrorDetail[]): AppError {
  return new AppError('VALIDATION_FAILED', 'Nogle felter er ikke udfyldt korrekt', { details });
}

/** Every council, by name (administrators only). */
export async function listCouncilsForAdmin(db: Executor, actor: Actor): Promise<CouncilAdminView[]> {
  assertAdmin(actor);
  return (await listCouncils(db)).map(toCouncilAdminView);
}

/** One council for its edit page, or NOT_FOUND (administrators only). */
export async function getCouncilForAdmin(db: Executor, actor: Actor, id: number): Promise<CouncilAdminView> {
  assertAdmin(actor);
  const row = await findCouncilById(db, id);
  if (!row) throw new AppError('NOT_FOUND', 'Rådet findes ikke');
  return toCouncilAdminView(row);
}

/** Creates a council from the administration page: the CLI's createCouncil plus the settings and logo. */
export async function createCouncilAsAdmin(db: Db, actor: Actor, input: Record<string, unknown>, logo?: LogoUpload): Promise<CouncilAdminView> {
  assertAdmin(actor);
  const parsed = councilSettingsSchema.extend({ slug: newCouncilSchema.shape.slug }).safeParse(input);
  const logoCheck = logo ? await checkLogo(logo) : { details: [] };
  const details = [...(parsed.success ? [] : issuesToDetails(parsed.error)), ...logoCheck.details];
  if (!parsed.success || details.length > 0) throw validationFailed(details);
  const values = parsed.data;
  return db.transaction().execute(async (tx) => {
    const created = await createCouncil(tx, {
      slug: values.slug,
      name: values.name,
      municipality: values.municipality,
      referencePrefix: values.referencePrefix,
      letterheadAddress: values.letterheadAddress,
      letterheadContact: values.letterheadContact,
      letterheadEmail: values.letterheadEmail,
    });
    const row = await updateCouncilRow(tx, created.id, {
      due_soon_working_days: values.dueSoonWorkingDays,
      reminder_working_days: values.reminderWorkingDays,
      ...(values.minutesPublished === undefined ? {} : { minutes_published: values.minutesPublished }),
      ...(logo && logoCheck.type ? { letterhead_logo: logo.buffer, letterhead_logo_type: logoCheck.type } : {}),
    });
    return toCouncilAdminView(row!);
  });
}

/** Changes a council's settings; a new logo replaces the old one, `removeLogo` drops it. */
export async function updateCouncilAsAdmin(
  db: Executor,
  actor: Actor,
  id: number,
  input: Record<string, unknown>,
  options: { logo?: LogoUpload; removeLogo?: boolean } = {},
): Promise<CouncilAdminView> {
  assertAdmin(actor);
  if (!(await findCouncilById(db, id))) throw new AppError('NOT_FOUND', 'Rådet findes ikke');
  const parsed = councilSettingsSchema.safeParse(input);
  const logoCheck = options.logo ? await checkLogo(options.logo) : { details: [] };
  const details = [...(parsed.success ? [] : issuesToDetails(parsed.error)), ...logoCheck.details];
  if (!parsed.success || details.length > 0) throw validationFailed(details);
  const values = parsed.data;
  const prefixOwner = await findCouncilByReferencePrefix(db, values.referencePrefix);
  if (prefixOwner && prefixOwner.id !== id) {
    throw new AppError('CONFLICT', `Præfikset ${values.referencePrefix} bruges allerede af et andet råd`, {
      details: [{ path: 'referencePrefix', message: 'Præfikset er allerede i brug' }],
    });
  }
  const logoChange =
    options.logo && logoCheck.type
      ? { letterhead_logo: options.logo.buffer, letterhead_logo_type: logoCheck.type }
      : options.removeLogo
        ? { letterhead_logo: null, letterhead_logo_type: null }
        : {};
  const row = await updateCouncilRow(db, id, {
    name: values.name,
    municipality: values.municipality,
    reference_prefix: values.referencePrefix,
    letterhead_address: values.letterheadAddress ?? '',
    letterhead_contact: values.letterheadContact ?? '',
    letterhead_email: values.letterheadEmail,
    due_soon_working_days: values.dueSoonWorkingDays,
    reminder_working_days: values.reminderWorkingDays,
    ...(values.minutesPublished === undefined ? {} : { minutes_published: values.minutesPublished }),
    ...logoChange,
  });
  if (!row) throw new AppError('NOT_FOUND', 'Rådet findes ikke');
  return toCouncilAdminView(row);
}

/** A council's letterhead logo and its type, or NOT_FOUND when it has none (administrators only). */
export async function getCouncilLogoForAdmin(db: Executor, actor: Actor, id: number): Promise<{ data: Buffer; type: string }> {
  assertAdmin(actor);
  const row = await findCouncilById(db, id);
  if (!row?.letterhead_logo || !row.letterhead_logo_type) throw new AppError('NOT_FOUND', 'Rådet har intet logo');
  return { data: row.letterhead_logo, type: row.letterhead_logo_type };
}

export const newMeetingSchema = z
  .object({
    date: z
      .string()
      .trim()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'Skriv datoen som åååå-mm-dd'),
    time: z
      .string()
      .trim()
      .regex(/^([01]\d|2[0-3])[:.][0-5]\d$/, 'Skriv klokkeslættet som tt:mm, f.eks. 17:00'),
    place: requiredText(200),
  })
  .transform((v, ctx) => ({ startsAt: meetingStartOrIssue(v, ctx, 'Datoen findes ikke'), place: v.place }));

/** A meeting as the administration shows it. */
export interface MeetingAdminView {
  id: number;
  startsAt: Date;
  place: string;
}

/** A council's meetings from today on, soonest first (administrators only). */
export async function listMeetingsForAdmin(db: Executor, actor: Actor, councilId: number, now: Date): Promise<MeetingAdminView[]> {
  assertAdmin(actor);
  const from = DateTime.fromJSDate(now, { zone: ZONE }).startOf('day').toJSDate();
  const rows = await listMeetings(db, councilId, from);
  return rows.map((m) => ({ id: m.id, startsAt: m.starts_at, place: m.place }));
}

/** Adds a meeting; date and time are Danish time. */
export async function addMeetingAsAdmin(db: Executor, actor: Actor, councilId: number, input: Record<string, unknown>): Promise<MeetingAdminView> {
  assertAdmin(actor);
  if (!(await findCouncilById(db, councilId))) throw new AppError('NOT_FOUND', 'Rådet findes ikke');
  const row = await insertMeeting(db, { councilId, ...parseInput(newMeetingSchema, input) });
  return { id: row.id, startsAt: row.starts_at, place: row.place };
}

/** Deletes one of a council's meetings, or NOT_FOUND. */
export async function deleteMeetingAsAdmin(db: Executor, actor: Actor, councilId: number, meetingId: number): Promise<void> {
  assertAdmin(actor);
  if ((await deletingMeeting(() => deleteMeetingRow(db, councilId, meetingId))) === 0) throw new AppError('NOT_FOUND', 'Mødet findes ikke');
}
