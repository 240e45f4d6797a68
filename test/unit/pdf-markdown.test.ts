import { expect } from 'chai';
import { renderMarkdownSafe } from '../../src/domain/pdf/markdown.ts';

/** Every tag name in an HTML fragment, lower-cased. */
function tagsOf(html: string): string[] {
  return [...html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9]*)/g)].map((match) => match[1]!.toLowerCase());
}

/** Every attribute name in an HTML fragment, lower-cased. */
function attributesOf(html: string): string[] {
  return [...html.matchAll(/<[a-zA-Z][^>]*>/g)].flatMap((tag) => [...tag[0].matchAll(/\s([a-zA-Z-:]+)=/g)].map((match) => match[1]!.toLowerCase()));
}

// No h1: that is the letter's subject alone.
const ALLOWED_TAGS = new Set([
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
]);

describe('renderMarkdownSafe', () => {
  it('keeps the formatting a consultation response uses, with æ, ø and å', () => {
    const html = renderMarkdownSafe(
      [
        '# Høringssvar',
        '## Bemærkninger',
        'Rådet **støtter** forslaget, men _savner_ fokus på ældre.',
        '- Sprogundervisning\n- Beskæftigelse',
        '3. tredje\n4. fjerde',
        '> Citat fra årsberetningen',
        '| Punkt | Bemærkning |\n|:--|--:|\n| 1 | Øget fokus på børn |',
        '---',
        'første linje  \nanden linje',
      ].join('\n\n'),
    );
    // One level down: the letter's subject is its one h1.
    expect(html).to.include('<h2>Høringssvar</h2>');
    expect(html).to.include('<h3>Bemærkninger</h3>');
    expect(html).to.include('<strong>støtter</strong>');
    expect(html).to.include('<em>savner</em>');
    expect(html).to.include('<li>Sprogundervisning</li>');
    expect(html).to.include('<ol start="3">');
    expect(html).to.match(/<blockquote>\s*<p>Citat fra årsberetningen<\/p>\s*<\/blockquote>/);
    expect(html).to.include('<th align="left">Punkt</th>');
    expect(html).to.include('<td align="right">Øget fokus på børn</td>');
    expect(html).to.include('<hr />');
    expect(html).to.include('første linje<br />anden linje');
    for (const tag of tagsOf(html)) expect(ALLOWED_TAGS.has(tag), tag).to.equal(true);
  });

  it('drops script, style, images, frames, objects and links to resources, with their contents', () => {
    const html = renderMarkdownSafe(
      [
        'Før',
        '<script>document.write("SKRIPT")</script>',
        '<style>body { background: url(http://127.0.0.1:9/y) }</style>',
        '<link rel="stylesheet" href="http://127.0.0.1:9/css">',
        '<img src="http://127.0.0.1:9/x" alt="billede">',
        '![billede](http://127.0.0.1:9/x.png)',
        '<iframe src="http://127.0.0.1:9/frame">RAMMETEKST</iframe>',
        '<object data="http://127.0.0.1:9/o">OBJEKT</object><embed src="http://127.0.0.1:9/e">',
        '<svg><image href="http://127.0.0.1:9/s"/><text>SVGTEKST</text></svg>',
        '<noscript>NOSCRIPT</noscript><template>SKABELON</template>',
        '<meta http-equiv="refresh" content="0;url=http://127.0.0.1:9/r"><base href="http://127.0.0.1:9/">',
        '<form action="http://127.0.0.1:9/f"><input name="x"></form>',
        'Efter',
      ].join('\n\n'),
    );
    expect(html).to.include('Før');
    expect(html).to.include('Efter');
    for (const gone of ['SKRIPT', 'RAMMETEKST', 'OBJEKT', 'SVGTEKST', 'NOSCRIPT', 'SKABELON', '127.0.0.1', 'url(', 'background']) {
      expect(html, gone).not.to.include(gone);
    }
    for (const tag of tagsOf(html)) expect(ALLOWED_TAGS.has(tag), tag).to.equal(true);
  });

  it('removes style, class, id and event-handler attributes', () => {
    const html = renderMarkdownSafe(
      '<p style="background:url(http://127.0.0.1:9/y)" class="rød" id="a" onclick="x()">tekst</p>\n\n' +
        '<a href="https://www.naestved.dk" style="color:red" onmouseover="x()" target="_blank">link</a>',
    );
    expect(html).to.include('<p>tekst</p>');
    expect(html).to.include('<a href="https://www.naestved.dk">link</a>');
    expect(attributesOf(html)).to.deep.equal(['href']);
    expect(html).not.to.include('url(');
  });

  it('keeps http, https and mailto links and strips any other href', () => {
    const html = renderMarkdownSafe(
      [
        '[web](https://www.naestved.dk/integration)',
        '[gammel](http://example.dk)',
        '[post](mailto:integrationsraad@naestved.dk)',
        '[js](javascript:alert(1))',
        '[data](data:text/html;base64,PHNjcmlwdD4=)',
        '[relativ](//evil.example/x)',
        '[fil](file:///etc/passwd)',
        '<a href="JaVaScRiPt:alert(1)">blandet</a>',
        '<a href="&#106;avascript:alert(1)">kodet</a>',
      ].join(' '),
    );
    expect(html).to.include('<a href="https://www.naestved.dk/integration">web</a>');
    expect(html).to.include('<a href="http://example.dk">gammel</a>');
    expect(html).to.include('<a href="mailto:integrationsraad@naestved.dk">post</a>');
    for (const text of ['js', 'data', 'relativ', 'fil', 'blandet', 'kodet']) expect(html).to.include(`<a>${text}</a>`);
    expect(html.toLowerCase()).not.to.match(/javascript|data:|file:|evil/);
  });

  it('escapes text that looks like markup instead of dropping it', () => {
    const html = renderMarkdownSafe('Beløb < 5 mio. kr. & "tilskud" > 0');
    expect(html).to.include('Beløb &lt; 5 mio. kr. &amp; "tilskud" &gt; 0');
  });

  it('moves every heading one level down, raw HTML ones too, and keeps h6 at h6', () => {
    const html = renderMarkdownSafe('# Et\n\n###### Seks\n\n<h1>Rå</h1>\n\n<h5>Fem</h5>');
    expect(html).to.equal('<h2>Et</h2>\n<h6>Seks</h6>\n<h2>Rå</h2><h6>Fem</h6>');
  });

  it('returns an empty string for an empty draft', () => {
    expect(renderMarkdownSafe('')).to.equal('');
  });
});
