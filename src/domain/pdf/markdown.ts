import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

/*
 * Drafts are written by council secretaries and members, but they end up inside an HTML page that
 * a headless Chromium on our server turns into the archived PDF. Anything that could run script,
 * load a resource (img, iframe, link, object, CSS url()) or restyle the letter is therefore dropped
 * here. The renderer also blocks script and network on its own (defence in depth), so this list
 * is about keeping the letter a plain, formal letter as much as about safety.
 */

// A private instance so that options set on the global `marked` elsewhere never reach the letter.
const marked = new Marked({ gfm: true, breaks: false, async: false });

const SANITIZE_OPTIONS: sanitizeHtml.IOptions = {
  // No h1: the letter's subject ("Høringssvar vedr. …") is its one first-level heading, so every
  // heading of the text moves one level down (transformTags below).
  allowedTags: [
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'p',
    'br',
    'hr',
    'blockquote',
    'ul',
    'ol',
    'li',
    'em',
    'strong',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
    'a',
  ],
  allowedAttributes: {
    a: ['href'],
    // marked writes the GFM column alignment and ordered-list start as attributes; neither can
    // carry a URL or CSS.
    th: ['align'],
    td: ['align'],
    ol: ['start'],
  },
  allowedClasses: {},
  allowedStyles: {},
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: {},
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  allowVulnerableTags: false,
  disallowedTagsMode: 'discard',
  // The text inside these is code or markup, not prose, so it must not show up in the letter.
  nonTextTags: [
    'script',
    'style',
    'textarea',
    'option',
    'noscript',
    'iframe',
    'object',
    'embed',
    'svg',
    'math',
    'template',
    'title',
    'head',
    'xmp',
    'noembed',
    'noframes',
    'plaintext',
    'select',
  ],
  // Markdown `#` and a raw <h1> alike: h1 → h2 … h5 → h6; h6 stays h6, the lowest level there is.
  transformTags: { h1: 'h2', h2: 'h3', h3: 'h4', h4: 'h5', h5: 'h6' },
  enforceHtmlBoundary: false,
  parseStyleAttributes: false,
};

/**
 * Turns the Markdown text of a draft into HTML that is safe to put in the letter (and in the draft
 * preview, which shows it the same way): only headings, one level down from the Markdown's (`#` is
 * h2, as the letter's subject is its h1),
 * paragraphs, lists, emphasis, block quotes, tables, line breaks, rules and links (http, https and
 * mailto only) survive; no images, frames, scripts, styles, classes or attributes beyond `href`,
 * table-cell `align` and list `start`.
 *
 * @param markdown the draft text; raw HTML inside it is sanitised like the rest.
 * @returns an HTML fragment for the body of the letter.
 */
export function renderMarkdownSafe(markdown: string): string {
  // marked returns a string when async is false; the cast only narrows its union return type.
  const html = marked.parse(markdown, { async: false });
  return sanitizeHtml(html, SANITIZE_OPTIONS);
}
