import { sql } from 'kysely';
import type { Executor } from '../database.ts';
import { submittedAtOfConsultation } from '../submitted-on.ts';
import { periodFrom, periodUntil, type DayPeriod } from './handover.ts';

/*
 * What the annual report reads and keeps (src/domain/councils/annual-report.ts): the written
 * sections and the published PDF of a council's year, and the year's closed consultations with
 * what the figures need (deadline, extensions, how the response was approved).
 */

/** The sections written for a council's year, and whether (and when) it was published; undefined before anything was written. */
export function findAnnualReportSections(db: Executor, councilId: number, year: number) {
  return db
    .selectFrom('annual_reports')
    .select(['foreword', 'themes', 'activities', 'updated_at as updatedAt', 'published_at as publishedAt'])
    .where('council_id', '=', councilId)
    .where('year', '=', year)
    .executeTakeFirst();
}

/** Saves the written sections of a council's year. */
export async function saveAnnualReportSections(
  db: Executor,
  key: { councilId: number; year: number },
  sections: { foreword: string; themes: string; activities: string },
  by: { userId: number; at: Date },
): Promise<void> {
  const values = { ...sections, updated_at: by.at, updated_by: by.userId };
  await db
    .insertInto('annual_reports')
    .values({ council_id: key.councilId, year: key.year, ...values })
    .onConflict((oc) => oc.columns(['council_id', 'year']).doUpdateSet(values))
    .execute();
}

/** Keeps the PDF as published (replacing an earlier publication of the same year). */
export async function savePublishedAnnualReport(
  db: Executor,
  key: { councilId: number; year: number },
  published: { pdf: Buffer; sha256: string; userId: number; at: Date },
): Promise<void> {
  const values = { published_pdf: published.pdf, published_sha256: published.sha256, published_at: published.at, published_by: published.userId };
  await db
    .insertInto('annual_reports')
    .values({ council_id: key.councilId, year: key.year, updated_at: published.at, ...values })
    .onConflict((oc) => oc.columns(['council_id', 'year']).doUpdateSet(values))
    .execute();
}

/** The years a council has published, newest first. */
export function listPublishedAnnualReports(db: Executor, councilId: number) {
  return db
    .selectFrom('annual_reports')
    .select(['year', 'published_at as publishedAt', sql<number>`octet_length(published_pdf)`.as('sizeBytes')])
    .where('council_id', '=', councilId)
    .where('published_pdf', 'is not', null)
    .orderBy('year', 'desc')
    .$narrowType<{ publishedAt: Date }>()
    .execute();
}

/** A published annual report's hash and size, without its bytes (for conditional requests); undefined when not published. */
export function findPublishedAnnualReport(db: Executor, councilId: number, year: number) {
  return db
    .selectFrom('annual_reports')
    .select(['published_sha256 as sha256', sql<number>`octet_length(published_pdf)`.as('sizeBytes')])
    .where('council_id', '=', councilId)
    .where('year', '=', year)
    .where('published_pdf', 'is not', null)
    .$narrowType<{ sha256: string }>()
    .executeTakeFirst();
}

/** `length` bytes of a published annual report from `offset`, as the download streams them. */
export async function readPublishedAnnualReportSlice(db: Executor, key: { councilId: number; year: number }, offset: number, length: number) {
  const row = await db
    .selectFrom('annual_reports')
    .select(sql<Buffer>`substring(published_pdf from ${offset + 1} for ${length})`.as('slice'))
    .where('council_id', '=', key.councilId)
    .where('year', '=', key.year)
    .executeTakeFirst();
  return row?.slice;
}

/**
 * The council's consultations closed in the period: submitted (by the day sent) or declined (by
 * the day recorded), with the deadline, how many extensions, and how the response was approved
 * (the basis of the last approval).
 */
export function listClosedInPeriod(db: Executor, councilId: number, period: DayPeriod) {
  const declinedAt = sql<Date | null>`(select max(e.at) from consultation_events e where e.consultation_id = consultations.id and e.type = 'DECLINE')`;
  const closedAt = sql<Date | null>`case consultations.state when 'submitted' then ${submittedAtOfConsultation()} else ${declinedAt} end`;
  return db
    .selectFrom('consultations')
    .select([
      'consultations.id',
      'consultations.title',
      'consultations.authority',
      'consultations.state',
      'consultations.deadline',
      'consultations.outcome',
      submittedAtOfConsultation().as('submittedAt'),
      sql<number>`(select count(*)::int from consultation_events e where e.consultation_id = consultations.id and e.type = 'EXTEND_DEADLINE')`.as(
        'extensions',
      ),
      // A written procedure that approves is closed by CLOSE_WRITTEN_PROCEDURE; every other approval is an APPROVE with its basis.
      sql<string | null>`(select case when e.type = 'CLOSE_WRITTEN_PROCEDURE' then 'written_procedure' else e.payload->>'basis' end
        from consultation_events e where e.consultation_id = consultations.id and e.to_state = 'approved'
        and e.type in ('APPROVE', 'CLOSE_WRITTEN_PROCEDURE') order by e.id desc limit 1)`.as('approvalBasis'),
    ])
    .where('consultations.council_id', '=', councilId)
    .where('consultations.state', 'in', ['submitted', 'declined'])
    .where(sql<boolean>`${closedAt} >= ${periodFrom(period)} and ${closedAt} < ${periodUntil(period)}`)
    .execute();
}
