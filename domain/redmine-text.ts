// Text a client (or a contributor, or a Vilogi user) typed, written so that Redmine's formatter
// shows staff exactly the characters typed: no accidental bold, italic, strike, link, image, HTML
// or macro, no issue/user/wiki link made of a `#12` or an `@name`, line breaks and paragraphs
// kept. What Guichet shows the client is its own stored text, never this.
//
// Decided from Redmine's own behaviour (tried on the test Redmine, and Redmine's
// ApplicationHelper#textilizable): the formatter runs first, then Redmine's links (`#12`, `r12`,
// `commit:…`, `attachment:…`, `@login`, `[[Wiki]]`) are found in the HTML it produced, while
// macros (`{{name}}`) are found in the raw text before it.
// - Textile (RedCloth3 with filter_html): each paragraph is `p. ` and each run of characters is
//   wrapped in `<notextile>…</notextile>`, where Textile changes nothing (and `&`, `>` are
//   escaped for HTML). The few characters that would still mean something are written as HTML
//   entities outside it: `<` (it could close the wrapper; filter_html escapes the rest), the
//   first of `{{` (a macro, in the raw text) and `[[` (a wiki link), and the first character of
//   anything Redmine's link pattern could take for a link (after a space or `(`, `,`, `-`, `[`:
//   `#…`, `@…`, `:x`, `r12`, `word:x`, `word#…`, `word@…`, `repo|r12`). An entity ends the run of
//   characters Redmine's link pattern needs, and shows as the character.
// - CommonMark: every ASCII punctuation character is backslash-escaped (CommonMark's own way;
//   single line breaks are hard breaks in Redmine's common_mark), leading spaces are entities (no
//   indented code); Redmine's links are escaped with its `!` prefix, which Redmine removes, where
//   its pattern would match; `{{` never reaches the raw text as two braces.
// - None: Redmine escapes the HTML itself; Redmine's links are escaped with `!` as above and
//   macros of Redmine's core with `!` (an unknown macro is shown as typed anyway).

export type RedmineTextFormatting = 'textile' | 'common_mark' | 'none';

