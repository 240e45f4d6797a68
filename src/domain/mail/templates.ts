import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import type { MailMessage } from './mailer.ts';

/*
 * Every mail has one source, views/mails/<kind>.hbs, rendered twice: once as the text/plain part
 * and once as the text/html part, so the two cannot say different things. The templates write
 * their structure with the helpers below ({{#heading}}, {{#paragraph}}, {{#link url}}…{{/link}},
 * {{br}}); each rendering gives the helpers its own meaning. The HTML rendering escapes every
 * value (Handlebars' {{…}}), the text rendering escapes nothing, since text/plain runs nothing.
 * The HTML frame (lang="da", the title, the colours) is views/mails/layout.html.hbs.
 */

/** The mails Rådssvar sends, one template each in views/mails. */
export type MailKind =
  | 'submission'
  | 'reminder-deadline'
  | 'reminder-approval'
  | 'password-reset'
  | 'agenda'
  | 'agenda-changed'
  | 'written-procedure-started'
  | 'written-procedure-reminder'
  | 'term-ending'
  | 'subscription-confirm'
  | 'publication';

const MAIL_VIEWS = fileURLToPath(new URL('../../../views/mails/', import.meta.url));

// Text-part blocks are cut out by this mark, so indentation and line breaks of the template do
// not reach the mail; a line break the template asks for ({{br}}) is kept.
const BLOCK = '\u0001';
const LINE_BREAK = '\u0002';

// Colours of the HTML part: dark text on white (16:1), links #0b4f8a on white (8:1), WCAG AA and more.
const STYLE = {
  heading: 'font-size:20px;line-height:1.3;margin:0 0 16px;color:#1a1a1a',
  paragraph: 'margin:0 0 16px',
  link: 'color:#0b4f8a;text-decoration:underline',
};

/** Collapses the template's own whitespace inside a block; keeps {{br}}. */
function blockText(content: string): string {
  return `${BLOCK}${content.replace(/\s+/g, ' ').trim().replaceAll(` ${LINE_BREAK} `, '\n').replaceAll(LINE_BREAK, '\n')}${BLOCK}`;
}

const text = Handlebars.create();
text.registerHelper({
  heading(this: unknown, options: Handlebars.HelperOptions) {
    return blockText(options.fn(this));
  },
  paragraph(this: unknown, options: Handlebars.HelperOptions) {
    return blockText(options.fn(this));
  },
  link(this: unknown, href: string, options: Handlebars.HelperOptions) {
    return `${options.fn(this).replace(/\s+/g, ' ').trim()}: ${href}`;
  },
  br: () => ` ${LINE_BREAK} `,
});

const html = Handlebars.create();
const escape = (value: unknown) => html.Utils.escapeExpression(String(value));
html.registerHelper({
  heading(this: unknown, options: Handlebars.HelperOptions) {
    return new html.SafeString(`<h1 style="${STYLE.heading}">${options.fn(this)}</h1>`);
  },
  paragraph(this: unknown, options: Handlebars.HelperOptions) {
    return new html.SafeString(`<p style="${STYLE.paragraph}">${options.fn(this)}</p>`);
  },
  link(this: unknown, href: string, options: Handlebars.HelperOptions) {
    // Only our own absolute http(s) links are ever passed; anything else would be a template bug.
    if (!/^https?:\/\//.test(href)) throw new Error(`mail link is not http(s): ${href}`);
    return new html.SafeString(`<a href="${escape(href)}" style="${STYLE.link}">${options.fn(this)}</a>`);
  },
  br: () => new html.SafeString('<br>'),
});

/** Pieces several mails share, in views/mails too: {{> reminder-footer}}. */
const PARTIALS = ['reminder-footer'] as const;
for (const name of PARTIALS) {
  const source = readFileSync(`${MAIL_VIEWS}${name}.hbs`, 'utf8');
  text.registerPartial(name, source);
  html.registerPartial(name, source);
}

const compiled = new Map<string, { text: Handlebars.TemplateDelegate; html: Handlebars.TemplateDelegate }>();
let layout: Handlebars.TemplateDelegate | null = null;

function templatesOf(kind: MailKind) {
  let pair = compiled.get(kind);
  if (!pair) {
    const source = readFileSync(`${MAIL_VIEWS}${kind}.hbs`, 'utf8');
    pair = { text: text.compile(source, { strict: true, noEscape: true }), html: html.compile(source, { strict: true }) };
    compiled.set(kind, pair);
  }
  return pair;
}

/** The text and HTML parts of a mail of `kind` with `values` (the subject is the HTML's title). */
export function renderMailParts(kind: MailKind, subject: string, values: Record<string, unknown>): { text: string; html: string } {
  const templates = templatesOf(kind);
  const body = templates.text(values);
  const textPart = `${body
    .split(BLOCK)
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .join('\n\n')}\n`;
  layout ??= html.compile(readFileSync(`${MAIL_VIEWS}layout.html.hbs`, 'utf8'), { strict: true });
  const htmlPart = layout({ subject, body: new html.SafeString(templates.html(values)) });
  return { text: textPart, html: htmlPart };
}

/** What a mail is besides its content: who gets it, and what kind of sending it is. */
export interface MailEnvelope {
  to: string;
  subject: string;
  /** Sent by a job rather than a person (reminders, reset links): `Auto-Submitted: auto-generated` (RFC 3834), so no autoresponder answers it. */
  automatic?: boolean;
  /** The one-click unsubscribe address (RFC 8058): List-Unsubscribe with List-Unsubscribe-Post. */
  unsubscribeUrl?: string;
  /** Reply-To, for mail sent on a council's behalf. */
  replyTo?: string | null;
  attachments?: MailMessage['attachments'];
}

/** A complete mail of `kind`: both parts from its template, and the headers its envelope asks for. */
export function composeMail(kind: MailKind, envelope: MailEnvelope, values: Record<string, unknown>): MailMessage {
  const headers: Record<string, string> = {};
  if (envelope.automatic) headers['Auto-Submitted'] = 'auto-generated';
  if (envelope.unsubscribeUrl) {
    headers['List-Unsubscribe'] = `<${envelope.unsubscribeUrl}>`;
    headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  }
  return {
    to: envelope.to,
    subject: envelope.subject,
    ...renderMailParts(kind, envelope.subject, values),
    ...(envelope.replyTo ? { replyTo: envelope.replyTo } : {}),
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
    ...(envelope.attachments ? { attachments: envelope.attachments } : {}),
  };
}
