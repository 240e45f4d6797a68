import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** Every table's Kysely types, in one place. */

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export type Role = 'secretary' | 'chair' | 'member' | 'staff';

export interface CouncilsTable {
  id: Generated<number>;
  slug: string;
  name: string;
  municipality: string | null;
  reference_prefix: string;
  letterhead_address: Generated<string>;
  letterhead_contact: Generated<string>;
  /** Where the authority's answers go (Reply-To of the mail to the authority); null: none. */
  letterhead_email: string | null;
  letterhead_logo: Buffer | null;
  letterhead_logo_type: string | null;
  due_soon_working_days: Generated<number>;
  reminder_working_days: Generated<number[]>;
  /** Working days before a meeting its agenda is mailed to the members (migration 2026-12-04T0300). */
  agenda_working_days: Generated<number>;
  /** Whether the council's minutes are published (migration 2026-12-05T0300; stored only, public pages come later). */
  minutes_published: Generated<boolean>;
  /** The share of the voters (per cent) that must take part for a written procedure to decide (migration 2026-12-05T0100). */
  written_procedure_quorum_percent: Generated<number>;
  /** What the council's public page says about it, in Markdown (migration 2026-12-07T0200). */
  public_description: Generated<string>;
  /** The address the public page gives for writing to the council; null: none shown. */
  public_email: string | null;
  created_at: CreatedAt;
}

export interface UsersTable {
  id: Generated<number>;
  email: string;
  name: string;
  password_hash: string;
  is_admin: Generated<boolean>;
  disabled_at: Timestamp | null;
  created_at: CreatedAt;
  /** The TOTP secret, sealed (src/domain/tokens/secret-box.ts); set at enrolment, before it is confirmed (migration 2026-12-09T0400). */
  totp_secret_sealed: ColumnType<string | null, string | null | undefined, string | null>;
  /** When the user confirmed the secret with a first code: from then on the second factor is required. */
  totp_confirmed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** The last TOTP time step used, so no code is accepted twice. */
  totp_last_step: ColumnType<string | null, number | null | undefined, number | null>;
}

export interface MembershipsTable {
  user_id: number;
  council_id: number;
  role: Role;
  title: string | null;
  /** First day of the term (a `date`, YYYY-MM-DD); defaults to the election period covering today. */
  term_start: ColumnType<string, string | undefined, string>;
  /** Last day of the term, included. */
  term_end: ColumnType<string, string | undefined, string>;
  /** Whether the member agreed to be listed, with their organisation, on the public page (migration 2026-12-07T0200). */
  listed_publicly: Generated<boolean>;
  organisation: string | null;
  created_at: CreatedAt;
}

/** A reminder that a council's terms end, sent once per (council, term end). */
export interface TermRemindersTable {
  council_id: number;
  term_end: string;
  sent_at: CreatedAt;
}

export interface ReferenceCountersTable {
  council_id: number;
  year: number;
  last_number: number;
}

export interface ConsultationsTable {
  id: Generated<string>;
  reference: string | null;
  council_id: number | null;
  assignee_id: number | null;
  title: string;
  authority: string;
  authority_reference: string | null;
  authority_email: string | null;
  /** A calendar date, `YYYY-MM-DD`. */
  received_at: string;
  deadline: Timestamp;
  summary: string | null;
  source_url: string | null;
  state: string;
  snapshot: Json<unknown>;
  machine_version: number;
  version: Generated<number>;
  created_by: number | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  /** Why the response is not public, said before or at submission; null: public when submitted (migration 2026-12-07T0200). */
  not_public_reason: string | null;
  /** Since when the submitted response is on the council's public page; null: not public. */
  published_at: Timestamp | null;
  /** What the authority did with the response, recorded after submission (migration 2026-12-07T0300); null: not recorded. */
  outcome: ResponseOutcome | null;
  outcome_note: string | null;
  /** A link to what the authority published about it (e.g. its høringsnotat); http(s) only. */
  outcome_url: string | null;
  outcome_recorded_at: Timestamp | null;
  /** Where a consultation that arrived by itself came from (migration 2026-12-09T0100); null: registered by hand. */
  intake_source: IntakeSource | null;
  /** When the secretary confirmed the deadline of a consultation that arrived by itself; null: not yet. */
  intake_confirmed_at: Timestamp | null;
  /** The sentence the proposed deadline was read from; null: none was found. */
  intake_deadline_sentence: string | null;
  /** What the intake noticed for the secretary (attachments left out, no deadline found). */
  intake_note: string | null;
}

/** How a consultation arrived by itself: a mail to the council's intake mailbox, or Høringsportalen's feed. */
export type IntakeSource = 'mail' | 'feed';

/** What an authority did with a council's response. */
export type ResponseOutcome = 'taken_into_account' | 'partly' | 'not_taken' | 'unknown';

