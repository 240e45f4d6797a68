import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { STANDARD_STRUCTURE_TYPES } from '../../src/adapters/pdf-archive-format.ts';

/*
 * Checks of the PDF/A-2 rules the archive's rewrite (src/adapters/pdf-archive-format.ts) claims to
 * meet, read with tools other than the one that wrote the file: qpdf reads the object graph (as
 * JSON) and checks the syntax, poppler reads the Info dictionary, the XMP packet, the fonts, the
 * text and the structure tree, and Python's own XML parser parses the XMP. This is not veraPDF:
 * it checks these rules and no others (README, "Archive format").
 */

const run = promisify(execFile);
const BIG = 64 * 1024 * 1024;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonDict = { [key: string]: Json };

interface QpdfObjects {
  trailer: JsonDict;
  objects: Record<string, Json>;
}

/** Runs a tool with `input` on standard input; resolves with its output and exit status, also when it is not 0. */
function tool(command: string, args: string[], input: Buffer): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { maxBuffer: BIG, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') reject(new Error(`${command} kunne ikke køres: ${error.message}`, { cause: error }));
      else resolve({ stdout, stderr, code: typeof error?.code === 'number' ? error.code : 0 });
    });
    // A tool that reads files, not its input (qpdf --check), may exit before the write ends: the
    // pipe's EPIPE says nothing about the PDF, which the status and output above judge.
    child.stdin?.on('error', () => {});
    child.stdin?.end(input);
  });
}

