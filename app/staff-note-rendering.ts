// How a staff note written in Redmine reads for a client: rendered with the formatter Redmine
// uses (REDMINE_TEXT_FORMATTING), then cleaned by an allow-list, for the conversation page and the
// HTML part of notification e-mails; `text` is the readable plain-text part.
//
// Libraries, and why:
// - textile-js: the maintained JavaScript port of Textile (Redmine's default formatter is Textile,
//   through its own RedCloth3). Raw HTML is turned into text first, as Redmine's `filter_html`
//   does, so a staff member who typed `<b>` sees the client read `<b>`.
// - markdown-it (html: false, breaks: true, linkify: true): CommonMark with the GitHub extensions
//   Redmine's common_mark formatter enables (tables, strikethrough, autolinks, hard line breaks);
//   it refuses `javascript:`-like links itself.
// - sanitize-html: the allow-list that has the last word whatever the formatter produced. Tags:
//   paragraphs, line breaks, emphasis, lists, quotes, code, tables, headings (moved down to h3-h6,
//   under the page's own h1/h2), links. Attributes: none from the note but a link's href, which
//   must be an absolute http, https or mailto address; Guichet adds rel and target. No style, no
//   class, no id, no image: an image of the note is a link to the mirrored attachment of that name
//   (a download, as every attachment is: no file a note names is ever shown inline) or its name as
//   plain text, so nothing loads from another host.
// Redmine's own syntax: lines starting with `>` (how Redmine quotes a message, after "X wrote:")
// become a quote, nested by their number of `>`; `attachment:name` and `!name!` link to the
// mirrored attachment of that name when there is one; `#123`, `@login`, `[[Wiki]]`, `r123`,
// `commit:…` stay plain text (neither library knows them).
import { randomBytes } from 'node:crypto';
import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';
import textile from 'textile-js';
import { escapeHtml } from '../domain/html.js';

export type RedmineTextFormatting = 'textile' | 'common_mark' | 'none';

/** A mirrored attachment of the conversation the client may download. */
export interface NoteAttachmentLink {
  filename: string;
  /** Guichet's own download address (never Redmine's). */
  url: string;
  contentType?: string;
}

export interface RenderStaffNoteOptions {
  formatting: RedmineTextFormatting;
  attachments: readonly NoteAttachmentLink[];
}

export interface RenderedNote {
  /** Safe HTML, to be inserted as is. */
  html: string;
  /** Readable plain text (for the text part of an e-mail, an SMS excerpt never). */
  text: string;
}

const markdown = new MarkdownIt({ html: false, breaks: true, linkify: true, typographer: false });

const LINK_REL = 'noopener noreferrer nofollow';

/** An absolute http, https or mailto address, or nothing. */
function safeHref(href: string | undefined): string | undefined {
  if (!href) return undefined;
  let url: URL;
  try {
    url = new URL(href.trim());
  } catch {
    return undefined;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' || url.protocol === 'mailto:' ? url.href : undefined;
}

function findAttachment(attachments: readonly NoteAttachmentLink[], name: string): NoteAttachmentLink | undefined {
  let decoded = name;
  try {
    decoded = decodeURIComponent(name);
  } catch {
    // A name with a lone % is looked for as written.
  }
  const wanted = decoded.trim().toLowerCase();
  if (wanted === '' || wanted.includes('/')) return undefined;
  return attachments.find((a) => a.filename.toLowerCase() === wanted);
}

function sanitizeOptions(): sanitizeHtml.IOptions {
  return {
    allowedTags: [
      'p', 'br', 'hr', 'strong', 'b', 'em', 'i', 'u', 'del', 's', 'ins', 'sub', 'sup', 'cite', 'q',
      'ul', 'ol', 'li', 'blockquote', 'pre', 'code', 'kbd',
      'table', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'caption',
      'h3', 'h4', 'h5', 'h6', 'a',
    ], // prettier-ignore
    allowedAttributes: {
      a: ['href', 'rel', 'target', 'download'],
      th: ['colspan', 'rowspan'],
      td: ['colspan', 'rowspan'],
    },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesAppliedToAttributes: ['href'],
    allowProtocolRelative: false,
    disallowedTagsMode: 'discard',
    transformTags: {
      h1: sanitizeHtml.simpleTransform('h3', {}, false),
      h2: sanitizeHtml.simpleTransform('h4', {}, false),
      h3: sanitizeHtml.simpleTransform('h5', {}, false),
      h4: sanitizeHtml.simpleTransform('h6', {}, false),
      h5: sanitizeHtml.simpleTransform('h6', {}, false),
      a: (_tag, attribs): sanitizeHtml.Tag => {
        const href = safeHref(attribs.href);
        return href
          ? { tagName: 'a', attribs: { href, rel: LINK_REL, target: '_blank' } }
          : { tagName: 'a', attribs: {} };
      },
      td: keepSpans('td'),
      th: keepSpans('th'),
    },
  };
}

/** A table cell keeps colspan/rowspan only as small whole numbers. */
function keepSpans(tagName: string): sanitizeHtml.Transformer {
  return (_tag, attribs) => {
    const kept: Record<string, string> = {};
    for (const name of ['colspan', 'rowspan']) {
      const value = attribs[name];
      if (value && /^[1-9]\d?$/.test(value)) kept[name] = value;
    }
    return { tagName, attribs: kept };
  };
}

/** `attachment:name` / `attachment:"name with spaces"` (Redmine's syntax), trailing punctuation left out. */
const ATTACHMENT_REF = /\battachment:(?:"([^"\n]+)"|([^\s"<>]+?))(?=[.,;:!?)\]]*(?:\s|$))/g;

