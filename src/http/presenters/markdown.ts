import { marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

/** Markdown → HTML for previews in the app, sanitised: drafts are untrusted text. */
export function renderMarkdownPreview(markdown: string): string {
  const html = marked.parse(markdown, { async: false, gfm: true, breaks: false });
  return sanitizeHtml(html, {
    allowedTags: [
      'p',
      'br',
      'strong',
      'em',
      'ul',
      'ol',
      'li',
      'blockquote',
      'h1',
      'h2',
      'h3',
      'h4',
      'table',
      'thead',
      'tbody',
      'tr',
      'th',
      'td',
      'hr',
    ],
    allowedAttributes: {},
  });
}
