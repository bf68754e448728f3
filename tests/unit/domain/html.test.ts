// The HTML template tag: every interpolated value is escaped unless it is already Html.
import { describe, expect, it } from 'vitest';
import { escapeHtml, Html, html, multiline } from '../../../domain/html.js';

describe('escapeHtml', () => {
  it('escapes the five characters that matter', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
    expect(escapeHtml('déjà vu')).toBe('déjà vu');
  });
});

describe('html', () => {
  it('escapes interpolated strings and numbers', () => {
    const name = '<script>alert("x")</script>';
    expect(html`<p>${name}</p>`.value).toBe('<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p>');
    expect(html`<p>${42}</p>`.toString()).toBe('<p>42</p>');
    expect(html`<input value="${`" onfocus="x`}">`.value).toBe('<input value="&quot; onfocus=&quot;x">');
  });

  it('keeps Html as it is and does not escape twice', () => {
    const inner = html`<b>${'a & b'}</b>`;
    expect(inner).toBeInstanceOf(Html);
    expect(html`<p>${inner}</p>`.value).toBe('<p><b>a &amp; b</b></p>');
  });

  it('renders nothing for null, undefined and false, and joins arrays', () => {
    expect(html`[${null}${undefined}${false}]`.value).toBe('[]');
    expect(html`[${true}]`.value).toBe('[true]');
    expect(html`<ul>${['<1>', html`<li>2</li>`, [3, null]]}</ul>`.value).toBe('<ul>&lt;1&gt;<li>2</li>3</ul>');
  });
});

describe('multiline', () => {
  it('keeps line breaks and escapes the text', () => {
    expect(multiline('Bonjour <b>\r\nligne 2\nligne 3').value).toBe('Bonjour &lt;b&gt;<br>ligne 2<br>ligne 3');
  });
});