/** Textile with raw HTML as text, except the tags Redmine's Textile keeps (pre, code, notextile). */
function textileToHtml(source: string): string {
  const escaped = source.replace(/<(?!\/?(?:pre|code|notextile)\b)/gi, '&lt;');
  return textile(escaped, { breaks: true });
}

/** Redmine's quotes: consecutive lines starting with `>` form a quote, the rest is Textile. */
function textileWithQuotes(source: string): string {
  const lines = source.split('\n');
  const parts: string[] = [];
  let plain: string[] = [];
  let quoted: string[] = [];
  const flushPlain = () => {
    if (plain.join('').trim() !== '') parts.push(textileToHtml(plain.join('\n')));
    plain = [];
  };
  const flushQuoted = () => {
    if (quoted.length > 0) parts.push(`<blockquote>${textileWithQuotes(quoted.join('\n'))}</blockquote>`);
    quoted = [];
  };
  for (const line of lines) {
    const match = /^ {0,3}> ?(.*)$/.exec(line);
    if (match) {
      flushPlain();
      quoted.push(match[1] ?? '');
    } else {
      flushQuoted();
      plain.push(line);
    }
  }
  flushPlain();
  flushQuoted();
  return parts.join('\n');
}

function plainToHtml(source: string): string {
  return source
    .split(/\n{2,}/)
    .filter((p) => p.trim() !== '')
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('\n');
}

function format(source: string, formatting: RedmineTextFormatting): string {
  if (formatting === 'none') return plainToHtml(source);
  try {
    return formatting === 'textile' ? textileWithQuotes(source) : markdown.render(source);
  } catch {
    // A note a formatter cannot read still reads as its text.
    return plainToHtml(source);
  }
}

/** Puts the attachment links where their markers are: in text, a link; in a link or code, the name. */
function resolveMarkers(html: string, marker: RegExp, found: readonly NoteAttachmentLink[]): string {
  let inert = 0;
  return html
    .split(/(<[^>]*>)/)
    .map((part) => {
      if (part.startsWith('<')) {
        const tag = /^<(\/?)([a-z0-9-]+)/i.exec(part);
        if (tag && ['a', 'code', 'pre'].includes((tag[2] ?? '').toLowerCase())) inert += tag[1] ? -1 : 1;
        return part.replace(marker, (_m, i: string) => escapeHtml(found[Number(i)]?.filename ?? ''));
      }
      return part.replace(marker, (_m, i: string) => {
        const a = found[Number(i)];
        if (!a) return '';
        return inert > 0
          ? escapeHtml(a.filename)
          : `<a href="${escapeHtml(a.url)}" download="">${escapeHtml(a.filename)}</a>`;
      });
    })
    .join('');
}