/** qpdf and poppler read files; a letter lives in memory, so `use` gets it as a temporary file, removed afterwards. */
export async function withPdfFile<T>(pdf: Buffer, use: (path: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'raadssvar-pdfa-'));
  const path = join(dir, 'letter.pdf');
  try {
    await writeFile(path, pdf);
    return await use(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function qpdfObjects(path: string): Promise<QpdfObjects> {
  const { stdout } = await run('qpdf', ['--json=2', '--json-key=qpdf', '--json-stream-data=inline', '--decode-level=generalized', path], {
    maxBuffer: BIG,
  });
  const [, graph] = (JSON.parse(stdout) as { qpdf: [unknown, Record<string, Json>] }).qpdf;
  const objects: Record<string, Json> = {};
  for (const [key, value] of Object.entries(graph)) {
    if (key.startsWith('obj:')) objects[key.slice(4)] = value;
  }
  return { trailer: ((graph.trailer as JsonDict).value as JsonDict) ?? {}, objects };
}

function isDict(value: Json | undefined): value is JsonDict {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Follows an indirect reference ("12 0 R"); a stream gives its dictionary, with its data under `data`. */
function resolve(graph: QpdfObjects, value: Json | undefined): Json | undefined {
  if (typeof value === 'string' && /^\d+ \d+ R$/.test(value)) {
    const object = graph.objects[value] as JsonDict | undefined;
    if (!object) return undefined;
    if (isDict(object.stream)) return { ...(object.stream.dict as JsonDict), data: object.stream.data ?? null };
    return object.value;
  }
  return value;
}

function dict(graph: QpdfObjects, value: Json | undefined): JsonDict | undefined {
  const resolved = resolve(graph, value);
  return isDict(resolved) ? resolved : undefined;
}

function array(graph: QpdfObjects, value: Json | undefined): Json[] {
  const resolved = resolve(graph, value);
  return Array.isArray(resolved) ? resolved : resolved === undefined ? [] : [resolved];
}

/** The XMP properties the rules compare, as Python's ElementTree parses them from the packet. */
interface XmpFacts {
  part: string | null;
  conformance: string | null;
  title: Record<string, string>;
  description: Record<string, string>;
  creator: string[];
  keywords: string | null;
  producer: string | null;
  creatorTool: string | null;
  createDate: string | null;
  modifyDate: string | null;
}

const XMP_READER = String.raw`
import json, sys, xml.etree.ElementTree as ET
NS = {'rdf': 'http://www.w3.org/1999/02/22-rdf-syntax-ns#', 'dc': 'http://purl.org/dc/elements/1.1/',
      'pdfaid': 'http://www.aiim.org/pdfa/ns/id/', 'pdf': 'http://ns.adobe.com/pdf/1.3/', 'xmp': 'http://ns.adobe.com/xap/1.0/'}
LANG = '{http://www.w3.org/XML/1998/namespace}lang'
root = ET.fromstring(sys.stdin.buffer.read())
descriptions = root.findall('.//rdf:Description', NS)
def simple(prefix, name):
    key = '{%s}%s' % (NS[prefix], name)
    for d in descriptions:
        if key in d.attrib: return d.attrib[key]
        e = d.find(key)
        if e is not None: return e.text or ''
    return None
def alt(name):
    for d in descriptions:
        e = d.find('dc:%s/rdf:Alt' % name, NS)
        if e is not None: return {li.get(LANG, ''): li.text or '' for li in e.findall('rdf:li', NS)}
    return {}
def seq(name):
    for d in descriptions:
        e = d.find('dc:%s/rdf:Seq' % name, NS)
        if e is not None: return [li.text or '' for li in e.findall('rdf:li', NS)]
    return []
print(json.dumps({'part': simple('pdfaid', 'part'), 'conformance': simple('pdfaid', 'conformance'),
  'title': alt('title'), 'description': alt('description'), 'creator': seq('creator'),
  'keywords': simple('pdf', 'Keywords'), 'producer': simple('pdf', 'Producer'), 'creatorTool': simple('xmp', 'CreatorTool'),
  'createDate': simple('xmp', 'CreateDate'), 'modifyDate': simple('xmp', 'ModifyDate')}))
`;

async function xmpFacts(xmp: Buffer): Promise<XmpFacts> {
  const { stdout, stderr, code } = await tool('python3', ['-c', XMP_READER], xmp);
  if (code !== 0) throw new Error(`XMP-pakken kan ikke læses som XML: ${stderr.trim()}`);
  return JSON.parse(stdout) as XmpFacts;
}

/** poppler's reading of the Info dictionary (pdfinfo -isodates), key → value. */
async function infoDictionary(path: string): Promise<Record<string, string>> {
  const { stdout } = await run('pdfinfo', ['-isodates', '-enc', 'UTF-8', path], { maxBuffer: BIG });
  const info: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const match = /^([A-Za-z ]+?):\s+(.*)$/.exec(line);
    if (match) info[match[1]!] = match[2]!;
  }
  return info;
}

/** An instant from an ISO date as pdfinfo or XMP write it (an offset may lack its minutes). */
function instant(value: string | null | undefined): number {
  if (!value) return NaN;
  return Date.parse(value.replace(/([+-]\d{2})$/, '$1:00'));
}

/** The standard type a structure type stands for through the RoleMap, or null when none. */
function standardTypeOf(type: string, roleMap: JsonDict): string | null {
  const seen = new Set<string>();
  let current = type;
  while (!STANDARD_STRUCTURE_TYPES.has(current)) {
    if (seen.has(current)) return null;
    seen.add(current);
    const next = roleMap[`/${current}`];
    if (typeof next !== 'string' || !next.startsWith('/')) return null;
    current = next.slice(1);
  }
  return current;
}

function structureTypes(graph: QpdfObjects, root: JsonDict): Set<string> {
  const types = new Set<string>();
  const seen = new Set<Json>();
  const pending = [...array(graph, root['/K'])];
  while (pending.length > 0) {
    const raw = pending.pop()!;
    if (seen.has(raw) && typeof raw === 'string') continue;
    seen.add(raw);
    const element = dict(graph, raw);
    if (!element || element['/Type'] === '/MCR' || element['/Type'] === '/OBJR') continue;
    if (typeof element['/S'] === 'string') types.add(element['/S'].slice(1));
    pending.push(...array(graph, element['/K']));
  }
  return types;
}

function text(value: Json | undefined): string | undefined {
  return typeof value === 'string' ? value.replace(/^u:/, '') : undefined;
}

function checkStructure(graph: QpdfObjects, catalog: JsonDict, findings: string[]): void {
  const markInfo = dict(graph, catalog['/MarkInfo']);
  if (markInfo?.['/Marked'] !== true) findings.push('MarkInfo /Marked er ikke true');
  if (!text(catalog['/Lang'])) findings.push('katalogets /Lang mangler');
  if (dict(graph, catalog['/ViewerPreferences'])?.['/DisplayDocTitle'] !== true) findings.push('ViewerPreferences /DisplayDocTitle er ikke true');
  const root = dict(graph, catalog['/StructTreeRoot']);
  if (!root) {
    findings.push('StructTreeRoot mangler: PDF’en er ikke tagget');
    return;
  }
  const roleMap = dict(graph, root['/RoleMap']) ?? {};
  for (const [from, to] of Object.entries(roleMap)) {
    if (STANDARD_STRUCTURE_TYPES.has(from.slice(1))) findings.push(`RoleMap omdøber standardtypen ${from} (til ${JSON.stringify(to)})`);
  }
  for (const type of structureTypes(graph, root)) {
    if (standardTypeOf(type, roleMap) === null) findings.push(`strukturtypen ${type} er hverken PDF 1.7-standard eller i RoleMap`);
  }
}

function checkOutputIntent(graph: QpdfObjects, catalog: JsonDict, findings: string[]): void {
  const intents = array(graph, catalog['/OutputIntents']).map((intent) => dict(graph, intent));
  const pdfa = intents.filter((intent) => intent?.['/S'] === '/GTS_PDFA1');
  if (pdfa.length !== 1) {
    findings.push(`${pdfa.length} OutputIntents med /S /GTS_PDFA1, ikke 1`);
    return;
  }
  const profile = dict(graph, pdfa[0]!['/DestOutputProfile']);
  if (!profile) {
    findings.push('OutputIntent har ingen DestOutputProfile');
    return;
  }
  if (profile['/N'] !== 3) findings.push(`ICC-profilens /N er ${JSON.stringify(profile['/N'] ?? null)}, ikke 3 (RGB)`);
  const icc = typeof profile.data === 'string' ? Buffer.from(profile.data, 'base64') : Buffer.alloc(0);
  if (icc.length < 128 || icc.toString('latin1', 36, 40) !== 'acsp') findings.push('DestOutputProfile er ikke en ICC-profil');
  else {
    if (icc.toString('latin1', 16, 20) !== 'RGB ') findings.push(`ICC-profilens farverum er "${icc.toString('latin1', 16, 20)}", ikke RGB`);
    if (!['mntr', 'prtr'].includes(icc.toString('latin1', 12, 16))) findings.push('ICC-profilen er hverken en skærm- eller printerprofil');
    if (icc[8]! > 4) findings.push(`ICC-profilens version ${icc[8]} er nyere end PDF/A-2 tillader`);
    if (icc.readUInt32BE(0) !== icc.length) findings.push('ICC-profilens længde passer ikke med dens hoved');
  }
}

function checkObjects(graph: QpdfObjects, findings: string[]): void {
  for (const [ref, object] of Object.entries(graph.objects)) {
    const value = isDict(object) && isDict(object.stream) ? (object.stream.dict as JsonDict) : isDict(object) ? object.value : undefined;
    if (!isDict(value)) continue;
    if (value['/Interpolate'] === true) findings.push(`billede ${ref} har /Interpolate true`);
    if (value['/Type'] === '/Annot' || (typeof value['/Subtype'] === 'string' && ['/Link', '/Widget', '/Text'].includes(value['/Subtype']))) {
      const flags = typeof value['/F'] === 'number' ? value['/F'] : 0;
      if ((flags & 4) === 0 || (flags & (1 | 2 | 32)) !== 0) findings.push(`annotation ${ref} har flagene ${flags}: ikke udskrevet eller skjult`);
    }
    if (value['/S'] === '/JavaScript' || value['/JS'] !== undefined) findings.push(`objekt ${ref} indeholder JavaScript`);
    if (value['/Type'] === '/EmbeddedFile') findings.push(`objekt ${ref} er en indlejret fil`);
  }
}

function checkInfoAgainstXmp(info: Record<string, string>, xmp: XmpFacts, findings: string[]): void {
  const pairs: [string, string | undefined, string | null | undefined][] = [
    ['Title / dc:title', info.Title, xmp.title['x-default']],
    ['Author / dc:creator', info.Author, xmp.creator.length === 1 ? xmp.creator[0] : `${xmp.creator.length} dc:creator`],
    ['Subject / dc:description', info.Subject, xmp.description['x-default']],
    ['Keywords / pdf:Keywords', info.Keywords, xmp.keywords],
    ['Creator / xmp:CreatorTool', info.Creator, xmp.creatorTool],
    ['Producer / pdf:Producer', info.Producer, xmp.producer],
  ];
  for (const [name, fromInfo, fromXmp] of pairs) {
    if (!fromInfo) findings.push(`Info mangler ${name.split(' / ')[0]}`);
    else if (fromInfo !== fromXmp) findings.push(`${name} er forskellige: "${fromInfo}" og "${String(fromXmp)}"`);
  }
  const dates: [string, string | undefined, string | null][] = [
    ['CreationDate / xmp:CreateDate', info.CreationDate, xmp.createDate],
    ['ModDate / xmp:ModifyDate', info.ModDate, xmp.modifyDate],
  ];
  for (const [name, fromInfo, fromXmp] of dates) {
    const a = instant(fromInfo);
    if (Number.isNaN(a) || a !== instant(fromXmp)) findings.push(`${name} er ikke samme tidspunkt: ${fromInfo} og ${fromXmp}`);
  }
  if (!Object.keys(xmp.title).some((lang) => lang !== 'x-default' && lang !== '')) findings.push('dc:title har ingen titel med xml:lang for sproget');
}

async function checkWithPoppler(path: string, findings: string[]): Promise<void> {
  const [fonts, struct, text] = await Promise.all([
    run('pdffonts', [path], { maxBuffer: BIG }),
    run('pdfinfo', ['-struct', path], { maxBuffer: BIG }),
    run('pdftotext', [path, '-'], { maxBuffer: BIG }),
  ]);
  for (const [name, result] of [
    ['pdfinfo -struct', struct],
    ['pdftotext', text],
    ['pdffonts', fonts],
  ] as const) {
    if (result.stderr.trim() !== '') findings.push(`${name} melder: ${result.stderr.trim()}`);
  }
  // pdffonts: name, type (words), encoding, then emb sub uni and the object id; every font embedded, with Unicode.
  for (const line of fonts.stdout.split('\n').slice(2)) {
    const columns = /\s(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$/.exec(line);
    if (!line.trim()) continue;
    if (!columns) findings.push(`pdffonts-linjen kan ikke læses: ${line}`);
    else if (columns[1] !== 'yes') findings.push(`skrifttypen er ikke indlejret: ${line.trim()}`);
    else if (columns[3] !== 'yes') findings.push(`skrifttypen har ingen Unicode-tabel (kræves for niveau U): ${line.trim()}`);
  }
}

/**
 * Every way `pdf` breaks one of the PDF/A-2u rules the archive implements, in Danish; empty when
 * it keeps them all: header %PDF-1.7 with a binary comment, nothing after %%EOF, `qpdf --check`
 * clean, not encrypted, a document ID, XMP (unfiltered, parseable, pdfaid part 2 and the claimed
 * conformance) agreeing with the Info dictionary (title, author, subject, keywords, creator,
 * producer, dates) and a Danish dc:title, exactly one GTS_PDFA1 OutputIntent with an RGB ICC
 * profile of N=3, every font embedded with Unicode (pdffonts), every structure type standard or
 * role-mapped (and no standard type remapped), MarkInfo, /Lang, DisplayDocTitle, annotations
 * printed, no image interpolation, no JavaScript or embedded files, and poppler reading the
 * structure and text without a message.
 */
export async function pdfaFindings(pdf: Buffer, expected: { part: number; conformance: string } = { part: 2, conformance: 'U' }): Promise<string[]> {
  const findings: string[] = [];
  const head = pdf.subarray(0, 32).toString('latin1');
  if (!/^%PDF-1\.7\r?\n%[\x80-\xff]{4}/.test(head))
    findings.push(`filhovedet er ikke %PDF-1.7 fulgt af en binær kommentar: ${JSON.stringify(head.slice(0, 16))}`);
  if (!/%%EOF\r?\n?$/.test(pdf.subarray(-8).toString('latin1'))) findings.push('der står noget efter den sidste %%EOF');
  return withPdfFile(pdf, async (path) => {
    const check = await tool('qpdf', ['--check', path], Buffer.alloc(0));
    if (check.code !== 0 || !check.stdout.includes('No syntax or stream encoding errors found') || check.stderr.trim() !== '') {
      findings.push(`qpdf --check (status ${check.code}): ${(check.stderr + check.stdout).trim()}`);
      return findings;
    }
    if (!check.stdout.includes('File is not encrypted')) findings.push('PDF’en er krypteret');
    const graph = await qpdfObjects(path);
    if (graph.trailer['/Encrypt'] !== undefined) findings.push('traileren har /Encrypt');
    const id = graph.trailer['/ID'];
    if (!Array.isArray(id) || id.length !== 2 || id.some((part) => typeof part !== 'string' || part.length <= 2)) {
      findings.push('traileren har ikke et dokument-ID (/ID med to strenge)');
    }
    const catalog = dict(graph, graph.trailer['/Root']);
    if (!catalog) return [...findings, 'katalogobjektet mangler'];
    const metadata = dict(graph, catalog['/Metadata']);
    if (!metadata || metadata['/Type'] !== '/Metadata' || metadata['/Subtype'] !== '/XML' || typeof metadata.data !== 'string') {
      findings.push('katalogets /Metadata er ikke en XMP-strøm (/Type /Metadata /Subtype /XML)');
    } else {
      if (metadata['/Filter'] !== undefined) findings.push('XMP-strømmen er komprimeret');
      const xmp = await xmpFacts(Buffer.from(metadata.data, 'base64'));
      if (xmp.part !== String(expected.part)) findings.push(`pdfaid:part er ${xmp.part}, ikke ${expected.part}`);
      if (xmp.conformance !== expected.conformance) findings.push(`pdfaid:conformance er ${xmp.conformance}, ikke ${expected.conformance}`);
      checkInfoAgainstXmp(await infoDictionary(path), xmp, findings);
    }
    checkOutputIntent(graph, catalog, findings);
    checkStructure(graph, catalog, findings);
    checkObjects(graph, findings);
    await checkWithPoppler(path, findings);
    return findings;
  });
}

/**
 * Fails with every finding of {@link pdfaFindings} when `pdf` breaks a PDF/A rule the archive
 * implements; `label` says which letter in the message.
 */
export async function assertPdfA(pdf: Buffer, label: string): Promise<void> {
  const findings = await pdfaFindings(pdf);
  if (findings.length > 0) throw new Error(`${label} er ikke PDF/A-2u:\n  - ${findings.join('\n  - ')}`);
}