export interface ResponseVersionsTable {
  id: Generated<number>;
  consultation_id: string;
  number: number;
  body: string;
  author_id: number | null;
  created_at: CreatedAt;
}

export interface ConsultationEventsTable {
  id: ColumnType<string, never, never>;
  consultation_id: string;
  at: CreatedAt;
  actor_id: number | null;
  type: string;
  from_state: string | null;
  to_state: string | null;
  payload: Json<Record<string, unknown>>;
}

export interface ArchivedDocumentsTable {
  id: Generated<number>;
  /** What the document is (migration 2026-12-05T0300_minutes): a consultation's letter, or a meeting's minutes. */
  kind: Generated<ArchivedDocumentKind>;
  /** The letter's consultation; null for minutes. */
  consultation_id: string | null;
  /** The minutes' meeting (one per meeting); null for letters. */
  meeting_id: number | null;
  pdf: Buffer;
  sha256: string;
  size_bytes: number;
  /** The response version a letter was made from; null for minutes. */
  response_version_id: number | null;
  template_version: string;
  submitted_by: number | null;
  created_at: CreatedAt;
  /** Set by the database on insert (db/migrations/…_archive_chain.ts), whatever the INSERT says. */
  chain_position: Generated<number>;
  previous_chain_sha256: Generated<string | null>;
  chain_sha256: Generated<string>;
}

/** What an archived document is: a consultation's letter or a meeting's minutes. */
export type ArchivedDocumentKind = 'letter' | 'minutes';

export interface MeetingsTable {
  id: Generated<number>;
  council_id: number;
  starts_at: Timestamp;
  place: Generated<string>;
  note: string | null;
  created_at: CreatedAt;
  /** When the agenda was mailed to the members; null until then (migration 2026-12-04T0300). */
  agenda_sent_at: Timestamp | null;
  /** When the agenda first changed since the last mail; the next job run sends the change note and clears it. */
  agenda_changed_at: Timestamp | null;
}

export interface ApiTokensTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  token_hash: string;
  created_at: CreatedAt;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface Database {
  councils: CouncilsTable;
  users: UsersTable;
  memberships: MembershipsTable;
  reference_counters: ReferenceCountersTable;
  term_reminders: TermRemindersTable;
  consultations: ConsultationsTable;
  response_versions: ResponseVersionsTable;
  consultation_events: ConsultationEventsTable;
  archived_documents: ArchivedDocumentsTable;
  meetings: MeetingsTable;
  api_tokens: ApiTokensTable;
}

export type Council = Selectable<CouncilsTable>;
export type NewCouncil = Insertable<CouncilsTable>;
export type CouncilUpdate = Updateable<CouncilsTable>;
export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type Membership = Selectable<MembershipsTable>;
export type Consultation = Selectable<ConsultationsTable>;
export type NewConsultation = Insertable<ConsultationsTable>;
export type ResponseVersion = Selectable<ResponseVersionsTable>;
export type ConsultationEvent = Selectable<ConsultationEventsTable>;
export type Meeting = Selectable<MeetingsTable>;

// ---- Reminders and calendar feeds (migration 2026-11-23T1330_reminders_calendar). ----

export interface SentRemindersTable {
  id: Generated<number>;
  consultation_id: string;
  user_id: number;
  kind: 'deadline' | 'approval';
  threshold: number;
  occasion: string;
  sent_at: CreatedAt;
}

export interface ReminderOptOutsTable {
  user_id: number;
  council_id: number;
  created_at: CreatedAt;
}

export interface CalendarTokensTable {
  id: Generated<number>;
  user_id: number;
  council_id: number | null;
  nonce: string;
  token_hash: string;
  created_at: CreatedAt;
  revoked_at: Timestamp | null;
  /** SHA-256 (base64url) of the feed text last served, and when that text was first served (migration 2026-12-02T0410). */
  served_sha256: string | null;
  served_changed_at: Timestamp | null;
}

export interface Database {
  sent_reminders: SentRemindersTable;
  reminder_opt_outs: ReminderOptOutsTable;
  calendar_tokens: CalendarTokensTable;
}

// ---- Documents, draft comments and status links (migration 2026-11-23T1310). ----

export interface ConsultationDocumentsTable {
  id: Generated<number>;
  consultation_id: string;
  filename: string;
  media_type: string;
  size: number;
  sha256: string;
  bytes: Buffer;
  uploaded_by: number | null;
  created_at: CreatedAt;
  /** Where the text extraction stands (migration 2026-12-06T0000). */
  text_status: Generated<DocumentTextStatus>;
  extracted_text: string | null;
  /** Why extraction failed, in Danish, for the consultation page. */
  text_error: string | null;
  page_count: number | null;
  text_extracted_at: Timestamp | null;
}