export function renderStaffNote(source: string, options: RenderStaffNoteOptions): RenderedNote {
  const normalized = source.replace(/\r\n?/g, '\n');
  // Attachment references become markers no formatter touches (letters and digits, unguessable),
  // and links after the allow-list: the allow-list never sees Guichet's own addresses.
  const nonce = randomBytes(8).toString('hex');
  const found: NoteAttachmentLink[] = [];
  const marker = (a: NoteAttachmentLink) => {
    found.push(a);
    return `gx${nonce}r${found.length - 1}z`;
  };
  const withMarkers = normalized.replace(ATTACHMENT_REF, (whole, quoted?: string, bare?: string) => {
    const attachment = findAttachment(options.attachments, quoted ?? bare ?? '');
    return attachment ? marker(attachment) : whole;
  });
  // An image the formatter made (raw HTML never reaches it as HTML) is the attachment of that name,
  // or its description as text: nothing loads from another host. The allow-list drops any other.
  const formatted = format(withMarkers, options.formatting).replace(/<img\b[^>]*>/gi, (tag) => {
    const src = decodeEntities(/\ssrc="([^"]*)"/i.exec(tag)?.[1] ?? '');
    const alt = decodeEntities(/\salt="([^"]*)"/i.exec(tag)?.[1] ?? '');
    const attachment = findAttachment(options.attachments, src);
    return attachment ? marker(attachment) : escapeHtml(alt || src);
  });
  // A link whose address was refused keeps its words only (links do not nest in either formatter).
  const clean = sanitizeHtml(formatted, sanitizeOptions())
    .replace(/<a>([\s\S]*?)<\/a>/g, '$1')
    .trim();
  const html = resolveMarkers(clean, new RegExp(`gx${nonce}r(\\d+)z`, 'g'), found);
  return { html, text: htmlToText(html) };
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name.startsWith('#')) {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/** The readable text of HTML this module produced (its shape is the allow-list's). */
export function htmlToText(html: string): string {
  const lines: string[] = [];
  let line = '';
  let started = false;
  let blankBefore = false;
  let quoteDepth = 0;
  let lastDepth = 0;
  let preDepth = 0;
  const lists: { ordered: boolean; n: number }[] = [];
  const links: { href: string; start: number }[] = [];
  let cellInRow = 0;
  let cellStart = false;
  const prefix = () => '> '.repeat(quoteDepth);
  /** Text goes on the current line; a new block first leaves a blank line after the last one. */
  const write = (value: string) => {
    if (!started) {
      if (blankBefore && lines.length > 0) lines.push('> '.repeat(Math.min(lastDepth, quoteDepth)).trimEnd());
      blankBefore = false;
      started = true;
    }
    line += value;
  };
  const breakLine = () => {
    lines.push(prefix() + line);
    lastDepth = quoteDepth;
    line = '';
    started = false;
  };
  const endLine = () => {
    if (started) breakLine();
  };
  const endBlock = () => {
    endLine();
    blankBefore = true;
  };
  const token = /<(\/?)([a-z0-9-]+)([^>]*)>|([^<]+)/gi;
  for (let m = token.exec(html); m; m = token.exec(html)) {
    const text = m[4];
    if (text !== undefined) {
      const value = decodeEntities(text);
      if (preDepth > 0) {
        value.split('\n').forEach((part, i) => {
          if (i > 0) breakLine();
          write(part);
        });
        continue;
      }
      let collapsed = value.replace(/\s+/g, ' ');
      if (cellStart) {
        collapsed = collapsed.trimStart();
        if (collapsed === '') continue;
        cellStart = false;
      }
      if (!started && collapsed.trim() === '') continue;
      write(started ? collapsed : collapsed.trimStart());
      continue;
    }
    const closing = m[1] === '/';
    const tag = (m[2] ?? '').toLowerCase();
    switch (tag) {
      case 'br':
        if (started) breakLine();
        else write('');
        break;
      case 'p':
      case 'h3':
      case 'h4':
      case 'h5':
      case 'h6':
      case 'table':
      case 'hr':
        endBlock();
        break;
      case 'pre':
        endBlock();
        preDepth += closing ? -1 : 1;
        break;
      case 'blockquote':
        endBlock();
        quoteDepth += closing ? -1 : 1;
        break;
      case 'ul':
      case 'ol':
        if (lists.length === 0) endBlock();
        else endLine();
        if (closing) lists.pop();
        else lists.push({ ordered: tag === 'ol', n: 0 });
        break;
      case 'li':
        endLine();
        if (!closing) {
          const list = lists[lists.length - 1];
          if (list) list.n += 1;
          write('  '.repeat(Math.max(lists.length - 1, 0)) + (list?.ordered ? `${list.n}. ` : '- '));
        }
        break;
      case 'tr':
        endLine();
        cellInRow = 0;
        break;
      case 'td':
      case 'th':
        if (!closing && cellInRow++ > 0) {
          line = line.trimEnd();
          write(' | ');
        }
        if (!closing) cellStart = true;
        else line = line.trimEnd();
        break;
      case 'a':
        if (!closing) {
          const href = /href="([^"]*)"/.exec(m[3] ?? '')?.[1];
          links.push({ href: href ? decodeEntities(href) : '', start: started ? line.length : -1 });
        } else {
          const link = links.pop();
          if (link && link.href) {
            const label = line.slice(Math.max(link.start, 0)).trim();
            const bare = link.href.replace(/^mailto:/, '');
            if (label !== link.href && label !== bare && `${label}/` !== link.href) write(` (${link.href})`);
          }
        }
        break;
      default:
        break;
    }
  }
  endLine();
  return lines
    .map((l) => l.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
