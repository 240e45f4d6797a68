import { writeFileSync } from 'node:fs';
import { ChromiumPdfRenderer } from '/work/wt/pdfa/src/adapters/chromium-pdf.ts';
import { renderLetterHtml } from '/work/wt/pdfa/src/domain/pdf/letter.ts';
import { DEFAULT_CHROMIUM_PATH } from '/work/wt/pdfa/src/config.ts';
const r = new ChromiumPdfRenderer({ chromiumPath: process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM_PATH });
const pdf = await r.render(renderLetterHtml({
  council: { name: 'Integrationsrådet i Næstved Kommune', address: 'Rådmandshaven 20\n4700 Næstved', contact: 'x@y.dk', logoDataUri: null },
  authority: 'Beskæftigelses- og Uddannelsesudvalget', title: 'Udkast til strategi', authorityReference: '24.10', reference: 'IR-1',
  date: new Date('2026-03-12T11:00:00Z'),
  bodyMarkdown: '## Bemærkninger\n\nRådet **støtter** målet, _særlig_ [link](https://example.dk) `kode`\n\n- a\n- b\n\n> citat\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n### Under\n\n1. x\n2. y\n\n~~slet~~',
  signer: { name: 'Ahmad', title: 'formand' }, draft: false,
}));
writeFileSync('/tmp/pdfa/raw.pdf', pdf);
await r.close();
