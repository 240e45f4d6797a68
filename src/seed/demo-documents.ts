import type { Actor } from '../domain/access/actor.ts';
import { checkDocuments, storeDocuments } from '../domain/consultations/documents.ts';
import { extractStoredDocument } from '../domain/consultations/document-text.ts';
import type { EventDeps } from '../domain/consultations/service.ts';
import { docxWithText, odtWithText, pdfWithText, scannedPdf } from './document-files.ts';

// The authorities' documents of the demo consultations, with real text, so that a search for a
// word inside them finds the consultation; one is a scan without a text layer, as real ones are.

type DemoFile = () => Promise<{ name: string; bytes: Buffer }>;

const DOCUMENTS: Record<string, DemoFile[]> = {
  'Udkast til Integrationsstrategi 2026–2029': [
    async () => ({
      name: 'Integrationsstrategi 2026-2029 – høringsudkast.pdf',
      bytes: await pdfWithText([
        [
          'Næstved Kommune – Integrationsstrategi 2026–2029 (høringsudkast)',
          'Strategien har tre spor: beskæftigelse, danskuddannelse og fællesskab. Målet er, at flere nyankomne kommer i job eller uddannelse inden for tre år.',
          'Sprogcentret skal tilbyde fleksible forløb om aftenen, så danskundervisning kan kombineres med arbejde.',
        ],
        ['Økonomi', 'Strategien finansieres inden for den eksisterende ramme. Kommunen vil følge op med en årlig status til Integrationsrådet.'],
      ]),
    }),
    async () => ({ name: 'Underskrevet følgebrev (scannet).pdf', bytes: await scannedPdf(1) }),
  ],
  // Last year's answer the demo secretary finds again, by a word of the status report itself.
  'Status på Integrationsstrategi 2022–2025': [
    async () => ({
      name: 'Status 2025 – Integrationsstrategi 2022-2025.pdf',
      bytes: await pdfWithText([
        [
          'Næstved Kommune – status på Integrationsstrategi 2022–2025',
          'Beskæftigelsesfrekvensen for nyankomne flygtninge er steget fra 38 til 51 procent. For kvinder er stigningen mindre.',
          'Mentorordningen i foreningslivet har haft 64 deltagere; 40 af dem er kommet i job eller uddannelse.',
        ],
      ]),
    }),
  ],
  'Boligsocial helhedsplan for Kalbyris og Nørremarken 2027–2030': [
    async () => ({
      name: 'Helhedsplan Kalbyris og Nørremarken.docx',
      bytes: await docxWithText([
        'Boligsocial helhedsplan 2027–2030',
        'Helhedsplanen rummer indsatser for lektiehjælp, fritidsjob til unge og en fremskudt jobcenterindsats i boligområderne.',
        'Beboerrådgiverne samarbejder med Integrationsrådet om forældrecaféer og tolkning ved beboermøder.',
      ]),
    }),
  ],
  'Ændring af retningslinjer for tolkebistand': [
    async () => ({
      name: 'Retningslinjer for tolkebistand.odt',
      bytes: await odtWithText([
        'Retningslinjer for tolkebistand i sundhedsvæsenet',
        'Borgere, der har boet i Danmark i mere end tre år, skal fremover selv betale for tolkning ved lægebesøg.',
        'Undtaget er borgere, der på grund af sygdom ikke kan lære dansk.',
      ]),
    }),
  ],
};

/**
 * Stores the demo documents of the consultation titled `title` and reads their text at once (in
 * the app the pg-boss job does that a moment later).
 */
export async function addDemoDocuments(deps: EventDeps, secretary: Actor, consultationId: string, title: string): Promise<void> {
  const files = await Promise.all((DOCUMENTS[title] ?? []).map((make) => make()));
  if (files.length === 0) return;
  const checked = await checkDocuments(files.map((f) => ({ originalName: f.name, bytes: f.bytes })));
  const ids = await deps.db.transaction().execute((tx) => storeDocuments(tx, deps.jobs, secretary, consultationId, checked));
  for (const id of ids) await extractStoredDocument(deps, id);
}
