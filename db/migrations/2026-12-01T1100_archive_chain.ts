import { sql, type Kysely } from 'kysely';

// Frozen: once landed, never edit this migration; add a new dated one instead.
//
// Chains the archive. Every archived letter gets its place in the chain (chain_position), the
// chain hash of the letter before it (previous_chain_sha256) and its own chain hash
// (chain_sha256): the SHA-256 of its predecessor's chain hash and its own metadata, the PDF's
// SHA-256 among them. Rewriting a letter's bytes and its sha256 column together then no longer
// matches its chain hash; rewriting that too breaks the next letter's link, and so on up to the
// head, which `archive verify` reports so that it can be kept outside the database and checked
// later (`archive verify --anchor POSITION:CHAIN_SHA256`). The canonical text hashed here is
// also computed by `chainHash` in src/domain/archive/chain.ts; the two must stay equal.

// Any fixed number: the key of the advisory lock that serialises appends to the chain.
const ARCHIVE_CHAIN_LOCK = 7_104_202_612;

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table archived_documents
    add column chain_position integer,
    add column previous_chain_sha256 text,
    add column chain_sha256 text`.execute(db);

  await sql`
    create function archive_chain_hash(
      p_previous text, p_chain_position integer, p_id integer, p_consultation_id uuid, p_sha256 text, p_size_bytes integer,
      p_response_version_id integer, p_submitted_by integer, p_created_at timestamptz, p_template_version text
    ) returns text language sql immutable as $$
      select encode(sha256(convert_to(concat_ws(E'\\n',
        coalesce(p_previous, ''), p_chain_position::text, p_id::text, p_consultation_id::text, p_sha256, p_size_bytes::text,
        p_response_version_id::text, coalesce(p_submitted_by::text, ''),
        to_char(p_created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        p_template_version), 'UTF8')), 'hex')
    $$`.execute(db);

  // The existing letters, chained in the order they were archived. The append-only trigger is off
  // only inside this migration's transaction.
  await sql`alter table archived_documents disable trigger archived_documents_append_only`.execute(db);
  await sql`
    do $$
    declare
      r record;
      previous text := null;
      pos integer := 0;
      hash text;
    begin
      for r in select * from archived_documents order by id loop
        pos := pos + 1;
        hash := archive_chain_hash(previous, pos, r.id, r.consultation_id, r.sha256, r.size_bytes,
          r.response_version_id, r.submitted_by, r.created_at, r.template_version);
        update archived_documents
          set chain_position = pos, previous_chain_sha256 = previous, chain_sha256 = hash
          where id = r.id;
        previous := hash;
      end loop;
    end
    $$`.execute(db);
  await sql`alter table archived_documents enable trigger archived_documents_append_only`.execute(db);

  await sql`alter table archived_documents
    alter column chain_position set not null,
    alter column chain_sha256 set not null,
    add constraint archived_documents_chain_position_key unique (chain_position)`.execute(db);

  // Whoever inserts, the database links the row to the head: under one advisory lock held until
  // the inserting transaction ends, so two submissions at once never chain to the same
  // predecessor (and the unique position refuses a fork should a snapshot ever miss the head).
  // Whatever chain values an INSERT brings are overwritten.
  await sql`
    create function archive_chain_link() returns trigger language plpgsql as $$
    declare
      head record;
    begin
      perform pg_advisory_xact_lock(${sql.lit(ARCHIVE_CHAIN_LOCK)});
      select chain_position, chain_sha256 into head from archived_documents order by chain_position desc limit 1;
      new.chain_position := coalesce(head.chain_position, 0) + 1;
      new.previous_chain_sha256 := head.chain_sha256;
      new.chain_sha256 := archive_chain_hash(new.previous_chain_sha256, new.chain_position, new.id, new.consultation_id,
        new.sha256, new.size_bytes, new.response_version_id, new.submitted_by, new.created_at, new.template_version);
      return new;
    end
    $$`.execute(db);
  await sql`create trigger archived_documents_chain before insert on archived_documents
    for each row execute function archive_chain_link()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger if exists archived_documents_chain on archived_documents`.execute(db);
  await sql`drop function if exists archive_chain_link()`.execute(db);
  await sql`alter table archived_documents
    drop constraint if exists archived_documents_chain_position_key,
    drop column if exists chain_position,
    drop column if exists previous_chain_sha256,
    drop column if exists chain_sha256`.execute(db);
  await sql`drop function if exists archive_chain_hash(text, integer, integer, uuid, text, integer, integer, integer, timestamptz, text)`.execute(db);
}
