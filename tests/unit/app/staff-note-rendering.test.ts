// Staff notes as clients read them: a corpus of Redmine notes (Textile and CommonMark, hostile
// ones included) each compared with the HTML and text it must give (staff-note-corpus.json, read
// one by one), then what must hold of every note whatever it contains.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderStaffNote, type RedmineTextFormatting } from '../../../app/staff-note-rendering.js';
import { attachments } from './staff-note-corpus-attachments.js';

interface CorpusNote {
  name: string;
  formatting: RedmineTextFormatting;
  source: string;
  html: string;
  text: string;
}

const corpus = JSON.parse(readFileSync(new URL('./staff-note-corpus.json', import.meta.url), 'utf8')) as CorpusNote[];

describe('the staff-note corpus', () => {
  it('holds at least 40 notes, Textile and CommonMark', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(40);
    expect(corpus.filter((n) => n.formatting === 'textile').length).toBeGreaterThanOrEqual(20);
    expect(corpus.filter((n) => n.formatting === 'common_mark').length).toBeGreaterThanOrEqual(10);
  });

  it.each(corpus.map((n) => [n.name, n] as const))('%s', (_name, note) => {
    const rendered = renderStaffNote(note.source, { formatting: note.formatting, attachments });
    expect(rendered.html).toBe(note.html);
    expect(rendered.text).toBe(note.text);
  });

  it('no note gives a script, an event handler, a style, a class, an id, an image or a foreign address', () => {
    const allowedHref = /^(https?:\/\/|mailto:|\/conversations\/c\/pieces-jointes\/\d+$)/;
    for (const note of corpus) {
      const { html } = renderStaffNote(note.source, { formatting: note.formatting, attachments });
      expect(html, note.name).not.toMatch(/<(script|style|iframe|svg|img|object|embed|form|input|base|meta|link)\b/i);
      for (const [tag] of html.matchAll(/<[a-z][^>]*>/gi))
        expect(tag, note.name).not.toMatch(/\s(on\w+|style|class|id|src|srcset)=/i);
      for (const [, href] of html.matchAll(/href="([^"]*)"/g)) expect(href, note.name).toMatch(allowedHref);
      // Every link that leaves Guichet opens apart, and tells nothing of where it came from.
      for (const [tag] of html.matchAll(/<a [^>]*href="(?:https?|mailto):[^>]*>/g))
        expect(tag, note.name).toContain('rel="noopener noreferrer nofollow" target="_blank"');
    }
  });
});

describe('Redmine syntax a client must understand', () => {
  const render = (source: string, formatting: RedmineTextFormatting = 'textile') =>
    renderStaffNote(source, { formatting, attachments });

  it('finds an attachment by name whatever its case, and only in this conversation', () => {
    expect(render('attachment:DEVIS.PDF').html).toBe(
      '<p><a href="/conversations/c/pieces-jointes/1" download="">devis.pdf</a></p>',
    );
    expect(render('attachment:../devis.pdf').html).toBe('<p>attachment:../devis.pdf</p>');
    expect(render('!../../plan.png!').html).toBe('<p>../../plan.png</p>');
  });

  it('never nests a link: an attachment named inside a link stays its name', () => {
    expect(render('[voir attachment:devis.pdf ici](https://example.fr)', 'common_mark').html).toBe(
      '<p><a href="https://example.fr/" rel="noopener noreferrer nofollow" target="_blank">voir devis.pdf ici</a></p>',
    );
  });

  it('does not let a note forge the markers that stand for attachments', () => {
    const html = render('gx0000000000000000r0z attachment:devis.pdf').html;
    expect(html).toBe(
      '<p>gx0000000000000000r0z <a href="/conversations/c/pieces-jointes/1" download="">devis.pdf</a></p>',
    );
  });

  it('keeps line breaks and paragraphs with no formatting at all', () => {
    expect(render('a *b*\nc\n\n\nd <i>', 'none')).toEqual({
      html: '<p>a *b*<br />c</p>\n<p>d &lt;i&gt;</p>',
      text: 'a *b*\nc\n\nd <i>',
    });
  });

  it('gives an empty note as nothing', () => {
    expect(render('')).toEqual({ html: '', text: '' });
    expect(render('  \n\n ', 'common_mark')).toEqual({ html: '', text: '' });
  });
});
