// Client text escaped for Redmine's formatter: what each formatter receives (Textile: notextile
// runs and entities; CommonMark: backslashes and Redmine's `!` link escape), and, for CommonMark,
// what a CommonMark renderer makes of it: the characters typed. The real Redmine (Textile, its
// default) is checked in tests/redmine/client-text.test.ts.
import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { escapeForRedmine } from '../../../domain/redmine-text.js';

const HOSTILE =
  '*bold* _it_ -strike- "link":http://x !http://evil/img.png! <b>html</b> {{macro}} @user #12\n' +
  'second line [[Wiki]] r12 commit:abc <!-- hidden -->\n\n' +
  '# not a heading\n> not a quote\n    not code\n1. not a list [x](javascript:alert(1)) ![i](http://evil/i.png)';

function textOf(html: string): string {
  return html
    .replace(/<br\s*\/?>\n?/g, '\n')
    .replace(/<\/p>\s*<p>/g, '\n\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .trim();
}

describe('client text for Redmine, Textile', () => {
  it('leaves plain words as they are (what staff read in the raw text too)', () => {
    expect(escapeForRedmine('Bonjour, il y a une fuite.', 'textile')).toBe('Bonjour, il y a une fuite.');
    expect(escapeForRedmine('Claire Martin', 'textile', { inline: true })).toBe('Claire Martin');
  });

  it('wraps markup in notextile and writes what would still act as entities', () => {
    expect(escapeForRedmine('*gras* et _penché_', 'textile')).toBe('p. <notextile>*gras* et _penché_</notextile>');
    expect(escapeForRedmine('voir #12, @julien et [[Wiki]]', 'textile')).toBe(
      'p. <notextile>voir </notextile>&#35;<notextile>12, </notextile>&#64;<notextile>julien et </notextile>&#91;<notextile>[Wiki]]</notextile>',
    );
    expect(escapeForRedmine('{{hello_world}} </notextile><b>', 'textile')).toBe(
      'p. &#123;<notextile>{hello_world}} </notextile>&#60;<notextile>/notextile></notextile>&#60;<notextile>b></notextile>',
    );
    expect(escapeForRedmine('r12 commit:abc attachment:x.pdf', 'textile')).toBe(
      'p. &#114;<notextile>12 </notextile>&#99;<notextile>ommit:abc </notextile>&#97;<notextile>ttachment:x.pdf</notextile>',
    );
  });

  it('keeps line breaks within a paragraph and paragraphs apart', () => {
    expect(escapeForRedmine('un\r\ndeux\n\n\n\ntrois', 'textile')).toBe('un\ndeux\n\ntrois');
    expect(escapeForRedmine('a\n* b\n\nc', 'textile')).toBe('a\n<notextile>* b</notextile>\n\nc');
  });

  it('never leaves a raw "<" (an HTML comment, a closing notextile) in what it writes', () => {
    const escaped = escapeForRedmine(HOSTILE, 'textile');
    expect(escaped.replace(/<\/?notextile>/g, '')).not.toContain('<');
    expect(escaped).not.toMatch(/\{\{|\[\[/);
  });
});

describe('client text for Redmine, CommonMark', () => {
  // Redmine's common_mark: hard line breaks, autolinks, tables, strikethrough; raw HTML kept (then
  // sanitised by Redmine), so html: true shows that none goes through.
  const markdown = new MarkdownIt({ html: true, breaks: true, linkify: true });

  it('renders to the characters typed, with only the `!` Redmine removes before its links', () => {
    const html = markdown.render(escapeForRedmine(HOSTILE, 'common_mark'));
    expect(html).not.toMatch(/<(strong|em|s|del|a|img|b|h1|ol|ul|li|blockquote|code|pre)\b/);
    expect(html).not.toContain('<!--');
    expect(textOf(html)).toBe(
      HOSTILE.replace('@user', '!@user')
        .replace(' #12', ' !#12')
        .replace('[[Wiki]]', '![[Wiki]]')
        .replace('r12', '!r12')
        .replace('commit:abc', '!commit:abc'),
    );
  });

  it('adds no `!` where Redmine would see no link', () => {
    expect(escapeForRedmine('a#12 mail@example.fr x:y', 'common_mark')).toBe('a\\#12 mail\\@example\\.fr x\\:y');
  });
});

describe('client text for Redmine, no formatting', () => {
  it('escapes only Redmine links and core macros', () => {
    expect(escapeForRedmine('*a* #12 {{collapse}} {{mine}}\nb', 'none')).toBe('*a* !#12 !{{collapse}} {{mine}}\nb');
  });
});
