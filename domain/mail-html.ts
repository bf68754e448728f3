// The HTML version of an outgoing e-mail, made from its text: the same words (escaped), links
// made clickable, paragraphs kept, in a plain layout with the installation's colour. Inline
// styles and tables only, which is what mail clients render. The text part stays the reference:
// a client that shows text sees exactly what the templates wrote.
import { escapeHtml } from './html.js';

export interface MailBrand {
  /** The primary colour (#rrggbb), a band above the message. */
  colour: string;
  /** A colour for links that reads on white. */
  linkColour: string;
}

/** http(s) links in running text; trailing punctuation and French closing marks stay outside. */
const LINK = /https?:\/\/[^\s<>"«»]+/g;
const TRAILING = /[.,;:!?)\]’'»]+$/;

function withLinks(line: string, linkColour: string): string {
  let out = '';
  let last = 0;
  for (const match of line.matchAll(LINK)) {
    const url = match[0].replace(TRAILING, '');
    out += escapeHtml(line.slice(last, match.index));
    out += `<a href="${escapeHtml(url)}" style="color:${linkColour};text-decoration:underline">${escapeHtml(url)}</a>`;
    last = match.index + url.length;
  }
  return out + escapeHtml(line.slice(last));
}

/**
 * The e-mail's HTML. `blocks` lets a sender put ready, safe HTML (a rendered staff note) in the
 * layout: a paragraph of the text that is exactly one of its keys is replaced by its HTML.
 */
export function mailHtml(
  subject: string,
  text: string,
  brand: MailBrand,
  blocks?: ReadonlyMap<string, string>,
): string {
  const paragraphs = text
    .replace(/\r\n/g, '\n')
    .split(/\n{2,}/)
    .map((p) => p.replace(/^\n+|\n+$/g, ''))
    .filter((p) => p !== '')
    .map((p) =>
      blocks?.has(p.trim())
        ? `<div style="margin:0 0 16px;padding:0 0 0 12px;border-left:3px solid #d0d5dd">${blocks.get(p.trim())}</div>`
        : `<p style="margin:0 0 16px">${p
            .split('\n')
            .map((l) => withLinks(l, brand.linkColour))
            .join('<br>\n')}</p>`,
    )
    .join('\n');
  return `<!doctype html>
<html>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(subject)}</title>
</head>
<body style="margin:0;padding:0;background:#f4f5f7">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f5f7">
<tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:600px;background:#ffffff;border-top:6px solid ${brand.colour};border-radius:4px">
<tr><td style="padding:24px;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5;color:#1b1f24">
${paragraphs}
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`;
}
