/** One outgoing mail; the sender is always MAIL_FROM. */
export interface MailMessage {
  to: string | string[];
  subject: string;
  text: string;
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
