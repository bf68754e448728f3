// What the template pages show: the list (which templates were edited, per language) and one
// template's editor with its preview.
import {
  TEMPLATE_DEFINITIONS,
  type RenderedTemplate,
  type StoredTemplate,
  type TemplateKey,
  type TemplateTag,
} from '../../../db/templates.js';
import type { Locale } from '../../../i18n/index.js';

export { TEMPLATE_KEYS, type TemplateKey } from '../../../db/templates.js';

export interface TemplateEditorView {
  key: TemplateKey;
  locale: Locale;
  /** Whether an administrator changed the original text, and when. */
  edited: boolean;
  updatedAt: Date | null;
  /** Whether the template has a subject (e-mails) or only a body. */
  hasSubject: boolean;
  /** The tags the text may use. */
  tags: ReadonlyArray<TemplateTag<TemplateKey>>;
  /** What the form shows: the stored text, or what was just typed. */
  text: { subject: string; body: string };
  /** The text filled with sample values (none while the text has problems). */
  preview: { subject: string; html: string } | undefined;
  errors: string[];
}

export function templateEditorViewOf(input: {
  key: TemplateKey;
  locale: Locale;
  stored: StoredTemplate;
  text: { subject: string; body: string };
  preview: RenderedTemplate | undefined;
  errors: string[];
}): TemplateEditorView {
  const definition = TEMPLATE_DEFINITIONS[input.key];
  return {
    key: input.key,
    locale: input.locale,
    edited: input.stored.edited,
    updatedAt: input.stored.updatedAt,
    hasSubject: definition.subject,
    tags: definition.tags,
    text: { subject: input.text.subject, body: input.text.body },
    preview: input.preview ? { subject: input.preview.subject, html: input.preview.html } : undefined,
    errors: input.errors,
  };
}
