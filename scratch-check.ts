import { readFileSync } from 'node:fs';
import { pdfaFindings } from './test/support/pdfa-checks.ts';
for (const f of process.argv.slice(2)) console.log(f, await pdfaFindings(readFileSync(f)));
