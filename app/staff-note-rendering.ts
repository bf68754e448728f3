// How a staff note written in Redmine reads for a client: rendered with the formatter Redmine
// uses (REDMINE_TEXT_FORMATTING), then cleaned by an allow-list, for the conversation page and the
// HTML part of notification e-mails; `text` is the readable plain-text part.
//
// PLACEHOLDER (issue #15 in progress): escapes the note and keeps its line breaks; the real
// Textile / CommonMark rendering replaces this body, keeping the signature.
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

export function renderStaffNote(source: string, options: RenderStaffNoteOptions): RenderedNote {
  void options;
  const paragraphs = source
    .replace(/\r\n?/g, '\n')
    .split(/\n{2,}/)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`);
  return { html: paragraphs.join('\n'), text: source };
}