/** pending (queued), extracted, no_text (a scan without a text layer), unsupported, failed. */
export type DocumentTextStatus = 'pending' | 'extracted' | 'no_text' | 'unsupported' | 'failed';

export interface DraftCommentsTable {
  id: Generated<number>;
  consultation_id: string;
  response_version_number: number | null;
  author_id: number | null;
  body: string;
  created_at: CreatedAt;
}

export interface ConsultationStatusLinksTable {
  consultation_id: string;
  nonce: string;
  token_sha256: string;
  created_at: CreatedAt;
}

// Declaration merging keeps this section apart from the original Database interface.
export interface Database {
  consultation_documents: ConsultationDocumentsTable;
  draft_comments: DraftCommentsTable;
  consultation_status_links: ConsultationStatusLinksTable;
}

// ---- Login sessions (migration 2026-11-23T1200; the layout connect-pg-simple used). ----

export interface SessionTable {
  /** The SHA-256 of the session id, hex (migration 2026-12-01T1000); the id itself is only in the cookie. */
  sid_hash: string;
  /** The session's data as JSON. */
  sess: unknown;
  /** When the session ends unless a request moves it on; a timestamp without time zone. */
  expire: Date;
}

export interface Database {
  session: SessionTable;
}

// ---- Password resets by e-mail (migration 2026-12-01T1010_password_reset_tokens). ----

export interface PasswordResetTokensTable {
  /** The SHA-256 of the token in the mailed link, hex. */
  token_hash: string;
  user_id: number;
  created_at: CreatedAt;
  expires_at: Timestamp;
  /** When the token was used, or another reset of the user used it up; null while it is open. */
  used_at: Timestamp | null;
}

export interface Database {
  password_reset_tokens: PasswordResetTokensTable;
}

// ---- The meeting's agenda (migration 2026-12-04T0300_meeting_agenda). ----

/** What an agenda item is: a consultation to treat, a decision to note, or a free item. */
export type AgendaItemKind = 'consultation' | 'note' | 'free';

/** What the meeting decided on an item (recorded in the minutes). */
export type AgendaItemOutcome = 'approved' | 'sent_back' | 'noted' | 'postponed';

export interface MeetingAgendaItemsTable {
  id: Generated<number>;
  meeting_id: number;
  /** The item's place on the agenda; unique per meeting (deferred, so two items can swap). */
  position: number;
  kind: AgendaItemKind;
  /** The consultation treated ('consultation') or whose decision is noted ('note'); null for 'free'. */
  consultation_id: string | null;
  /** The event a 'note' item puts before the meeting (APPROVE by chair decision, CLOSE_WRITTEN_PROCEDURE). */
  source_event_id: number | null;
  title: string;
  body_markdown: Generated<string>;
  created_by: number | null;
  created_at: CreatedAt;
  /** Taken off the agenda; the row stays so a refresh does not add it again. */
  removed_at: Timestamp | null;
  outcome: AgendaItemOutcome | null;
  outcome_comment: string | null;
  recorded_at: Timestamp | null;
  recorded_by: number | null;
}

export interface Database {
  meeting_agenda_items: MeetingAgendaItemsTable;
}

export type MeetingAgendaItem = Selectable<MeetingAgendaItemsTable>;

// ---- Written procedure: vote links and mails (migration 2026-12-05T0200_vote_tokens). ----

export interface WrittenProcedureVoteTokensTable {
  id: Generated<number>;
  /** The SHA-256 of the token in the mailed /vote/<token> link, hex. */
  token_hash: string;
  consultation_id: string;
  procedure_number: number;
  user_id: number;
  /** The procedure's closing time. */
  expires_at: Timestamp;
  created_at: CreatedAt;
}

/** Which written-procedure mail a voter got: the start mail or the reminder. */
export type WrittenProcedureMailKind = 'started' | 'reminder';

export interface WrittenProcedureMailsTable {
  id: Generated<number>;
  consultation_id: string;
  procedure_number: number;
  user_id: number;
  kind: WrittenProcedureMailKind;
  sent_at: CreatedAt;
}

export interface Database {
  written_procedure_vote_tokens: WrittenProcedureVoteTokensTable;
  written_procedure_mails: WrittenProcedureMailsTable;
}

// ---- Full-text search (migration 2026-12-06T0200_search_entries), kept by triggers. ----

/** What a search entry is. */
export type SearchKind = 'consultation' | 'response' | 'document' | 'comment';

export interface SearchEntriesTable {
  /** bigserial, read as a number (src/db/database.ts parses int8). */
  id: Generated<number>;
  kind: SearchKind;
  /** The id of the row it mirrors (consultation, response version, document or comment). */
  source_id: string;
  consultation_id: string;
  /** Copies of the consultation's columns, for the filters only: access joins the consultation. */
  council_id: number | null;
  authority: string;
  year: number;
  state: string;
  body: string;
  tsv: string;
}

