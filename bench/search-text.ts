/**
 * Danish text for the search benchmark (bench/search.ts): sentences of real words, so that the
 * Danish stemmer, the compound expansion and the ranking do real work. A consultation, its
 * response and its document belong to a topic (integration, beskæftigelse, bolig …); a topic's
 * text mixes common words of consultation answers (the first ones far more often, as in real
 * text), the topic's compounds ("integrationsstrategi", "beskæftigelsesindsats") and a few
 * compounds of other topics. Deterministic: the same seed gives the same text.
 */

/** Function words: most are Danish stop words, which to_tsvector drops. */
const FUNCTION_WORDS = [
  'og',
  'i',
  'at',
  'det',
  'der',
  'til',
  'for',
  'på',
  'med',
  'som',
  'en',
  'et',
  'af',
  'de',
  'den',
  'er',
  'har',
  'ikke',
  'kan',
  'skal',
  'vil',
  'om',
  'fra',
  'ved',
  'så',
  'også',
  'men',
  'eller',
  'efter',
  'under',
  'mellem',
  'hvor',
  'når',
  'bør',
  'blive',
];

/** Content words of consultations and answers, the most frequent first. */
export const COMMON_WORDS = [
  'rådet',
  'kommunen',
  'borgere',
  'forslaget',
  'høringen',
  'indsatsen',
  'området',
  'samarbejde',
  'anbefaler',
  'vigtigt',
  'muligheden',
  'udvalget',
  'forvaltningen',
  'målgruppen',
  'opgaven',
  'ansvar',
  'dialog',
  'målet',
  'resultater',
  'økonomien',
  'udgifter',
  'budgettet',
  'rammen',
  'perioden',
  'medarbejdere',
  'ledelsen',
  'sagsbehandlingen',
  'afgørelser',
  'klager',
  'loven',
  'bekendtgørelsen',
  'reglerne',
  'krav',
  'vejledningen',
  'processen',
  'behovet',
  'udviklingen',
  'kvaliteten',
  'evalueringen',
  'opfølgning',
  'handleplanen',
  'foreslår',
  'ønsker',
  'vurderer',
  'bemærker',
  'understreger',
  'støtter',
  'bakker',
  'mener',
  'finder',
  'lægger',
  'sikre',
  'styrke',
  'udvikle',
  'inddrage',
  'forbedre',
  'prioritere',
  'gennemføre',
  'understøtte',
  'etablere',
  'fastholde',
  'reducere',
  'øge',
  'tilbyde',
  'bidrage',
  'skabe',
  'arbejde',
  'modtage',
  'beskrive',
  'fremgår',
  'indebærer',
  'betyder',
  'væsentlig',
  'relevant',
  'nødvendig',
  'tydelig',
  'konkret',
  'særlig',
  'samlet',
  'lokale',
  'kommunale',
  'offentlige',
  'frivillige',
  'sårbare',
  'nye',
  'bred',
  'tidlig',
  'langsigtet',
  'økonomisk',
  'sociale',
  'faglige',
  'digitale',
  'rimelig',
  'positiv',
  'kritisk',
  'familier',
  'forældre',
  'pårørende',
  'foreninger',
  'virksomheder',
  'skoler',
  'institutioner',
  'tilbuddene',
  'ydelser',
  'ventetid',
  'adgang',
  'information',
  'kommunikation',
  'tolkning',
  'sprog',
  'modersmål',
  'fællesskab',
  'deltagelse',
  'medborgerskab',
  'ligestilling',
  'diskrimination',
  'tryghed',
  'trivsel',
  'læring',
  'uddannelse',
  'arbejdsmarkedet',
  'praktik',
  'løntilskud',
  'mentor',
  'vejledning',
  'rådgivning',
  'kontakt',
  'koordinering',
  'helhedsorienteret',
  'tværfaglig',
  'forebyggende',
  'rehabilitering',
  'kapacitet',
  'personale',
  'kompetencer',
  'efteruddannelse',
  'inddragelse',
  'brugerne',
  'repræsentanter',
  'høringsfristen',
  'høringssvaret',
  'bemærkninger',
  'ændringer',
  'beslutningen',
  'byrådet',
  'kommunalbestyrelsen',
  'lovgivningen',
  'paragraf',
  'retningslinjer',
  'servicemål',
  'serviceniveau',
  'prioriteringer',
  'besparelser',
  'investeringer',
  'finansiering',
  'takster',
  'egenbetaling',
  'visitation',
  'bevilling',
  'afslag',
  'ankestyrelsen',
  'datagrundlag',
  'undersøgelse',
  'analyse',
  'erfaringer',
  'evidens',
  'nøgletal',
  'statistik',
  'målsætninger',
  'succeskriterier',
  'tidsplan',
  'implementering',
  'forankring',
  'organisering',
  'ledere',
  'frontmedarbejdere',
  'sagsbehandlere',
  'lokalsamfundet',
  'boligområder',
  'landdistrikter',
  'bydele',
  'nabolaget',
  'transport',
  'tilgængelighed',
  'digitalisering',
  'selvbetjening',
];

