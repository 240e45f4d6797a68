#!/usr/bin/env node
// Runs before `npm start` and `npm test` (npm's pre-scripts). It uses only Node's own modules,
// because on a fresh clone nothing else is installed yet. It installs what is missing:
//   1. the npm dependencies (npm ci), when node_modules is missing or older than package-lock.json;
//   2. Debian's chromium-headless-shell (PDF letters), chromium (the browser tests) and fonts with
//      æ, ø and å, when missing and this machine allows it;
//   3. before `npm test` only: the independent checkers the tests run on Rådssvar's outputs (poppler
//      and qpdf on the letters, Java for the W3C Nu HTML checker, SpamAssassin and Python's
//      icalendar on the mails and calendar feeds, and dovecot as the IMAP server of the mail intake).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, accessSync, constants } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stampFile = join(root, 'node_modules', '.raadssvar-setup');

function say(line) {
  process.stderr.write(`[opsætning] ${line}\n`);
}

function lockHash() {
  const lock = join(root, 'package-lock.json');
  const pkg = join(root, 'package.json');
  const hash = createHash('sha256');
  if (existsSync(lock)) hash.update(readFileSync(lock));
  hash.update(readFileSync(pkg));
  return hash.digest('hex');
}

function ensureNodeModules() {
  const wanted = lockHash();
  const current = existsSync(stampFile) ? readFileSync(stampFile, 'utf8').trim() : '';
  if (current === wanted) return;
  say('installerer npm-pakker (npm ci) ...');
  const result = spawnSync('npm', ['ci', '--no-fund', '--no-audit'], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    // The browser comes from Debian; no package may download its own.
    env: { ...process.env, PUPPETEER_SKIP_DOWNLOAD: '1', PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' },
  });
  if (result.status !== 0) {
    say('npm ci fejlede; se meddelelserne ovenfor.');
    process.exit(result.status ?? 1);
  }
  writeFileSync(stampFile, `${wanted}\n`);
}

function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function hasCommand(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

const fontDir = '/usr/share/fonts/truetype/dejavu';

function ensureChromiumAndFonts() {
  // Keep in step with DEFAULT_CHROMIUM_PATH in src/config.ts (this script runs before any
  // TypeScript can be loaded).
  const chromiumPath = process.env.CHROMIUM_PATH || '/usr/lib/chromium/chromium-headless-shell';
  const browserPath = process.env.TEST_BROWSER_PATH || '/usr/bin/chromium';
  const missing = [];
  if (!isExecutable(chromiumPath)) missing.push('chromium-headless-shell');
  if (!isExecutable(browserPath)) missing.push('chromium');
  if (!existsSync(fontDir)) missing.push('fonts-dejavu-core');
  if (!existsSync('/usr/share/fonts/truetype/liberation')) missing.push('fonts-liberation');
  aptInstall(missing, 'eller sæt CHROMIUM_PATH (PDF-breve) og TEST_BROWSER_PATH (browsertests) til en Chromium, og kør kommandoen igen.');
}

/** The checkers the test suite runs on the letters, pages, calendars and mails (Debian package per command). */
function ensureTestTools() {
  const wanted = [
    ['pdftotext', 'poppler-utils'],
    ['qpdf', 'qpdf'],
    ['java', 'default-jre-headless'],
    ['spamassassin', 'spamassassin'],
  ];
  // The mail-intake tests run a real IMAP server: Debian's dovecot, started by the tests on its own port.
  if (!isExecutable('/usr/sbin/dovecot')) wanted.push(['/usr/sbin/dovecot', 'dovecot-imapd']);
  const missing = wanted.filter(([command]) => !hasCommand(command)).map(([, pkg]) => pkg);
  const python = spawnSync('/usr/bin/python3', ['-c', 'import icalendar'], { stdio: 'ignore' });
  if (python.status !== 0) missing.push('python3-icalendar');
  aptInstall(missing, 'Testene bruger dem til at kontrollere breve, sider, kalendere og mails.');
}

function aptInstall(missing, hint) {
  if (missing.length === 0) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !hasCommand('apt-get')) {
    say(`mangler: ${missing.join(', ')}. Installér dem (Debian: sudo apt-get install ${missing.join(' ')})`);
    say(hint);
    process.exit(1);
  }
  say(`installerer ${missing.join(', ')} med apt-get ...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
  let result = install();
  if (result.status !== 0) {
    execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
    result = install();
  }
  if (result.status !== 0) {
    say(`apt-get kunne ikke installere ${missing.join(', ')}.`);
    process.exit(1);
  }
}

ensureNodeModules();
ensureChromiumAndFonts();
if (process.env.npm_lifecycle_event === 'pretest') ensureTestTools();
