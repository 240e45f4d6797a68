import { Document, HeadingLevel, Packer, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } from 'docx';
import { seatText } from '../users/service.ts';
import { formatDanishDate, formatDanishDateTime } from '../time.ts';
import type { AnnualReport } from './annual-report.ts';
import { noticeTableRows, responsesSummary, TIMELINESS_TEXT } from './annual-report-text.ts';

/*
 * The annual report as a Word document (the `docx` library), for councils that finish it in
 * Word: the same sections and figures as the PDF, as headings, paragraphs, lists and tables the
 * secretary can edit. The written sections' Markdown becomes plain paragraphs and bullets.
 */

function heading(text: string, level: (typeof HeadingLevel)[keyof typeof HeadingLevel] = HeadingLevel.HEADING_1): Paragraph {
  return new Paragraph({ text, heading: level });
}

function bullet(text: string): Paragraph {
  return new Paragraph({ text, bullet: { level: 0 } });
}

/** Markdown as Word paragraphs: a blank line parts paragraphs, "- " or "* " starts a bullet, emphasis marks are dropped. */
function markdownParagraphs(markdown: string): Paragraph[] {
  const plain = (line: string) =>
    line
      .replace(/[*_`]+/g, '')
      .replace(/^#+\s*/, '')
      .trim();
  return markdown
    .replace(/\r\n?/g, '\n')
    .split(/\n{2,}/)
    .flatMap((block) => {
      const lines = block.split('\n').filter((line) => line.trim() !== '');
      if (lines.length > 0 && lines.every((line) => /^\s*[-*]\s+/.test(line)))
        return lines.map((line) => bullet(plain(line.replace(/^\s*[-*]\s+/, ''))));
      const text = plain(lines.join(' '));
      return text === '' ? [] : [new Paragraph({ text })];
    });
}

function table(header: string[], rows: (string | number)[][]): Table {
  const row = (cells: (string | number)[], bold = false) =>
    new TableRow({
      tableHeader: bold,
      children: cells.map((cell) => new TableCell({ children: [new Paragraph({ children: [new TextRun({ text: String(cell), bold })] })] })),
    });
  return new Table({ width: { size: 100, type: WidthType.PERCENTAGE }, rows: [row(header, true), ...rows.map((cells) => row(cells))] });
}

/** The report as the bytes of a .docx file. */
export async function annualReportDocx(report: AnnualReport): Promise<Buffer> {
  const { sections } = report;
  const children: (Paragraph | Table)[] = [
    new Paragraph({ text: `Årsberetning ${report.year}`, heading: HeadingLevel.TITLE }),
    new Paragraph({ text: report.council.name }),
    new Paragraph({ text: `Dato: ${formatDanishDate(report.generatedAt)}${report.yearEnded ? '' : ' (året er ikke slut)'}` }),
  ];
  if (sections.foreword.trim()) children.push(heading('Formandens forord'), ...markdownParagraphs(sections.foreword));
  children.push(heading('Møder'));
  if (report.meetings.length === 0) children.push(new Paragraph({ text: 'Rådet holdt ingen møder i året.' }));
  for (const m of report.meetings) children.push(bullet(`${formatDanishDateTime(m.startsAt)}${m.place ? ` – ${m.place}` : ''}`));
  children.push(heading('Høringssvar'), new Paragraph({ text: responsesSummary(report) }));
  if (report.byAuthority.length > 0) {
    children.push(
      table(
        ['Myndighed', 'Svar', 'Til tiden', 'Efter forlængelse', 'Efter fristen'],
        report.byAuthority.map(({ figures: f }) => [f.label, f.count, f.onTime, f.afterExtension, f.late]),
      ),
    );
    for (const group of report.byAuthority) {
      children.push(heading(`${group.figures.label} (${group.figures.count})`, HeadingLevel.HEADING_2));
      for (const i of group.items) children.push(bullet(`${i.title} – sendt ${formatDanishDate(i.submittedAt)}, ${TIMELINESS_TEXT[i.timeliness]}`));
    }
  }
  if (report.declined.length > 0) {
    children.push(
      heading('Høringer, rådet ikke svarede på', HeadingLevel.HEADING_2),
      ...report.declined.map((d) => bullet(`${d.title} – ${d.authority}`)),
    );
  }
  children.push(heading('Sådan blev svarene besluttet'), ...report.decisions.map((d) => bullet(`${d.label}: ${d.count}`)));
  if (report.outcomes.length > 0)
    children.push(heading('Hvad kom der ud af svarene'), ...report.outcomes.map((o) => bullet(`${o.label}: ${o.count}`)));
  children.push(heading('Varsel ved høringer'));
  if (report.notice.items.length === 0) children.push(new Paragraph({ text: 'Rådet modtog ingen høringer i året.' }));
  else {
    children.push(
      table(
        ['Myndighed', 'Høringer', 'Varsel, median (arbejdsdage)', 'Under 4 uger', 'Frist før næste møde', 'Forlænget'],
        noticeTableRows(report).map((r) => [r.label, r.count, r.median, r.underFourWeeks, r.beforeNextMeeting, r.extended]),
      ),
    );
  }
  if (sections.themes.trim()) children.push(heading('Årets temaer'), ...markdownParagraphs(sections.themes));
  if (sections.activities.trim()) children.push(heading('Aktiviteter'), ...markdownParagraphs(sections.activities));
  children.push(heading('Rådets medlemmer'));
  for (const m of report.members) {
    children.push(bullet(`${m.name} – ${seatText(m.role, m.title)}`));
  }
  const document = new Document({
    creator: 'Rådssvar',
    title: `Årsberetning ${report.year} – ${report.council.name}`,
    styles: { default: { document: { run: { font: 'Calibri', size: 22 } } } },
    sections: [{ children }],
  });
  return Packer.toBuffer(document);
}
