import type { EarlierRow } from '../../db/repositories/consultations.ts';

/** One earlier submitted response of the council, as "Tidligere høringssvar" shows it. */
export interface EarlierResponseView {
  consultationId: string;
  title: string;
  authority: string;
  submittedAt: Date;
  sameAuthority: boolean;
  /** The approved text's paragraphs (Markdown source), each one insertable as a quotation. */
  paragraphs: string[];
}

/** The paragraphs of a Markdown text: the blocks between blank lines, trimmed, none empty. */
export function paragraphsOf(body: string): string[] {
  return body
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

/**
 * A paragraph as a Markdown quotation: every line begins with "> ", so the letter shows the whole
 * paragraph quoted (the browser script builds the same text; test/e2e checks they agree).
 */
export function asQuotation(paragraph: string): string {
  return paragraph
    .split('\n')
    .map((line) => (line.trim() ? `> ${line}` : '>'))
    .join('\n');
}

/** The view of an earlier response read with the internals. */
export function earlierResponseView(row: EarlierRow): EarlierResponseView {
  return {
    consultationId: row.id,
    title: row.title,
    authority: row.authority,
    submittedAt: new Date(row.submitted_at),
    sameAuthority: row.same_authority,
    paragraphs: paragraphsOf(row.body),
  };
}
