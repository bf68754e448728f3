// "POUR CONSULTATION UNIQUEMENT" on every page of a PDF (unpaid cases, seed 003): a text
// overlay drawn with pdf-lib on top of each page. The pages' own content streams are kept as
// they are (wrapped in q/Q, never re-encoded or rasterised), so their text stays searchable and
// selectable; the input bytes are never modified. A PDF that cannot be stamped (encrypted,
// unreadable, without pages) throws a WatermarkError: it must never be served unstamped.
// Document processing with no HTTP in it, used by the client downloads of several features (the
// case record's files, the deposited documents): it lives in app/, not in one feature.
import { EncryptedPDFError, PDFDocument, StandardFonts, degrees, rgb, type PDFFont, type PDFPage } from 'pdf-lib';

export const CONSULTATION_STAMP = 'POUR CONSULTATION UNIQUEMENT';

export type WatermarkErrorCode = 'encrypted' | 'unreadable' | 'no_pages';

export class WatermarkError extends Error {
  override name = 'WatermarkError';
  constructor(
    readonly code: WatermarkErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isWatermarkError(err: unknown): err is WatermarkError {
  return err instanceof WatermarkError;
}

export interface WatermarkOptions {
  text?: string;
  /** 0–1; the page stays readable under the stamp. Default 0.35. */
  opacity?: number;
}

/** Stamp colour: a red that reads on white and on greys. */
export const STAMP_RGB = { r: 0.8, g: 0.1, b: 0.1 } as const;

function stampPage(page: PDFPage, font: PDFFont, text: string, opacity: number): void {
  const box = page.getCropBox();
  const rotation = ((page.getRotation().angle % 360) + 360) % 360;
  // What the reader sees: a page shown rotated has its width and height swapped.
  const sideways = rotation === 90 || rotation === 270;
  const seenWidth = sideways ? box.height : box.width;
  const seenHeight = sideways ? box.width : box.height;
  // Along the diagonal as seen, rising left to right; a viewer turns the content clockwise by
  // the page's rotation, so the text is drawn turned that much further.
  const seenAngle = (Math.atan2(seenHeight, seenWidth) * 180) / Math.PI;
  const angle = seenAngle + rotation;
  const diagonal = Math.hypot(seenWidth, seenHeight);
  const size = Math.max(6, Math.min(72, (0.8 * diagonal) / font.widthOfTextAtSize(text, 1)));
  const width = font.widthOfTextAtSize(text, size);
  const height = font.heightAtSize(size, { descender: false });
  const rad = (angle * Math.PI) / 180;
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  // drawText turns around the start of the baseline: start half a line before the centre.
  const x = cx - (width / 2) * Math.cos(rad) + (height / 2) * Math.sin(rad);
  const y = cy - (width / 2) * Math.sin(rad) - (height / 2) * Math.cos(rad);
  page.drawText(text, {
    x,
    y,
    size,
    font,
    color: rgb(STAMP_RGB.r, STAMP_RGB.g, STAMP_RGB.b),
    opacity,
    rotate: degrees(angle),
  });
}

async function isEncrypted(pdf: Uint8Array): Promise<boolean> {
  try {
    return (await PDFDocument.load(new Uint8Array(pdf), { ignoreEncryption: true, updateMetadata: false })).isEncrypted;
  } catch {
    return false;
  }
}

/** A stamped copy of `pdf`; `pdf` itself is left as it was. */
export async function stampForConsultation(pdf: Uint8Array, options: WatermarkOptions = {}): Promise<Uint8Array> {
  const text = options.text ?? CONSULTATION_STAMP;
  let doc: PDFDocument;
  try {
    // A copy: pdf-lib's parser never writes into its input today, and this keeps it so.
    doc = await PDFDocument.load(new Uint8Array(pdf), { updateMetadata: false, throwOnInvalidObject: true });
  } catch (err) {
    // The strict parse fails on an encrypted file's object streams before pdf-lib says it is
    // encrypted: a lenient look tells the two apart (only on this failure path).
    if (err instanceof EncryptedPDFError || (await isEncrypted(pdf)))
      throw new WatermarkError('encrypted', 'the PDF is encrypted: it cannot be stamped', { cause: err });
    throw new WatermarkError('unreadable', 'the PDF cannot be read: it cannot be stamped', { cause: err });
  }
  const pages = doc.getPages();
  if (pages.length === 0) throw new WatermarkError('no_pages', 'the PDF has no page to stamp');
  const font = await doc.embedFont(StandardFonts.HelveticaBold);
  try {
    for (const page of pages) stampPage(page, font, text, options.opacity ?? 0.35);
    return await doc.save({ useObjectStreams: false });
  } catch (err) {
    throw new WatermarkError('unreadable', 'the PDF could not be stamped', { cause: err });
  }
}
