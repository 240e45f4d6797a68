/**
 * One outgoing mail; the sender is always MAIL_FROM. Every mail Rådssvar sends has both a text
 * and an HTML part of the same content (src/domain/mail/templates.ts builds both).
 */
export interface MailMessage {
  to: string | string[];
  subject: string;
  text: string;
  html: string;
  /** Where answers go instead of the noreply sender: the council's e-mail on mail sent on its behalf. */
  replyTo?: string;
  /** Extra header fields, e.g. Auto-Submitted and List-Unsubscribe (see composeMail). */
  headers?: Record<string, string>;
  attachments?: { filename: string; content: Buffer; contentType: string }[];
}

/**
 * Sends mail (src/adapters/smtp-mailer.ts: over SMTP or into .eml files); which way is told by
 * `description`, for the start banner.
 */
export interface Mailer {
  readonly description: string;
  send(message: MailMessage): Promise<{ messageId: string }>;
  close(): void;
}