/** Where Redmine's link pattern may start: the beginning of a line or after one of these. */
const LINK_LEADING = /[\s(,\-[>]/;

/**
 * What Redmine's link pattern (ApplicationHelper::LINKS_RE) could take for a link at a leading
 * position: an optional `!` (its own escape), a project prefix, a kind, then `#`/`##`, `r12`,
 * `repo|r…`, `:name` or `@login`.
 */
const LINK_START =
  /^!?(?:[a-z0-9_-]+:)?(?:attachment|document|version|forum|news|message|project|commit|source|export|user)?(?:##?\w|r\d|[a-z0-9_-]+\|r\w|:[^\s<>]|@)/;

/**
 * A line Textile leaves exactly as it is: words, digits, spaces, commas, semicolons, question
 * marks, typographic apostrophes and quotes, an ending full stop (no glyph such as `'`, `--`,
 * `(c)`, `2x3`, no markup character).
 */
const PLAIN_TEXTILE = /^(?:[\p{L}\p{N}][\p{L}\p{M}\p{N} ,;?\u2019«»\u00a0]*)?\.?$/u;

/** Redmine's `!` escape of a link: where LINKS_RE matches, Redmine removes it. */
const LINK_AT = new RegExp(
  String.raw`(^|[\s(,\-[>])((?:[a-z0-9_-]+:)?(?:attachment|document|version|forum|news|message|project|commit|source|export|user)?` +
    String.raw`(?:(?:##?|(?:[a-z0-9_-]+\|)?r)(?:\d+|[a-z0-9_-]+)(?:(?:#note)?-\d+)?|:(?:[^"\s<>][^\s<>]*?|"[^"]+?")|@[A-Za-z0-9_\-@.]*?)` +
    String.raw`(?=[\p{P}\p{S}](?:[^A-Za-z0-9_/]|$)|,|\s|\]|<|$))`,
  'gmu',
);

/** Redmine's wiki links, `[[Page]]` / `[[Page|label]]`, escaped by a leading `!`. */
const WIKI_LINK = /\[\[[^\n|]+?(?:\|[^\n|]+?)?\]\]/g;

/** The macros of Redmine's core, whose `!` escape Redmine removes. */
const CORE_MACROS = /\{\{(hello_world|macro_list|child_pages|include|collapse|thumbnail|issue|recent_pages)\b/gi;

function paragraphs(text: string): string[][] {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n(?:[ \t]*\n)+/)
    .map((p) => p.split('\n'))
    .filter((lines) => lines.some((l) => l.trim() !== ''));
}

function entity(ch: string): string {
  return `&#${ch.codePointAt(0) ?? 32};`;
}

function textileLine(line: string): string {
  if (PLAIN_TEXTILE.test(line) && !/\d\s*x\s*\d/i.test(line)) return line;
  let out = '';
  let run = '';
  const flush = () => {
    if (run !== '') out += `<notextile>${run}</notextile>`;
    run = '';
  };
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] ?? '';
    const next = line[i + 1];
    const leading = i === 0 || LINK_LEADING.test(line[i - 1] ?? '');
    const special =
      ch === '<' ||
      (ch === '{' && next === '{') ||
      (ch === '[' && next === '[') ||
      (leading && LINK_START.test(line.slice(i, i + 200)));
    if (special) {
      flush();
      out += entity(ch);
    } else {
      run += ch;
    }
  }
  flush();
  return out;
}

/** Redmine's `!` before each of its links (never before what Redmine would leave alone). */
function escapeRedmineLinks(line: string): string {
  return line
    .replace(LINK_AT, (_m, leading: string, link: string) => `${leading}!${link}`)
    .replace(WIKI_LINK, (m) => `!${m}`);
}

const ASCII_PUNCTUATION = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g;

function commonMarkLine(line: string): string {
  // Links first, on the characters as typed (Redmine reads them in the HTML, unescaped).
  const marked = escapeRedmineLinks(line);
  // Every `!` the link escape added stays bare; everything typed is escaped.
  let out = '';
  let typed = 0;
  for (let i = 0; i < marked.length; i++) {
    const ch = marked[i] ?? '';
    const added = ch === '!' && line[typed] !== '!';
    if (added) {
      out += '!';
      continue;
    }
    typed += 1;
    out += ASCII_PUNCTUATION.test(ch) ? `\\${ch}` : ch;
    ASCII_PUNCTUATION.lastIndex = 0;
  }
  const indent = /^[ \t]*/.exec(out)?.[0] ?? '';
  return indent.replace(/\t/g, '    ').replace(/ /g, '&#32;') + out.slice(indent.length);
}

/**
 * `text` as Redmine's formatter must receive it for staff to read the characters typed. `inline`:
 * the text goes on after words of Guichet's own ("Comment from X: …"), its first paragraph
 * without a paragraph mark of its own.
 */
export function escapeForRedmine(
  text: string,
  formatting: RedmineTextFormatting,
  options: { inline?: boolean } = {},
): string {
  const blocks = paragraphs(text);
  switch (formatting) {
    case 'textile':
      return blocks
        .map((lines, i) => {
          const escaped = lines.map(textileLine);
          // `p. ` keeps a paragraph that starts with a wrapper or an entity a paragraph.
          const mark = (options.inline && i === 0) || escaped[0] === lines[0] ? '' : 'p. ';
          return `${mark}${escaped.join('\n')}`;
        })
        .join('\n\n');
    case 'common_mark':
      return blocks.map((lines) => lines.map(commonMarkLine).join('\n')).join('\n\n');
    case 'none':
      return blocks
        .map((lines) => lines.map((l) => escapeRedmineLinks(l).replace(CORE_MACROS, (m) => `!${m}`)).join('\n'))
        .join('\n\n');
  }
}