export interface SearchWordsTable {
  word: string;
}

export interface Database {
  search_entries: SearchEntriesTable;
  search_words: SearchWordsTable;
}

// ---- E-mail subscriptions to the public pages (migration 2026-12-08T0100_public_subscriptions). ----

export interface PublicSubscriptionsTable {
  id: Generated<number>;
  council_id: number;
  email: string;
  requested_at: Timestamp;
  confirm_token_hash: string | null;
  confirm_expires_at: Timestamp | null;
  /** The consent time; null while the address has not confirmed. */
  confirmed_at: Timestamp | null;
}

export interface PublicAnnouncementsTable {
  /** 'response:<consultation id>' or 'minutes:<archived document id>'. */
  item_key: string;
  council_id: number;
  announced_at: CreatedAt;
  recipients: number;
}

export interface Database {
  public_subscriptions: PublicSubscriptionsTable;
  public_announcements: PublicAnnouncementsTable;
}

// ---- The annual report (migration 2026-12-08T0200_annual_reports). ----

export interface AnnualReportsTable {
  council_id: number;
  year: number;
  foreword: Generated<string>;
  themes: Generated<string>;
  activities: Generated<string>;
  updated_at: Timestamp;
  updated_by: number | null;
  published_pdf: Buffer | null;
  published_sha256: string | null;
  published_at: Timestamp | null;
  published_by: number | null;
}

export interface Database {
  annual_reports: AnnualReportsTable;
}

// ---- Consultations that arrive by themselves (migration 2026-12-09T0100_intake). ----

export interface IntakeMailboxesTable {
  council_id: number;
  host: string;
  port: number;
  tls: Generated<boolean>;
  username: string;
  /** The password sealed with AES-256-GCM (src/domain/tokens/secret-box.ts); never shown. */
  password_sealed: string;
  folder: Generated<string>;
  after_processing: Generated<'move' | 'flag'>;
  processed_folder: Generated<string>;
  enabled: Generated<boolean>;
  uid_validity: number | null;
  last_uid: Generated<number>;
  lease_until: Timestamp | null;
  last_polled_at: Timestamp | null;
  last_error: string | null;
  updated_at: Generated<Date>;
}

export type IntakeMailStatus = 'received' | 'ingested' | 'duplicate' | 'failed';

export interface IntakeMailsTable {
  id: Generated<number>;
  council_id: number;
  uid_validity: number;
  uid: number;
  message_id: string | null;
  subject: string | null;
  sender: string | null;
  seen_at: CreatedAt;
  status: IntakeMailStatus;
  attempts: Generated<number>;
  error: string | null;
  raw: Buffer | null;
  consultation_id: string | null;
}

export interface FeedWatchesTable {
  council_id: number;
  url: string;
  keywords: Generated<string[]>;
  authorities: Generated<string[]>;
  enabled: Generated<boolean>;
  lease_until: Timestamp | null;
  last_polled_at: Timestamp | null;
  last_error: string | null;
  updated_at: Generated<Date>;
}

export type FeedSuggestionStatus = 'pending' | 'accepted' | 'dismissed';

export interface FeedSuggestionsTable {
  id: Generated<number>;
  council_id: number;
  entry_id: string;
  title: string;
  link: string | null;
  authority: string | null;
  summary: string | null;
  deadline: Timestamp | null;
  deadline_sentence: string | null;
  published_at: Timestamp | null;
  found_at: CreatedAt;
  status: Generated<FeedSuggestionStatus>;
  decided_by: number | null;
  decided_at: Timestamp | null;
  consultation_id: string | null;
}

export interface Database {
  intake_mailboxes: IntakeMailboxesTable;
  intake_mails: IntakeMailsTable;
  feed_watches: FeedWatchesTable;
  feed_suggestions: FeedSuggestionsTable;
}

/** One-time recovery codes of a user's second factor, as SHA-256 hashes (migration 2026-12-09T0400). */
export interface RecoveryCodesTable {
  id: Generated<number>;
  user_id: number;
  code_hash: string;
  created_at: CreatedAt;
  used_at: Date | null;
}

export interface Database {
  recovery_codes: RecoveryCodesTable;
}

/** E-mail domains of the municipality's login (migration 2026-12-09T0300). */
export interface SsoDomainsTable {
  domain: string;
  create_users: Generated<boolean>;
  require_sso: Generated<boolean>;
  created_at: CreatedAt;
}

export interface Database {
  sso_domains: SsoDomainsTable;
}

/** SAML requests sent and not yet answered (migration 2026-12-09T0500). */
export interface SamlRequestsTable {
  id: string;
  /** The request's IssueInstant, as the SAML library keeps it. */
  issued_at: string;
  created_at: CreatedAt;
}

export interface Database {
  saml_requests: SamlRequestsTable;
}
