import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { tinyDocx, tinyPdf } from './documents.ts';
import { unique } from './factories.ts';

/*
 * Consultation mails as they reach a council's intake mailbox: forwarded from Outlook (Danish)
 * and Gmail, sent directly by an authority, forwarded as an attachment, and bytes that are no
 * mail at all. Built as real MIME with nodemailer's composer.
 */

async function compose(options: ConstructorParameters<typeof MailComposer>[0]): Promise<Buffer> {
  return new MailComposer(options).compile().build();
}

/** A new Message-ID. */
export const messageId = () => `<${unique()}@mail.test>`;

/** The secretary forwards an authority's mail from Outlook (Danish): "VS:" and Outlook's quoted header. */
export function outlookForward(options: { id?: string; subject?: string } = {}) {
  const subject = options.subject ?? 'Høring over udkast til integrationsstrategi 2027-2030';
  return compose({
    from: 'Mette Kjærgaard <sekretariat@naestved.dk>',
    to: 'hoeringer@raadssvar.test',
    subject: `VS: ${subject}`,
    messageId: options.id ?? messageId(),
    text: [
      'Til orientering – kan I registrere den?',
      '',
      'Fra: Udlændinge- og Integrationsministeriet <uim@uim.dk>',
      'Sendt: 2. december 2026 10:14',
      'Til: Integrationsrådet <integrationsraad@naestved.dk>',
      `Emne: ${subject}`,
      '',
      'Kære Integrationsråd',
      'Ministeriet sender hermed udkast til integrationsstrategi i høring.',
      'Høringsfristen er fredag den 15. januar 2027 kl. 12.00.',
      'Med venlig hilsen',
      'Jens Jensen',
    ].join('\r\n'),
    attachments: [
      { filename: 'Høringsbrev.pdf', content: tinyPdf('Høringsbrev om integrationsstrategi'), contentType: 'application/pdf' },
      { filename: 'Udkast til strategi.docx', content: tinyDocx() },
      {
        filename: 'image001.png',
        content: Buffer.from('89504e470d0a1a0a', 'hex'),
        contentType: 'image/png',
        contentDisposition: 'inline',
        cid: 'image001',
      },
    ],
  });
}

/** A Gmail forward: "Fwd:" and Gmail's "Forwarded message" block. */
export function gmailForward(options: { id?: string } = {}) {
  return compose({
    from: 'Ahmad Hussein <ahmad.hussein@gmail.com>',
    to: 'hoeringer@raadssvar.test',
    subject: 'Fwd: Høring om ændring af beskæftigelsesplanen',
    messageId: options.id ?? messageId(),
    text: [
      'Hej, denne kom til mig privat.',
      '',
      '---------- Forwarded message ---------',
      'From: Jobcenter Næstved <jobcenter@naestved.dk>',
      'Date: Tue, 1 Dec 2026 at 09:02',
      'Subject: Høring om ændring af beskæftigelsesplanen',
      'To: <ahmad.hussein@gmail.com>',
      '',
      'Vi beder om rådets bemærkninger til den ændrede beskæftigelsesplan.',
      'Frist: 08.01.2027 kl. 10',
    ].join('\r\n'),
    attachments: [{ filename: 'Beskæftigelsesplan.pdf', content: tinyPdf('Beskæftigelsesplan 2027') }],
  });
}

/** An authority's own mail with no deadline in it. */
export function directMailWithoutDeadline(options: { id?: string } = {}) {
  return compose({
    from: '"Social- og Boligstyrelsen" <post@sbst.dk>',
    to: 'hoeringer@raadssvar.test',
    subject: 'Orientering om ny vejledning',
    messageId: options.id ?? messageId(),
    text: 'Til rådets orientering sender vi den nye vejledning. Vi hører gerne fra jer.',
  });
}

/** Outlook's "forward as attachment": the original is an attached message/rfc822. */
export async function forwardedAsAttachment(options: { id?: string } = {}) {
  const original = await compose({
    from: 'Ældre- og Sundhedsforvaltningen <aeldre@naestved.dk>',
    to: 'integrationsraad@naestved.dk',
    subject: 'Høring: Værdighedspolitik',
    messageId: messageId(),
    text: 'Forvaltningen sender værdighedspolitikken i høring. Svar senest den 20. januar 2027.',
    attachments: [{ filename: 'Værdighedspolitik.pdf', content: tinyPdf('Værdighedspolitik') }],
  });
  return compose({
    from: 'Mette Kjærgaard <sekretariat@naestved.dk>',
    to: 'hoeringer@raadssvar.test',
    subject: 'VS: Høring: Værdighedspolitik',
    messageId: options.id ?? messageId(),
    text: 'Se vedhæftede.',
    attachments: [{ filename: 'Høring.eml', content: original, contentType: 'message/rfc822' }],
  });
}

/** Bytes that are no mail: no header at all (a broken export, a file put in the folder by hand). */
export const unreadableMail = () =>
  Buffer.concat([Buffer.from('\r\n\r\n'), Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x02]), Buffer.from('\r\nikke en mail\r\n')]);
