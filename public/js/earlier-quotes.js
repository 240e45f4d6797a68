/* global document, Event */
// "Indsæt som citat" on the consultation page (views/pages/consultation.hbs): a progressive
// enhancement. Without this script the earlier responses' paragraphs are plain text to select and
// copy; with it each paragraph gets a button that puts it into the draft's textarea as a Markdown
// quotation ("> " before every line), where the cursor is, for the secretary to edit. Loaded as a
// file of our own because the Content-Security-Policy allows no inline script.
(function () {
  'use strict';

  /** The paragraph as a Markdown quotation, the same as asQuotation in src/domain/consultations/earlier.ts. */
  function asQuotation(paragraph) {
    return paragraph
      .split('\n')
      .map(function (line) {
        return line.trim() ? '> ' + line : '>';
      })
      .join('\n');
  }

  /** Inserts the quotation at the cursor as a block of its own: blank lines before and after it. */
  function insertQuotation(textarea, paragraph) {
    var value = textarea.value;
    var start = typeof textarea.selectionStart === 'number' ? textarea.selectionStart : value.length;
    var end = typeof textarea.selectionEnd === 'number' ? textarea.selectionEnd : start;
    var before = value.slice(0, start).replace(/\s+$/, '');
    var after = value.slice(end).replace(/^\s+/, '');
    var block = asQuotation(paragraph);
    var head = before ? before + '\n\n' : '';
    var tail = after ? '\n\n' + after : '\n';
    textarea.value = head + block + tail;
    var caret = head.length + block.length;
    textarea.focus();
    textarea.setSelectionRange(caret, caret);
    // Anything listening for edits (none today) hears of this one as of typing.
    textarea.dispatchEvent(new Event('input', { bubbles: true }));
  }

  var section = document.getElementById('tidligere-svar');
  if (!section) return;
  var textarea = document.getElementById(section.getAttribute('data-quote-target') || '');
  if (!textarea) return;
  var status = section.querySelector('[data-quote-status]');
  var hint = section.querySelector('.quote-hint');
  if (hint) hint.hidden = false;
  var buttons = section.querySelectorAll('button[data-quote-from]');
  for (var i = 0; i < buttons.length; i++) {
    var button = buttons[i];
    button.hidden = false;
    button.addEventListener('click', function (event) {
      var source = document.getElementById(event.currentTarget.getAttribute('data-quote-from'));
      if (!source) return;
      insertQuotation(textarea, source.textContent.trim());
      if (status) status.textContent = 'Afsnittet er indsat i udkastet som citat.';
    });
  }
})();
