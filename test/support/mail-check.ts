import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/*
 * Independent checks of a mail as it came over SMTP: Python's e-mail parser (parse-mail.py) and
 * SpamAssassin with its local tests only (-L: no DNS or network lists, so the score is the same
 * on any machine).
 */

const PARSE_MAIL = fileURLToPath(new URL('./parse-mail.py', import.meta.url));

/** Runs `command` with `input` on stdin; resolves with stdout, rejects on a non-zero exit. */
function run(command: string, args: string[], input: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else reject(new Error(`${command} exited with ${code}: ${Buffer.concat(err).toString('utf8')}`));
    });
    child.stdin.end(input);
  });
}

/** One MIME part as Python sees it. */
export interface ParsedPart {
  contentType: string;
  charset: string | null;
  transferEncoding: string | null;
  filename: string | null;
  defects: string[];
}

/** One header field as Python sees it (policy.default: RFC 2047 decoded). */
export interface ParsedHeader {
  value: string;
  defects: string[];
  addresses?: string[];
  datetime?: string;
}

/** A mail as Python's `email.parser.BytesParser(policy=email.policy.default)` reads it. */
export interface ParsedMail {
  contentType: string;
  defects: string[];
  headers: Record<
    'From' | 'To' | 'Subject' | 'Date' | 'Message-ID' | 'Reply-To' | 'Auto-Submitted' | 'List-Unsubscribe' | 'List-Unsubscribe-Post' | 'MIME-Version',
    ParsedHeader[]
  >;
  parts: ParsedPart[];
  /** The children of each multipart/alternative part. */
  alternative: ParsedPart[][];
  /** The decoded text/plain and text/html bodies (get_body), or null. */
  text: string | null;
  html: string | null;
  attachments: { filename: string | null; contentType: string; size: number }[];
}

/** Parses a raw mail with /usr/bin/python3's e-mail package. */
export async function parseMail(bytes: Buffer): Promise<ParsedMail> {
  return JSON.parse(await run('/usr/bin/python3', [PARSE_MAIL], bytes)) as ParsedMail;
}

/** SpamAssassin's verdict on a mail: its score, the threshold and the rules that hit. */
export interface SpamVerdict {
  score: number;
  required: number;
  tests: string[];
}

/** Scores a raw mail with `spamassassin -L -t` (local tests only, test mode: the report is added to the mail). */
export async function spamVerdict(bytes: Buffer): Promise<SpamVerdict> {
  const out = await run('spamassassin', ['-L', '-t'], bytes);
  // X-Spam-Status: No, score=-0.1 required=5.0 tests=A,B,\n\tC autolearn=…
  const status = /^X-Spam-Status: (?:Yes|No), score=(-?[\d.]+) required=([\d.]+)(?: tests=([\s\S]*?))? autolearn=/m.exec(out);
  if (!status) throw new Error(`no X-Spam-Status in SpamAssassin's answer:\n${out.slice(0, 2000)}`);
  const tests = (status[3] ?? '')
    .replace(/\s+/g, '')
    .split(',')
    .filter((t) => t !== '' && t !== 'none');
  return { score: Number(status[1]), required: Number(status[2]), tests };
}

/** The bytes of a mail's first attachment, as Python's e-mail package decodes them. */
export function firstAttachment(mail: Buffer): Buffer {
  const script =
    'import sys, email, email.policy\n' +
    'm = email.message_from_binary_file(sys.stdin.buffer, policy=email.policy.default)\n' +
    'sys.stdout.buffer.write(next(m.iter_attachments()).get_content())';
  return execFileSync('/usr/bin/python3', ['-c', script], { input: mail, maxBuffer: 64 * 1024 * 1024 });
}
