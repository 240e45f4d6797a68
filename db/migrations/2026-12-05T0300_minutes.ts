import { sql, type Kysely } from 'kysely';

// Frozen once landed: the meeting's minutes (referat). The archive holds them beside the letters:
// archived_documents gets a kind ('letter', 'minutes') and the meeting a minutes document belongs
// to; a minutes row has no consultation and no response version (the check below). One minutes
// document per meeting. The chain goes on through both kinds: a letter's chain hash is computed
// exactly as before (archive_chain_hash, unchanged, so every existing hash still holds), a
// minutes document's by archive_minutes_chain_hash, which names its kind and meeting instead of a
// consultation and response version. `chainHash` in src/domain/archive/chain.ts computes both.
// The council's `minutes_published` is only stored for now (public pages come later).

// A letter's chain hash, exactly as db/migrations/2026-12-01T1100_archive_chain.ts computes it.
const LETTER_HASH = sql`archive_chain_hash(new.previous_chain_sha256, new.chain_position, new.id, new.consultation_id,
          new.sha256, new.size_bytes, new.response_version_id, new.submitted_by, new.created_at, new.template_version)`;

/** (Re)defines the trigger function that links a new archive row to the chain's head; `setHash` sets new.chain_sha256. */
async function chainLink(db: Kysely<any>, setHash: ReturnType<typeof sql>): Promise<void> {
  await sql`
    create or replace function archive_chain_link() returns trigger language plpgsql as $$
    declare
      head record;
    begin
      perform pg_advisory_xact_lock(7104202612);
      select chain_position, chain_sha256 into head from archived_documents order by chain_position desc limit 1;
      new.chain_position := coalesce(head.chain_position, 0) + 1;
      new.previous_chain_sha256 := head.chain_sha256;
      ${setHash}
      return new;
    end
    $$`.execute(db);
}

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table archived_documents
    add column kind text not null default 'letter' check (kind in ('letter', 'minutes')),
    add column meeting_id integer references meetings(id),
    alter column consultation_id drop not null,
    alter column response_version_id drop not null,
    add constraint archived_documents_kind_fields check (
      (kind = 'letter' and consultation_id is not null and response_version_id is not null and meeting_id is null)
      or (kind = 'minutes' and meeting_id is not null and consultation_id is null and response_version_id is null)
    ),
    add constraint archived_documents_meeting_key unique (meeting_id)`.execute(db);

  await sql`
    create function archive_minutes_chain_hash(
      p_previous text, p_chain_position integer, p_id integer, p_meeting_id integer, p_sha256 text, p_size_bytes integer,
      p_submitted_by integer, p_created_at timestamptz, p_template_version text
    ) returns text language sql immutable as $$
      select encode(sha256(convert_to(concat_ws(E'\\n',
        coalesce(p_previous, ''), p_chain_position::text, p_id::text, 'minutes', p_meeting_id::text, p_sha256, p_size_bytes::text,
        coalesce(p_submitted_by::text, ''),
        to_char(p_created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        p_template_version), 'UTF8')), 'hex')
    $$`.execute(db);

  // The same link as before (one advisory lock, the head read under it), the hash chosen by kind.
  await chainLink(
    db,
    sql`if new.kind = 'minutes' then
        new.chain_sha256 := archive_minutes_chain_hash(new.previous_chain_sha256, new.chain_position, new.id, new.meeting_id,
          new.sha256, new.size_bytes, new.submitted_by, new.created_at, new.template_version);
      else
        new.chain_sha256 := ${LETTER_HASH};
      end if;`,
  );

  await db.schema
    .alterTable('councils')
    .addColumn('minutes_published', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('councils').dropColumn('minutes_published').execute();
  await chainLink(db, sql`new.chain_sha256 := ${LETTER_HASH};`);
  await sql`drop function if exists archive_minutes_chain_hash(text, integer, integer, integer, text, integer, integer, timestamptz, text)`.execute(
    db,
  );
  // Only possible while the archive holds no minutes (it is append-only).
  await sql`alter table archived_documents
    drop constraint if exists archived_documents_meeting_key,
    drop constraint if exists archived_documents_kind_fields,
    alter column consultation_id set not null,
    alter column response_version_id set not null,
    drop column if exists meeting_id,
    drop column if exists kind`.execute(db);
}
