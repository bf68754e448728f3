// The template editor's form as a zod schema: the button pressed (preview, save, back to the
// original) and the text typed. The text's own rules (length, known tags) are the templates'
// (db/templates.ts validateTemplate), checked by a save or a preview.
import { z } from 'zod';
import { text } from '../../forms.js';

export const templateSchema = z.object({
  /** `reset`: back to the original text; `save`; anything else shows a preview. */
  action: text.transform((action) => (action === 'reset' || action === 'save' ? action : 'preview')),
  subject: text,
  body: text,
});

export type TemplateFormValues = z.output<typeof templateSchema>;

/** The form as sent (it is never refused: every field may be empty). */
export function readTemplateForm(body: unknown): TemplateFormValues {
  return templateSchema.parse(typeof body === 'object' && body !== null ? body : {});
}
