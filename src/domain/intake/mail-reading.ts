import { simpleParser, type AddressObject, type Attachment, type ParsedMail } from 'mailparser';
import { findDeadline, type FoundDeadline } from './deadline-finder.ts';
import type { UploadedFile } from '../consultations/documents.ts';

/*
 * What a consultation mail says, read with mailparser: the title (the subject without Fwd:/VS:),
 * the authority that sent it (for a forwarded mail the original sender, from the quoted header
 * Outlook and Gmail write, or from the attached original when it was forwarded as an
 * attachment), the text, the attachments and the deadline the text states.
 */

/** A mail read for the intake. */
export interface ReadMail {
  messageId: string | null;
  title: string;
  authority: string | null;
  authorityEmail: string | null;
  /** The text the authority wrote (the forwarded part of a forwarded mail), for the summary. */
  text: string;
  attachments: UploadedFile[];
  deadline: FoundDeadline | undefined;
  /** When the mail (or the original of a forward) says it was sent; null when it does not. */
  sentAt: Date | null;
}

/** A mail that cannot be read as one: kept with this error and tried again. */
export class UnreadableMailError extends Error {}

const MAX_SUMMARY_CHARS = 5000;
const MAX_TITLE_CHARS = 300;

/** Forward and reply prefixes in Danish, English and German mail programs, and tags such as [EKSTERN]. */
const SUBJECT_PREFIXES = /^(?:\s*(?:fwd?|fw|vs|videresend(?:t)?|tr|wg|sv|re|aw)\s*:\s*|\s*\[[^\]]{1,30}\]\s*)+/iu;

/** The subject without Fwd:, VS:, SV: and the like. */
export function cleanSubject(subject: string | undefined): string {
  return (subject ?? '').replace(SUBJECT_PREFIXES, '').replace(/\s+/g, ' ').trim();
}

/** A quoted "Fra:/From:" line of a forward, as Outlook (Danish or English) and Gmail write it. */
const QUOTED_FROM = /^[ \t>]*\*?(?:Fra|From)\s*:\*?[ \t]*(?<who>.+)$/imu;
const FORWARD_MARKERS = /-{2,}\s*(?:Forwarded message|Videresendt (?:meddelelse|besked|mail)|Original Message|Oprindelig meddelelse)\s*-{2,}/iu;
const QUOTED_SUBJECT = /^[ \t>]*\*?(?:Emne|Subject)\s*:\*?[ \t]*(?<subject>.+)$/imu;
const QUOTED_HEADER_LINE = /^[ \t>]*\*?(?:Fra|From|Sendt|Sent|Dato|Date|Til|To|Cc|Emne|Subject)\s*:/iu;

/** Name and address of "Name <a@b.dk>", "Name [mailto:a@b.dk]", "\"Name\" <a@b.dk>" or "a@b.dk". */
function readSender(who: string): { name: string | null; email: string | null } {
  const email = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/u.exec(who)?.[0]?.toLowerCase() ?? null;
  const name = who
    .replace(/<[^>]*>|\[mailto:[^\]]*\]|[\w.+-]+@[\w-]+(?:\.[\w-]+)+/giu, '')
    .replace(/["'*]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return { name: name || null, email };
}

/** The authority of an address without a name: its domain, e.g. "uim.dk". */
const authorityOf = (sender: { name: string | null; email: string | null }) => sender.name ?? sender.email?.split('@')[1] ?? null;

function firstAddress(address: AddressObject | AddressObject[] | undefined): { name: string | null; email: string | null } {
  const first = (Array.isArray(address) ? address[0] : address)?.value[0];
  return { name: first?.name?.trim() || null, email: first?.address?.toLowerCase() ?? null };
}

/** The forwarded part of a text: from its quoted header on, without the header lines; undefined when it quotes none. */
function forwardedPart(text: string): { sender: { name: string | null; email: string | null }; subject: string | null; body: string } | undefined {
  const marker = FORWARD_MARKERS.exec(text);
  const from = QUOTED_FROM.exec(marker ? text.slice(marker.index) : text);
  if (!from?.groups?.who) return undefined;
  const start = (marker?.index ?? 0) + from.index;
  const rest = text.slice(start);
  const lines = rest.split(/\r?\n/);
  let headerEnd = 0;
  while (headerEnd < lines.length && (QUOTED_HEADER_LINE.test(lines[headerEnd]!) || lines[headerEnd]!.trim() === '') && headerEnd < 12)
    headerEnd += 1;
  const subject = QUOTED_SUBJECT.exec(lines.slice(0, headerEnd).join('\n'))?.groups?.subject ?? null;
  return {
    sender: readSender(from.groups.who),
    subject: subject ? cleanSubject(subject) : null,
    body: lines.slice(headerEnd).join('\n'),
  };
}

function uploadedFrom(attachments: Attachment[]): UploadedFile[] {
  return attachments
    .filter((a) => a.contentDisposition !== 'inline' || !a.contentType.startsWith('image/'))
    .filter((a) => a.contentType !== 'message/rfc822')
    .map((a) => ({ originalName: a.filename ?? 'dokument', bytes: a.content }));
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

async function parse(raw: Buffer): Promise<ParsedMail> {
  const parsed = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
  // mailparser reads anything; bytes without a single header are no mail.
  if (parsed.headers.size === 0) throw new UnreadableMailError('Mailen har ingen brevhoved (afsender, emne, dato) og kan ikke læses');
  return parsed;
}

/**
 * Reads a consultation mail. Throws {@link UnreadableMailError} for bytes that are no mail; a mail
 * with no recognisable consultation still reads (its subject as the title, its sender as the
 * authority), so nothing that arrives is lost.
 */
export async function readConsultationMail(raw: Buffer, receivedAt: Date): Promise<ReadMail> {
  const outer = await parse(raw);
  const messageId = outer.messageId?.trim() || null;
  // "Forward as attachment" (Outlook): the original is the attached message.
  const attachedOriginal = outer.attachments.find((a) => a.contentType === 'message/rfc822');
  const original = attachedOriginal ? await parse(attachedOriginal.content) : undefined;
  const outerText = (outer.text ?? '').replaceAll('\u0000', '');
  const quoted = original ? undefined : forwardedPart(outerText);
  const sender = original ? firstAddress(original.from) : (quoted?.sender ?? firstAddress(outer.from));
  const title = cleanSubject(outer.subject) || cleanSubject(original?.subject) || quoted?.subject || 'Mail uden emne';
  const text = (original ? (original.text ?? '') : (quoted?.body ?? outerText)).replaceAll('\u0000', '').trim();
  const attachments = [...uploadedFrom(outer.attachments), ...(original ? uploadedFrom(original.attachments) : [])];
  return {
    messageId,
    title: clip(title.replaceAll('\u0000', ''), MAX_TITLE_CHARS),
    authority: authorityOf(sender) ? clip(authorityOf(sender)!, MAX_TITLE_CHARS) : null,
    authorityEmail: sender.email,
    text: clip(text, MAX_SUMMARY_CHARS),
    attachments,
    deadline: findDeadline(`${outerText}\n${text}`, receivedAt),
    sentAt: original?.date ?? outer.date ?? null,
  };
}
