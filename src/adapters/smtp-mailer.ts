import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import type { Config } from '../config.ts';
import type { MailMessage, Mailer } from '../domain/mail/mailer.ts';

/**
 * The message as nodemailer takes it. Our own header fields go out unfolded ("prepared"): nodemailer
 * would fold a long List-Unsubscribe before its <URL>, which is legal but trips some receivers'
 * parsers. Only printable ASCII is passed that way, so nothing can inject a header line.
 */
function nodemailerMessage(from: string, message: MailMessage): SendMailOptions {
  const headers = Object.fromEntries(
    Object.entries(message.headers ?? {}).map(([name, value]) => [name, /^[\x20-\x7e]{1,900}$/.test(value) ? { prepared: true, value } : value]),
  );
  return { from, ...message, headers };
}

/** The folder the file transport writes to when no SMTP_URL is set. */
function mailFolder(dataDir: string): string {
  return join(dataDir, 'mail');
}

/**
 * The mailer the configuration asks for: nodemailer over SMTP when SMTP_URL is set, otherwise a
 * file transport that writes each mail as an .eml file into DATA_DIR/mail, so the embedded default
 * never sends mail to real people and a developer can open what would have been sent.
 */
export function createMailer(config: Pick<Config, 'smtpUrl' | 'mailFrom' | 'dataDir'>): Mailer {
  if (config.smtpUrl) {
    // Short timeouts: a send that hangs would hold a job past its expiry; the job retries instead.
    const transport = nodemailer.createTransport({
      url: config.smtpUrl,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
    const host = new URL(config.smtpUrl).host;
    return {
      description: `SMTP via ${host}`,
      async send(message) {
        const info = await transport.sendMail(nodemailerMessage(config.mailFrom, message));
        return { messageId: String(info.messageId) };
      },
      close: () => transport.close(),
    };
  }
  const folder = mailFolder(config.dataDir);
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  return {
    description: `ingen SMTP_URL: mails gemmes som .eml-filer i ${folder}`,
    async send(message) {
      const info = await transport.sendMail(nodemailerMessage(config.mailFrom, message));
      await mkdir(folder, { recursive: true });
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}.eml`;
      await writeFile(join(folder, name), info.message as Buffer);
      return { messageId: String(info.messageId) };
    },
    close: () => transport.close(),
  };
}