/** Topics: the form a word takes as the first part of a compound, and the word on its own. */
export const TOPICS: Array<{ prefix: string; word: string }> = [
  { prefix: 'integrations', word: 'integration' },
  { prefix: 'beskæftigelses', word: 'beskæftigelse' },
  { prefix: 'sundheds', word: 'sundhed' },
  { prefix: 'bolig', word: 'boliger' },
  { prefix: 'skole', word: 'skolen' },
  { prefix: 'trafik', word: 'trafikken' },
  { prefix: 'miljø', word: 'miljøet' },
  { prefix: 'klima', word: 'klimaet' },
  { prefix: 'kultur', word: 'kulturen' },
  { prefix: 'idræts', word: 'idræt' },
  { prefix: 'ældre', word: 'ældre' },
  { prefix: 'børne', word: 'børn' },
  { prefix: 'unge', word: 'unge' },
  { prefix: 'handicap', word: 'handicap' },
  { prefix: 'erhvervs', word: 'erhvervslivet' },
  { prefix: 'psykiatri', word: 'psykiatrien' },
  { prefix: 'misbrugs', word: 'misbrug' },
  { prefix: 'natur', word: 'naturen' },
  { prefix: 'affalds', word: 'affald' },
  { prefix: 'dagtilbuds', word: 'dagtilbud' },
  { prefix: 'uddannelses', word: 'uddannelser' },
  { prefix: 'sprog', word: 'sprogundervisning' },
  { prefix: 'frivilligheds', word: 'frivillighed' },
  { prefix: 'fritids', word: 'fritid' },
  { prefix: 'digitaliserings', word: 'digitaliseringen' },
  { prefix: 'forebyggelses', word: 'forebyggelse' },
  { prefix: 'rehabiliterings', word: 'genoptræning' },
  { prefix: 'hjemløse', word: 'hjemløshed' },
  { prefix: 'tandpleje', word: 'tandplejen' },
  { prefix: 'plan', word: 'planlægning' },
];

/** Second parts of compounds. */
export const SUFFIXES = [
  'strategi',
  'plan',
  'politik',
  'indsats',
  'område',
  'udvalg',
  'tilbud',
  'center',
  'forløb',
  'ydelse',
  'rådgivning',
  'program',
  'aftale',
  'projekt',
  'budget',
  'pulje',
  'kampagne',
  'netværk',
  'team',
  'konsulent',
];

/** Title openings. */
const TITLE_OPENINGS = ['Udkast til', 'Forslag til', 'Høring over', 'Revideret', 'Ny', 'Ændring af', 'Evaluering af', 'Kvalitetsstandard for'];

/** A small, fast, seedable PRNG (mulberry32). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(rnd: () => number, list: readonly T[]): T {
  return list[Math.floor(rnd() * list.length)]!;
}

/** A word with a skew to the front of the list (the square of a uniform number): the first words are the most frequent. */
function skewed<T>(rnd: () => number, list: readonly T[]): T {
  const u = rnd();
  return list[Math.floor(u * u * list.length)]!;
}

function compound(topic: number, rnd: () => number): string {
  return `${TOPICS[topic]!.prefix}${pick(rnd, SUFFIXES)}`;
}

/** One sentence of 8–16 words on a topic. */
export function sentence(topic: number, rnd: () => number): string {
  const length = 8 + Math.floor(rnd() * 9);
  const words: string[] = [];
  for (let i = 0; i < length; i++) {
    const u = rnd();
    if (u < 0.3) words.push(pick(rnd, FUNCTION_WORDS));
    else if (u < 0.75) words.push(skewed(rnd, COMMON_WORDS));
    else if (u < 0.9) words.push(compound(topic, rnd));
    else if (u < 0.95) words.push(TOPICS[topic]!.word);
    else words.push(compound(Math.floor(rnd() * TOPICS.length), rnd));
  }
  const text = words.join(' ');
  return `${text[0]!.toUpperCase()}${text.slice(1)}${rnd() < 0.15 ? ',' : ''}.`;
}

/** A paragraph of 3–6 sentences. */
export function paragraph(topic: number, rnd: () => number): string {
  const count = 3 + Math.floor(rnd() * 4);
  return Array.from({ length: count }, () => sentence(topic, rnd)).join(' ');
}

/** The characters of one page, as the issue counts them. */
export const PAGE_CHARS = 2500;

/** One page (about PAGE_CHARS characters) as paragraphs. */
export function page(topic: number, rnd: () => number): string[] {
  const paragraphs: string[] = [];
  let chars = 0;
  while (chars < PAGE_CHARS) {
    const p = paragraph(topic, rnd);
    paragraphs.push(p);
    chars += p.length + 2;
  }
  return paragraphs;
}

/** A title on a topic, e.g. "Udkast til integrationsstrategi". */
export function title(topic: number, rnd: () => number): string {
  return `${pick(rnd, TITLE_OPENINGS)} ${compound(topic, rnd)}`;
}

/** The words the benchmark searches for, by query kind; varied from call to call. */
export function queryWords(seed = 18): { oneWord: string[]; twoWord: string[]; prefix: string[] } {
  const rnd = random(seed);
  const content = COMMON_WORDS.slice(0, 120);
  const oneWord: string[] = [];
  const twoWord: string[] = [];
  const prefix: string[] = [];
  for (let i = 0; i < 60; i++) {
    const topic = Math.floor(rnd() * TOPICS.length);
    const kind = i % 4;
    // A common word, a compound, the word of a topic, and a part of compounds ("strategi", which the app expands).
    oneWord.push(kind === 0 ? pick(rnd, content) : kind === 1 ? compound(topic, rnd) : kind === 2 ? TOPICS[topic]!.word : pick(rnd, SUFFIXES));
    twoWord.push(`${pick(rnd, content)} ${kind % 2 === 0 ? compound(topic, rnd) : TOPICS[topic]!.word}`);
    const stem = kind % 2 === 0 ? compound(topic, rnd) : pick(rnd, content);
    prefix.push(`${stem.slice(0, 4 + Math.floor(rnd() * 3))}*`);
  }
  prefix[0] = 'strat*';
  return { oneWord, twoWord, prefix };
}
