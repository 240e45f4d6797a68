/*
 * Finds the consultation deadline in the text of a mail or a hearing: a date written the ways
 * Danish authorities write it ("12. marts 2026", "12.03.2026", "12-03-2026", "12/3 2026",
 * "2026-03-12"), in a sentence that says it is the deadline ("høringsfrist", "frist", "senest",
 * "inden"), with a time when one follows ("kl. 12", "kl. 12.00", "klokken 12:30"). What it finds
 * is a proposal the secretary confirms; a date in a sentence that names no deadline is not one.
 */

const MONTHS: Record<string, number> = {
  januar: 1,
  jan: 1,
  februar: 2,
  feb: 2,
  marts: 3,
  mar: 3,
  april: 4,
  apr: 4,
  maj: 5,
  juni: 6,
  jun: 6,
  juli: 7,
  jul: 7,
  august: 8,
  aug: 8,
  september: 9,
  sep: 9,
  sept: 9,
  oktober: 10,
  okt: 10,
  november: 11,
  nov: 11,
  december: 12,
  dec: 12,
};

const MONTH_NAMES = Object.keys(MONTHS)
  .sort((a, b) => b.length - a.length)
  .join('|');

/** Dates, each with named groups day, month (number or name) and an optional year. */
const DATE_PATTERNS = [
  new RegExp(`(?<!\\d)(?<day>\\d{1,2})\\.?\\s*(?<monthName>${MONTH_NAMES})\\.?(?:\\s+(?<year>\\d{4}))?(?![a-zæøå])`, 'giu'),
  /(?<!\d)(?<year>\d{4})-(?<month>\d{2})-(?<day>\d{2})(?!\d)/gu,
  /(?<!\d)(?<day>\d{1,2})[./-](?<month>\d{1,2})[./-](?<year>\d{4}|\d{2})(?!\d)/gu,
  /(?<!\d)(?<day>\d{1,2})\/(?<month>\d{1,2})(?:\s+(?<year>\d{4}))?(?![\d/])/gu,
];

const TIME_AFTER = /^[\s,]*(?:(?:kl\.?|klokken)\s*(?<hour>\d{1,2})(?:[.:](?<minute>\d{2}))?)/iu;

/** Words that make a sentence name the deadline, strongest first. */
const DEADLINE_WORDS: [RegExp, number][] = [
  [/høringsfrist|hoeringsfrist|svarfrist/iu, 3],
  [/\bfrist/iu, 2],
  [/\bsenest\b|\binden\b|\bdeadline\b/iu, 1],
];

/** A deadline found in a text: the day, the time when one was given, and the sentence it came from. */
export interface FoundDeadline {
  /** `YYYY-MM-DD`. */
  date: string;
  /** `HH:mm`, or null when the text gave no time. */
  time: string | null;
  /** The sentence the date stood in, as the secretary is shown it. */
  sentence: string;
}

const MAX_SENTENCE_CHARS = 300;

/** The text's sentences: its lines, each split where a word or number ends with a full stop and a capital letter follows. */
function sentencesOf(text: string): string[] {
  return text
    .split(/\r?\n/)
    .flatMap((line) => line.split(/(?<=[a-zæøå0-9)][.!?])\s+(?=[A-ZÆØÅ])/u))
    .map((sentence) => sentence.replace(/\s+/g, ' ').trim())
    .filter((sentence) => sentence.length > 0);
}

function isRealDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The year of a date written without one: the first on or after a month before `reference`. */
function yearFor(month: number, day: number, reference: Date): number {
  const year = reference.getUTCFullYear();
  const candidate = Date.UTC(year, month - 1, day);
  return candidate < reference.getTime() - 31 * 86_400_000 ? year + 1 : year;
}

function datesIn(sentence: string, reference: Date): { date: string; time: string | null; index: number }[] {
  const found: { date: string; time: string | null; index: number }[] = [];
  for (const pattern of DATE_PATTERNS) {
    for (const match of sentence.matchAll(pattern)) {
      const groups = match.groups!;
      const day = Number(groups.day);
      const month = groups.monthName ? MONTHS[groups.monthName.toLowerCase()]! : Number(groups.month);
      let year = groups.year ? Number(groups.year) : yearFor(month, day, reference);
      if (year < 100) year += 2000;
      if (!isRealDate(year, month, day) || found.some((f) => f.index === match.index)) continue;
      const time = TIME_AFTER.exec(sentence.slice(match.index + match[0].length));
      const hour = time?.groups?.hour === undefined ? undefined : Number(time.groups.hour);
      const minute = time?.groups?.minute === undefined ? 0 : Number(time.groups.minute);
      const validTime = hour !== undefined && hour < 24 && minute < 60;
      found.push({
        date: `${year}-${pad(month)}-${pad(day)}`,
        time: validTime ? `${pad(hour)}:${pad(minute)}` : null,
        index: match.index,
      });
    }
  }
  return found.sort((a, b) => a.index - b.index);
}

/**
 * The deadline the text states, or undefined when no sentence both names a deadline and holds a
 * date. Of several, the sentence with the strongest word wins ("høringsfrist" over "senest"), and
 * in it the first date. `reference` (when the text was received) gives the year of a date written
 * without one.
 */
export function findDeadline(text: string, reference: Date): FoundDeadline | undefined {
  let best: (FoundDeadline & { weight: number }) | undefined;
  for (const sentence of sentencesOf(text)) {
    const weight = DEADLINE_WORDS.find(([word]) => word.test(sentence))?.[1];
    if (weight === undefined || (best && best.weight >= weight)) continue;
    const [first] = datesIn(sentence, reference);
    if (!first) continue;
    const shown = sentence.length > MAX_SENTENCE_CHARS ? `${sentence.slice(0, MAX_SENTENCE_CHARS - 1)}…` : sentence;
    best = { date: first.date, time: first.time, sentence: shown, weight };
  }
  if (!best) return undefined;
  return { date: best.date, time: best.time, sentence: best.sentence };
}
