// Administrators' e-mail template writes: saving an edited version and going back to the
// original. Each write and its audit entry happen in one transaction.
import type { Db } from '../db/connect.js';
import type { Locale } from '../db/database.js';
import { resetTemplate, saveTemplate, type TemplateKey, type TemplateText } from '../db/templates.js';
import { auditStaff, type StaffActor } from './actor.js';

const subject = (key: TemplateKey, locale: Locale) => ({
  subjectType: 'email_template',
  subjectId: `${key}:${locale}`,
});

/** Saves an edited version; throws TemplateValidationError (nothing saved, nothing audited) when it is not valid. */
export function saveEmailTemplate(
  db: Db,
  actor: StaffActor,
  template: { key: TemplateKey; locale: Locale },
  text: TemplateText,
  uiLocale: Locale,
): Promise<void> {
  const { key, locale } = template;
  return db.transaction().execute(async (tx) => {
    await saveTemplate(tx, key, locale, text, { accountId: actor.id, uiLocale });
    await auditStaff(tx, actor, { action: 'template.save', ...subject(key, locale) });
  });
}

/** Back to the default from code. */
export function resetEmailTemplate(
  db: Db,
  actor: StaffActor,
  template: { key: TemplateKey; locale: Locale },
): Promise<void> {
  const { key, locale } = template;
  return db.transaction().execute(async (tx) => {
    await resetTemplate(tx, key, locale);
    await auditStaff(tx, actor, { action: 'template.reset', ...subject(key, locale) });
  });
}
