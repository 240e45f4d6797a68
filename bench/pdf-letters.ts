import type { LetterData } from '../src/domain/pdf/letter.ts';

const PARAGRAPH =
  'Integrationsrådet støtter strategiens mål om beskæftigelse og uddannelse, men savner konkrete indsatser for kvinder ' +
  'uden for arbejdsmarkedet og for unge med kort skolegang. Rådet anbefaler, at kommunen inddrager foreningerne tidligt, ' +
  'at tolkebistand fortsat er gratis, og at målene følges op hvert år i samarbejde med rådet.';

/** A realistic one-to-two page response. */
export function body(n: number): string {
  return [
    `## Bemærkninger til høring nr. ${n}`,
    ...Array.from({ length: 6 }, (_, i) => `${PARAGRAPH} (${i + 1})`),
    '- Sprogundervisning for både børn og forældre\n- Flere brobyggere i boligområderne\n- Årlig opfølgning i rådet',
    'Rådet ser frem til at følge arbejdet og bidrager gerne til den videre proces.',
  ].join('\n\n');
}

/** The letterhead of the benchmark's council. */
export const COUNCIL = {
  name: 'Integrationsrådet i Næstved Kommune',
  address: 'Rådmandshaven 20\n4700 Næstved',
  contact: 'integrationsraad@naestved.dk · 55 88 55 88',
};

/** Letter `n` of the benchmarks: the same council and authority, a body of one to two pages. */
export function letter(n: number): LetterData {
  return {
    council: { ...COUNCIL, logoDataUri: null },
    authority: 'Beskæftigelses- og Uddannelsesudvalget, Næstved Kommune',
    title: 'Udkast til Integrationsstrategi 2026–2029',
    authorityReference: '25-012345',
    reference: `IR-2026-${String(n).padStart(4, '0')}`,
    date: new Date(),
    bodyMarkdown: body(n),
    signer: { name: 'Ahmad Hussein', title: 'formand' },
    draft: false,
  };
}
