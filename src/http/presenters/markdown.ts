import { marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

// The preview stands under the page's h2 "Høringssvar": the draft's headings (# and down) start at h3,
// so a `#` in the draft never makes a second h1 on the page.
const HEADINGS_UNDER_SECTION = { h1: 'h3', h2: 'h4', h3: 'h5', h4: 'h6', h5: 'h6', h6: 'h6' };

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
      'h5',
      'h6',
      'table',
      'thead',
      'tbody',
      'tr',
      'th',
      'td',
      'hr',
    ],
    allowedAttributes: {},
    transformTags: HEADINGS_UNDER_SECTION,
  });
}
