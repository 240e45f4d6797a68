#!/usr/bin/env node
// `npm run build [-- --out-dir DIR]`: compiles src/, workflows/ and db/migrations with tsc and copies
// views/ and public/ beside them, so DIR mirrors the repository's layout. Every path the code
// resolves relative to its own module (templates, static files, migrations) then holds in DIR as it
// does under tsx, and production needs only DIR, package.json and the production node_modules.
// DIR must lie inside the repository: Node finds node_modules and package.json's "type" by walking up.
import { spawnSync } from 'node:child_process';
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { 'out-dir': { type: 'string', default: 'dist' } } });
const outDir = resolve(root, values['out-dir']);

// A migration or module deleted from the sources must not live on in an old build.
rmSync(outDir, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', outDir], {
  stdio: 'inherit',
});
if (compiled.status !== 0) process.exit(compiled.status ?? 1);
for (const folder of ['views', 'public']) cpSync(join(root, folder), join(outDir, folder), { recursive: true });
// The documented entry points, `node dist/main.js` and `node dist/cli.js`, in front of the mirrored tree.
writeFileSync(join(outDir, 'main.js'), "import './src/main.js';\n");
writeFileSync(join(outDir, 'cli.js'), "import './src/cli/main.js';\n");
process.stderr.write(`Bygget til ${outDir}; start med: node ${join(outDir, 'main.js')}\n`);
