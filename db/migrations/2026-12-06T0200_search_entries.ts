import { sql, type Kysely } from 'kysely';

// Frozen: once landed, never edit this migration; add a new dated one instead.

/*
 * One search over everything a user may see (issue 18). Each searchable thing is one row of
 * `search_entries`: a consultation (title, authority and references weight A, summary B), a
 * response version (body C), a member's comment (C) and a document (file name B, extracted text
 * D). The weighted tsvector is stored and GIN-indexed, so a query never parses text.
 *
 * Triggers keep the rows true in the same transaction as the row they mirror, whoever writes it
 * (the services, the seed, the API, the CLI): no second write path to forget. The consultation's
 * council, authority, year and state are copied to every entry of it, for the filters; access is
 * NOT decided by these copies — a search joins the consultation and filters with visibleTo.
 *
 * `search_words` holds every lexeme ever indexed, with a trigram index: a query word is expanded
 * to the indexed words that contain it or nearly match it (compounds such as
 * "integrationsstrategi" for "strategi", misspellings), see src/db/repositories/search.ts.
 *
 * The text is stored without U+E000 and U+E001: ts_headline marks the hits with them and the app
 * turns them into <mark> after escaping, so a text can never forge a mark.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create extension if not exists pg_trgm`.execute(db);
  await sql`
    create table search_entries (
      id bigserial primary key,
      kind text not null check (kind in ('consultation', 'response', 'document', 'comment')),
      source_id text not null,
      consultation_id uuid not null references consultations(id) on delete cascade,
      council_id integer,
      authority text not null,
      year integer not null,
      state text not null,
      body text not null,
      tsv tsvector not null,
      unique (kind, source_id)
    )
  `.execute(db);
  await sql`create index search_entries_tsv_idx on search_entries using gin (tsv)`.execute(db);
  await sql`create index search_entries_consultation_idx on search_entries (consultation_id)`.execute(db);
  await sql`create table search_words (word text primary key)`.execute(db);
  await sql`create index search_words_trgm_idx on search_words using gin (word gin_trgm_ops)`.execute(db);

  await sql`
    create function search_clean(t text) returns text language sql immutable as $$
      select translate(coalesce(t, ''), U&'\\E000\\E001', '')
    $$
  `.execute(db);

  // Upserts one entry, copying the consultation's filter columns, and records its new words.
  await sql`
    create function search_put(p_kind text, p_source text, p_consultation uuid, p_body text, p_tsv tsvector)
    returns void language plpgsql as $$
    begin
      insert into search_entries (kind, source_id, consultation_id, council_id, authority, year, state, body, tsv)
      select p_kind, p_source, c.id, c.council_id, c.authority, extract(year from c.received_at::date)::int, c.state,
             search_clean(p_body), p_tsv
        from consultations c where c.id = p_consultation
      on conflict (kind, source_id) do update
        set body = excluded.body, tsv = excluded.tsv, council_id = excluded.council_id, authority = excluded.authority,
            year = excluded.year, state = excluded.state;
      insert into search_words (word)
      select lexeme from unnest(p_tsv) where length(lexeme) >= 3
      on conflict do nothing;
    end
    $$
  `.execute(db);

  // A consultation's own entry is computed again only when its text changes; a change of state,
  // council or received date (most UPDATEs: every transition) only copies the filter columns to
  // its entries, without parsing any text.
  await sql`
    create function search_consultation_trigger() returns trigger language plpgsql as $$
    declare
      text_changed boolean := tg_op = 'INSERT'
        or new.title is distinct from old.title or new.authority is distinct from old.authority
        or new.summary is distinct from old.summary or new.reference is distinct from old.reference
        or new.authority_reference is distinct from old.authority_reference;
    begin
      if text_changed then
        perform search_put('consultation', new.id::text, new.id,
          concat_ws(E'\n', new.title, new.authority, new.summary),
          setweight(to_tsvector('danish', search_clean(new.title)), 'A')
          || setweight(to_tsvector('danish', search_clean(new.authority)), 'A')
          || setweight(to_tsvector('simple', search_clean(concat_ws(' ', new.reference, new.authority_reference))), 'A')
          || setweight(to_tsvector('danish', search_clean(new.summary)), 'B'));
      end if;
      if tg_op = 'UPDATE' and (new.council_id is distinct from old.council_id or new.authority is distinct from old.authority
          or new.received_at is distinct from old.received_at or new.state is distinct from old.state) then
        update search_entries
           set council_id = new.council_id, authority = new.authority,
               year = extract(year from new.received_at::date)::int, state = new.state
         where consultation_id = new.id and (kind <> 'consultation' or not text_changed);
      end if;
      return null;
    end
    $$
  `.execute(db);
  await sql`
    create trigger search_consultations after insert or update of title, authority, summary, reference, authority_reference,
      council_id, received_at, state on consultations
    for each row execute function search_consultation_trigger()
  `.execute(db);

  // The rows that belong to a consultation, one function for all three tables (the kind is the
  // trigger's argument): a response version's text (C), a comment's (C), a document's file name
  // (B) and extracted text (D). A deleted comment or document leaves the search with it.
  await sql`
    create function search_child_trigger() returns trigger language plpgsql as $$
    declare
      entry_kind text := tg_argv[0];
    begin
      if tg_op = 'DELETE' then
        delete from search_entries where kind = entry_kind and source_id = old.id::text;
        return null;
      end if;
      if entry_kind = 'document' then
        perform search_put(entry_kind, new.id::text, new.consultation_id,
          concat_ws(E'\n', new.filename, new.extracted_text),
          setweight(to_tsvector('danish', search_clean(new.filename)), 'B')
          || setweight(to_tsvector('danish', search_clean(new.extracted_text)), 'D'));
      else
        perform search_put(entry_kind, new.id::text, new.consultation_id, new.body,
          setweight(to_tsvector('danish', search_clean(new.body)), 'C'));
      end if;
      return null;
    end
    $$
  `.execute(db);
  await sql`
    create trigger search_response_versions after insert on response_versions
    for each row execute function search_child_trigger('response')
  `.execute(db);
  await sql`
    create trigger search_draft_comments after insert or update of body or delete on draft_comments
    for each row execute function search_child_trigger('comment')
  `.execute(db);
  await sql`
    create trigger search_consultation_documents after insert or update of filename, extracted_text or delete on consultation_documents
    for each row execute function search_child_trigger('document')
  `.execute(db);

  // What is already there, through the same functions.
  await sql`update consultations set title = title`.execute(db);
  await sql`
    select search_put('response', id::text, consultation_id, body, setweight(to_tsvector('danish', search_clean(body)), 'C'))
      from response_versions
  `.execute(db);
  await sql`update draft_comments set body = body`.execute(db);
  await sql`update consultation_documents set filename = filename`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger if exists search_consultations on consultations`.execute(db);
  await sql`drop trigger if exists search_response_versions on response_versions`.execute(db);
  await sql`drop trigger if exists search_draft_comments on draft_comments`.execute(db);
  await sql`drop trigger if exists search_consultation_documents on consultation_documents`.execute(db);
  await sql`drop function if exists search_consultation_trigger, search_child_trigger`.execute(db);
  await sql`drop function if exists search_put(text, text, uuid, text, tsvector)`.execute(db);
  await sql`drop function if exists search_clean(text)`.execute(db);
  await sql`drop table if exists search_words`.execute(db);
  await sql`drop table if exists search_entries`.execute(db);
}
