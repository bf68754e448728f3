// The SMTP connector against a real SMTP server.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer } from '../../connectors/mail/index.js';
import { mailHtml } from '../../domain/mail-html.js';
import { ConnectorError } from '../../connectors/errors.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';

let smtp: TestSmtp;
beforeAll(async () => {
  smtp = await startSmtp();
});
afterAll(() => smtp?.close());

describe('mail connector', () => {
  it('delivers a UTF-8 mail with copies and our reference header', async () => {
    const mailer = createMailer({ smtpUrl: smtp.url, from: 'Guichet <no-reply@guichet.test>' });
    await mailer.verify();
    const { messageId } = await mailer.send({
      to: 'claire@example.test',
      cc: ['voisin@example.test', 'syndic@example.test'],
      subject: 'Votre demande est prise en compte : dégât des eaux',
      text: 'Bonjour Claire,\nNous revenons vers vous très vite — merci.',
      reference: 'ack-mail:123',
    });
    expect(messageId).toMatch(/^<.+>$/);
    const mail = await smtp.waitFor((m) => m.headers.get('x-guichet-reference') === 'ack-mail:123');
    expect(mail.subject).toBe('Votre demande est prise en compte : dégât des eaux');
    expect(mail.text).toContain('très vite — merci.');
    expect(mail.from?.value[0]).toMatchObject({ name: 'Guichet', address: 'no-reply@guichet.test' });
    expect(smtp.to('syndic@example.test')).toContain(mail);
    mailer.close();
  });

  it('reports an unreachable server as a transient ConnectorError', async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(port));
      });
    });
    const mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${closed}`, from: 'x@guichet.test', timeoutMs: 2000 });
    const error = await mailer
      .send({ to: 'a@example.test', subject: 's', text: 't', reference: 'r' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as ConnectorError).system).toBe('smtp');
    expect((error as ConnectorError).transient).toBe(true);
    mailer.close();
  });

  it('keeps mail in the outbox when no SMTP URL is configured', async () => {
    const mailer = createMailer({ from: 'x@guichet.test' });
    expect(mailer.delivers).toBe(false);
    await expect(mailer.send({ to: 'a@example.test', subject: 's', text: 't', reference: 'ref-1' })).resolves.toEqual({
      messageId: 'outbox:ref-1',
    });
  });

  it('sends an HTML alternative made from the text: escaped, links clickable, paragraphs kept', async () => {
    const mailer = createMailer({ smtpUrl: smtp.url, from: 'Guichet <no-reply@guichet.test>' });
    const text =
      'Bonjour Claire,\n\nVotre message « <script>alert(1)</script> » & le reste.\nSuivez-le ici : https://guichet.example.test/conversations/42?x=1&y=2.\n\nL’équipe';
    await mailer.send({
      to: 'claire@example.test',
      subject: 'Réponse <importante>',
      text,
      html: mailHtml('Réponse <importante>', text, { colour: '#aa3300', linkColour: '#aa3300' }),
      reference: 'html-mail:1',
    });
    const mail = await smtp.waitFor((m) => m.headers.get('x-guichet-reference') === 'html-mail:1');
    expect(mail.text).toContain('« <script>alert(1)</script> »');
    const html = String(mail.html);
    expect(html).not.toContain('<script>');
    expect(html).toContain('« &lt;script&gt;alert(1)&lt;/script&gt; » &amp; le reste.<br>');
    expect(html).toContain(
      '<a href="https://guichet.example.test/conversations/42?x=1&amp;y=2" style="color:#aa3300;text-decoration:underline">https://guichet.example.test/conversations/42?x=1&amp;y=2</a>.',
    );
    expect(html).toContain('<title>Réponse &lt;importante&gt;</title>');
    expect(html).toContain('border-top:6px solid #aa3300');
    expect(html.match(/<p /g)).toHaveLength(3);
    mailer.close();
  });
});
