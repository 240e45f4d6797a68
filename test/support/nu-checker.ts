import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const VNU_JAR = path.resolve('node_modules/vnu-jar/build/dist/vnu.jar');

/** One message of the W3C Nu HTML checker's JSON report. */
interface NuMessage {
  type: 'error' | 'info' | 'non-document-error';
  subType?: string;
  url: string;
  lastLine?: number;
  message: string;
  extract?: string;
}

/**
 * Runs the W3C Nu HTML checker (vnu-jar, Java) once, in one JVM, over the HTML files, and returns
 * its errors and its warnings, each as "file:line: message «extract»".
 */
export async function nuCheckerFindings(files: string[]): Promise<{ errors: string[]; warnings: string[] }> {
  // vnu exits 1 when it reports an error; the report is still on stdout.
  const result = await promisify(execFile)('java', ['-jar', VNU_JAR, '--format', 'json', '--stdout', ...files], {
    maxBuffer: 64 * 1024 * 1024,
  }).catch((error: { stdout?: string; code?: number }) => {
    if (error.code === 1 && error.stdout) return { stdout: error.stdout };
    throw error;
  });
  const messages = (JSON.parse(result.stdout) as { messages: NuMessage[] }).messages;
  const listed = (kept: NuMessage[]) =>
    kept.map(
      (m) => `${path.basename(decodeURIComponent(m.url), '.html')}:${m.lastLine ?? '?'}: ${m.message}${m.extract ? ` «${m.extract.trim()}»` : ''}`,
    );
  return {
    errors: listed(messages.filter((m) => m.type !== 'info')),
    warnings: listed(messages.filter((m) => m.type === 'info' && m.subType === 'warning')),
  };
}
