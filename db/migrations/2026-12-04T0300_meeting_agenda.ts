import { sql, type Kysely } from 'kysely';

// Frozen once landed: the meeting's agenda (dagsorden), its mailing state and the council's lead time.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('meeting_agenda_items')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('meeting_id', 'integer', (c) => c.notNull().references('meetings.id').onDelete('cascade'))
    // The order on the agenda, 1, 2, 3 …; gaps are fine, ties are not (the constraint below).
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('consultation', 'note', 'free')`))
    .addColumn('consultation_id', 'uuid', (c) => c.references('consultations.id'))
    // The decision a 'note' item puts before the meeting: an APPROVE (chair decision) or a CLOSE_WRITTEN_PROCEDURE event.
    .addColumn('source_event_id', 'bigint', (c) => c.references('consultation_events.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body_markdown', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // Taken off the agenda by the secretary. The row stays, so refreshing the agenda does not put it back.
    .addColumn('removed_at', 'timestamptz')
    // What the meeting decided (the minutes, recorded by the helper "minutes").
    .addColumn('outcome', 'text', (c) => c.check(sql`outcome in ('approved', 'sent_back', 'noted', 'postponed')`))
    .addColumn('outcome_comment', 'text')
    .addColumn('recorded_at', 'timestamptz')
    .addColumn('recorded_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addCheckConstraint(
      'meeting_agenda_items_kind_fields',
      sql`(kind = 'consultation' and consultation_id is not null and source_event_id is null)
        or (kind = 'note' and consultation_id is not null and source_event_id is not null)
        or (kind = 'free' and consultation_id is null and source_event_id is null)`,
    )
    .execute();
  // Deferred, so two items swap places in one transaction (move up/down) without a momentary tie.
  await sql`alter table meeting_agenda_items add constraint meeting_agenda_items_position_key
    unique (meeting_id, position) deferrable initially deferred`.execute(db);
  // What makes refreshing the agenda idempotent: a consultation is treated once per meeting, a decision noted once.
  await sql`create unique index meeting_agenda_items_consultation_key on meeting_agenda_items (meeting_id, consultation_id)
    where kind = 'consultation'`.execute(db);
  await sql`create unique index meeting_agenda_items_event_key on meeting_agenda_items (meeting_id, source_event_id)
    where kind = 'note'`.execute(db);
  await db.schema.createIndex('meeting_agenda_items_consultation_idx').on('meeting_agenda_items').column('consultation_id').execute();

  // When the agenda was mailed to the members (claimed once, in a transaction), and when it
  // changed since the last mail (the next job run sends one "Dagsordenen er ændret" note and clears it).
  await db.schema.alterTable('meetings').addColumn('agenda_sent_at', 'timestamptz').addColumn('agenda_changed_at', 'timestamptz').execute();
  await db.schema
    .alterTable('councils')
    .addColumn('agenda_working_days', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(5)
        .check(sql`agenda_working_days between 0 and 30`),
    )
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('councils').dropColumn('agenda_working_days').execute();
  await db.schema.alterTable('meetings').dropColumn('agenda_sent_at').dropColumn('agenda_changed_at').execute();
  await db.schema.dropTable('meeting_agenda_items').ifExists().execute();
}
