/*
 * An intake mailbox as the domain sees it: open a folder, read the mails after a UID, and put a
 * handled mail aside. Which IMAP client does it (imapflow, src/adapters/imap-mailbox.ts) is the
 * adapter's business.
 */

/** How to reach a council's mailbox. */
export interface MailboxSettings {
  host: string;
  port: number;
  /** Implicit TLS (IMAPS, usually port 993); without it the client still upgrades with STARTTLS when the server offers it. */
  tls: boolean;
  username: string;
  password: string;
  folder: string;
  afterProcessing: 'move' | 'flag';
  processedFolder: string;
}

/** One mail in the folder. */
export interface MailboxMessage {
  uid: number;
  source: Buffer;
}

/** An open folder. */
export interface MailboxSession {
  /** The folder's UIDVALIDITY: when it changes, its UIDs mean other mails. */
  uidValidity: number;
  /** Up to `limit` mails with a UID above `afterUid`, oldest first. */
  messagesAfter(afterUid: number, limit: number): Promise<MailboxMessage[]>;
  /** Puts a handled mail aside: moved to the processed folder (made when missing) or flagged, as configured. */
  markProcessed(uid: number): Promise<void>;
  close(): Promise<void>;
}

/** Opens mailboxes. */
export interface MailboxConnector {
  /** Logs in and opens the configured folder; throws with a message the admin can act on when it cannot. */
  open(settings: MailboxSettings): Promise<MailboxSession>;
}

/** A connection failure put in words for the admin (never the password). */
export class MailboxConnectionError extends Error {}
