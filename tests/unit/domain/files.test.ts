// The rules for files clients attach (seed 000): accepted kinds by name and by first bytes, the
// name shown (sanitised, shortened, never a path), what is refused, and the refusal messages.
import { describe, expect, it } from 'vitest';
import {
  ACCEPT_ATTRIBUTE,
  checkName,
  CONTENT_TYPES,
  displayName,
  isTraversalName,
  kindOfName,
  MAX_FILE_BYTES,
  MAX_FILES_PER_MESSAGE,
  MAX_NAME_LENGTH,
  MAX_PDF_PAGES,
  refusalMessage,
  SIGNATURE_BYTES,
  signatureMatches,
} from '../../../domain/files.js';
import { messages } from '../../../i18n/index.js';

const fr = messages('fr');
const en = messages('en');

describe('limits', () => {
  it('takes 10 MB files, 5 per message, PDFs up to 500 pages', () => {
    expect(MAX_FILE_BYTES).toBe(10 * 1024 * 1024);
    expect(MAX_FILES_PER_MESSAGE).toBe(5);
    expect(MAX_PDF_PAGES).toBe(500);
  });
});

describe('kinds', () => {
  it('knows the accepted extensions, in any case', () => {
    expect(kindOfName('bail.pdf')).toBe('pdf');
    expect(kindOfName('photo.JPG')).toBe('jpeg');
    expect(kindOfName('scan.jpeg')).toBe('jpeg');
    expect(kindOfName('scan.tif')).toBe('tiff');
    expect(kindOfName('scan.TIFF')).toBe('tiff');
    expect(kindOfName('a.png')).toBe('png');
    expect(kindOfName('a.bmp')).toBe('bmp');
    expect(kindOfName('a.gif')).toBe('gif');
  });

  it('refuses other and missing extensions', () => {
    expect(kindOfName('virus.exe')).toBeUndefined();
    expect(kindOfName('notes.docx')).toBeUndefined();
    expect(kindOfName('pdf')).toBeUndefined();
    expect(kindOfName('archive.pdf.zip')).toBeUndefined();
  });

  it('offers the extensions and the types to the file picker', () => {
    const accepted = ACCEPT_ATTRIBUTE.split(',');
    for (const ext of ['.pdf', '.png', '.jpg', '.jpeg', '.tif', '.tiff', '.bmp', '.gif'])
      expect(accepted).toContain(ext);
    expect(accepted).toContain('application/pdf');
    expect(accepted).toContain('image/jpeg');
    // Each type once, even when two extensions share it.
    expect(accepted.filter((a) => a === 'image/jpeg')).toHaveLength(1);
    expect(CONTENT_TYPES.tiff).toBe('image/tiff');
  });

  it('checks the first bytes against the kind', () => {
    expect(signatureMatches('pdf', Buffer.from('%PDF-1.7\n'))).toBe(true);
    expect(signatureMatches('pdf', Buffer.from('%PD'))).toBe(false);
    expect(signatureMatches('pdf', Buffer.from('<html>'))).toBe(false);
    expect(signatureMatches('png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe(true);
    expect(signatureMatches('jpeg', Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe(true);
    expect(signatureMatches('jpeg', Buffer.from('%PDF-1.4'))).toBe(false);
    expect(signatureMatches('tiff', Buffer.from([0x49, 0x49, 0x2a, 0x00]))).toBe(true);
    expect(signatureMatches('tiff', Buffer.from([0x4d, 0x4d, 0x00, 0x2a]))).toBe(true);
    expect(signatureMatches('gif', Buffer.from('GIF89a...'))).toBe(true);
    expect(signatureMatches('gif', Buffer.from('GIF88a...'))).toBe(false);
    expect(signatureMatches('bmp', Buffer.from('BM..'))).toBe(true);
    expect(SIGNATURE_BYTES).toBe(8);
  });
});

describe('names', () => {
  it('keeps only the last segment of a path', () => {
    expect(displayName('C:\\Users\\marie\\bail.pdf')).toBe('bail.pdf');
    expect(displayName('/home/marie/bail.pdf')).toBe('bail.pdf');
  });

  it('drops control and bidi characters and collapses spaces', () => {
    expect(displayName('facture\u202egpj.exe')).toBe('facturegpj.exe');
    expect(displayName('  avis   de\timpôt\n2025.pdf ')).toBe('avis de impôt 2025.pdf');
    expect(displayName('a\u0000b.pdf')).toBe('ab.pdf');
  });

  it('prefixes Windows reserved names', () => {
    expect(displayName('CON.pdf')).toBe('_CON.pdf');
    expect(displayName('com1.jpg')).toBe('_com1.jpg');
    expect(displayName('console.pdf')).toBe('console.pdf');
  });

  it('shortens long names and keeps the extension', () => {
    const long = `${'x'.repeat(300)}.pdf`;
    const shown = displayName(long);
    expect([...shown]).toHaveLength(MAX_NAME_LENGTH);
    expect(shown.endsWith('….pdf')).toBe(true);
    expect(displayName(`${'é'.repeat(MAX_NAME_LENGTH)}`)).toHaveLength(MAX_NAME_LENGTH);
  });

  it('refuses names that climb directories or are empty, and unknown kinds', () => {
    expect(isTraversalName('../secret.pdf')).toBe(true);
    expect(isTraversalName('a\\..\\b.pdf')).toBe(true);
    expect(isTraversalName('a..b.pdf')).toBe(false);
    expect(checkName('../x.pdf')).toEqual({ reason: 'name', name: 'x.pdf' });
    expect(checkName('\u202e')).toEqual({ reason: 'name', name: '?' });
    expect(checkName('setup.exe')).toEqual({ reason: 'type', name: 'setup.exe' });
    expect(checkName('dir/Bail signé.PDF')).toEqual({ name: 'Bail signé.PDF', kind: 'pdf' });
  });
});

describe('refusal messages', () => {
  it('names the file in the visitor’s language', () => {
    expect(refusalMessage(fr, { reason: 'too_large', name: 'gros.pdf' })).toBe(
      'Le fichier « gros.pdf » n’est pas accepté : il dépasse 10 Mo.',
    );
    expect(refusalMessage(fr, { reason: 'too_large', name: 'logo.png', maxBytes: 512 * 1024 })).toBe(
      'Le fichier « logo.png » n’est pas accepté : il dépasse 0.5 Mo.',
    );
    expect(refusalMessage(fr, { reason: 'too_many', name: '' })).toBe(
      'Vous pouvez joindre 5 fichiers au plus à un message.',
    );
    expect(refusalMessage(en, { reason: 'type', name: 'a.exe' })).toBe(en.files.refusedType('a.exe'));
    expect(refusalMessage(en, { reason: 'type', name: 'a.exe' })).not.toBe(fr.files.refusedType('a.exe'));
  });

  it('gives every reason its own message', () => {
    const reasons = [
      { reason: 'type' },
      { reason: 'content', kind: 'png' },
      { reason: 'empty' },
      { reason: 'too_large' },
      { reason: 'name' },
      { reason: 'encrypted' },
      { reason: 'corrupt', kind: 'tiff' },
      { reason: 'too_many_pages', pages: 812 },
      { reason: 'active_content' },
      { reason: 'bomb' },
      { reason: 'too_complex' },
      { reason: 'kind_not_allowed', allowed: ['png', 'jpeg'] },
    ] as const;
    const texts = reasons.map((r) => refusalMessage(fr, { name: 'f.bin', ...r }));
    expect(new Set(texts).size).toBe(reasons.length);
    for (const text of texts) expect(text).toContain('f.bin');
    expect(texts[1]).toContain('PNG');
    expect(texts[6]).toContain('TIFF');
    expect(texts[7]).toContain('812');
    expect(texts[7]).toContain('500');
    expect(texts[11]).toContain('PNG, JPEG');
  });
});
