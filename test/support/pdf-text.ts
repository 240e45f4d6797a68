import { expect } from 'chai';
import { extractText } from 'unpdf';
import type { WebSession } from './web-session.ts';

/**
 * Fetches a PDF page of the app as `web`'s user and returns its text (extracted with unpdf), all
 * whitespace runs as one space; checks it is a 200 with the PDF content type.
 */
export async function fetchPdfText(baseUrl: string, path: string, web: WebSession): Promise<string> {
  const response = await fetch(`${baseUrl}${path}`, { headers: { cookie: web.cookieHeader() } });
  expect(response.status).to.equal(200);
  expect(response.headers.get('content-type')).to.equal('application/pdf');
  const { text } = await extractText(new Uint8Array(await response.arrayBuffer()), { mergePages: true });
  return text.replace(/\s+/g, ' ');
}

/** Every part is in `text`, in this order. */
export function expectInOrder(text: string, parts: string[]): void {
  const order = parts.map((part) => text.indexOf(part));
  expect(
    order.every((i) => i >= 0),
    text,
  ).to.equal(true);
  expect([...order].sort((a, b) => a - b)).to.deep.equal(order);
}
