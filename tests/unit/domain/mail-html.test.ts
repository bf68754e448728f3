// The HTML part of outgoing e-mails: the text's words escaped, links clickable, paragraphs kept.
import { describe, expect, it } from 'vitest';
import { mailHtml } from '../../../domain/mail-html.js';

const brand = { colour: '#aa0000', linkColour: '#0b5cab' };

describe('mailHtml', () => {
  it('escapes the subject and the text', () => {
    const out = mailHtml('Objet <b> & "x"', 'Bonjour <script>alert(1)</script>', brand);
    expect(out).toContain('<title>Objet &lt;b&gt; &amp; &quot;x&quot;</title>');
    expect(out).toContain('Bonjour &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(out).not.toContain('<script>');
  });

  it('keeps paragraphs and line breaks', () => {
    const out = mailHtml('s', 'Bonjour,\r\n\r\nligne 1\nligne 2\n\n\n\nFin', brand);
    const paragraphs = out.match(/<p style="margin:0 0 16px">[\s\S]*?<\/p>/g) ?? [];
    expect(paragraphs).toEqual([
      '<p style="margin:0 0 16px">Bonjour,</p>',
      '<p style="margin:0 0 16px">ligne 1<br>\nligne 2</p>',
      '<p style="margin:0 0 16px">Fin</p>',
    ]);
  });

  it('makes links clickable, leaving the trailing punctuation outside', () => {
    const out = mailHtml('s', 'Voir https://guichet.example/cases/1?a=1&b=2. Merci', brand);
    expect(out).toContain(
      'Voir <a href="https://guichet.example/cases/1?a=1&amp;b=2" style="color:#0b5cab;text-decoration:underline">https://guichet.example/cases/1?a=1&amp;b=2</a>. Merci',
    );
    const quoted = mailHtml('s', '« https://x.example/p »', brand);
    expect(quoted).toContain('>https://x.example/p</a> »');
    expect(mailHtml('s', 'ftp://x.example javascript:alert(1)', brand)).not.toContain('<a ');
  });

  it('shows the brand colour above the message', () => {
    expect(mailHtml('s', 't', brand)).toContain('border-top:6px solid #aa0000');
  });
});

describe('mailHtml with ready HTML blocks', () => {
  it('puts a block where its paragraph stands, and escapes everything else', () => {
    const blocks = new Map([['[[guichet-answer-0]]', '<p><strong>pièces</strong></p>']]);
    const out = mailHtml('s', 'Bonjour <b>,\n\n[[guichet-answer-0]]\n\nFin [[guichet-answer-0]]', brand, blocks);
    expect(out).toContain('<p><strong>pièces</strong></p>');
    expect(out).toContain('Bonjour &lt;b&gt;,');
    // Only a paragraph that is exactly the key is replaced.
    expect(out).toContain('Fin [[guichet-answer-0]]');
    expect(out.match(/<strong>pièces<\/strong>/g)).toHaveLength(1);
  });
});
