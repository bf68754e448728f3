// The forms of opening a case (staff) and of the procedure editor (administrators). The new-case
// form is checked by one schema that mirrors the page's rules in their order (every problem at
// once); what it needs from the database (is the number taken, is the e-mail a client's, the
// staff member's spaces, the templates) is read by the route first.
import { z } from 'zod';
import type { DocumentTemplate, Space } from '../../../../db/database.js';
import type { TemplateFact } from '../../../../domain/pieces.js';
import { isEmail } from '../../../../domain/validation.js';
import type { Messages } from '../../../../i18n/index.js';
import { text, typedForm } from '../../../forms.js';
import { factLabel } from './pages.js';
import type { NewCaseForm } from './view-models.js';

export const CASE_NUMBER = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/;
const UUID = /^[0-9a-f-]{36}$/i;

export const NEW_CASE_FIELDS = ['number', 'title', 'clientEmail', 'clientName', 'space', 'template'] as const;

/** The new-case form as typed (texts trimmed, as the page shows them again), with every fact's field. */
export function newCaseTyped(body: unknown, factNames: readonly string[]): NewCaseForm {
  const typed = typedForm(body, NEW_CASE_FIELDS);
  const facts = typedForm(
    body,
    factNames.map((name) => `fact-${name}`),
  );
  return {
    number: typed.number.trim(),
    title: typed.title.trim(),
    clientEmail: typed.clientEmail.trim(),
    clientName: typed.clientName.trim(),
    spaceId: typed.space,
    templateId: typed.template,
    facts: Object.fromEntries(factNames.map((name) => [name, (facts[`fact-${name}`] ?? '').trim()])),
    notifyClient: typedForm(body, ['notifyClient']).notifyClient === '1',
  };
}

/** Whether the space field names a space at all (only then are the staff member's spaces read). */
export function spaceIdLooksValid(spaceId: string): boolean {
  return UUID.test(spaceId);
}

export type TemplateWithFacts = DocumentTemplate & { facts: TemplateFact[] };

/** What the new-case rules need from the database, read before parsing. */
export interface NewCaseLookups {
  /** The number typed is already a case's (asked only when it is well formed). */
  numberTaken: boolean;
  /** The client account of the e-mail typed, when there is one. */
  existingClientId: string | undefined;
  /** The staff member's spaces (empty when the space field is not an id). */
  spaces: readonly Space[];
  templates: readonly TemplateWithFacts[];
}

export interface NewCaseValues {
  number: string;
  title: string;
  client: { id: string } | { email: string; fullName: string };
  space: Space;
  template: TemplateWithFacts;
  facts: Record<string, string | number>;
  notifyClient: boolean;
}

/** The amount of a number fact: digits, spaces, a decimal part of one or two digits. */
const FACT_AMOUNT = /^[0-9\s\u00a0\u202f]+([.,][0-9]{1,2})?$/;

/** The new-case form's schema for one request (its lookups), messages in the staff member's language. */
export function newCaseSchema(t: Messages, found: NewCaseLookups, normalizeEmail: (email: string) => string) {
  const c = t.caseAdmin;
  return z
    .looseObject({
      number: text.transform((v) => v.trim()),
      title: text.transform((v) => v.trim()),
      clientEmail: text.transform((v) => v.trim()),
      clientName: text.transform((v) => v.trim()),
      space: text,
      template: text,
      notifyClient: text.transform((v) => v === '1'),
    })
    .transform((form, ctx): NewCaseValues => {
      const errors: string[] = [];
      if (!form.number) errors.push(c.numberRequired);
      else if (!CASE_NUMBER.test(form.number)) errors.push(c.numberInvalid);
      else if (found.numberTaken) errors.push(c.numberTaken(form.number));
      if (!form.title) errors.push(c.titleRequired);
      else if (form.title.length > 200) errors.push(c.titleTooLong);
      let client: NewCaseValues['client'] | undefined;
      if (!isEmail(form.clientEmail)) errors.push(c.emailInvalid);
      else if (found.existingClientId) client = { id: found.existingClientId };
      else if (!form.clientName) errors.push(c.nameRequired);
      else if (form.clientName.length > 200) errors.push(c.nameTooLong);
      else client = { email: normalizeEmail(form.clientEmail), fullName: form.clientName };
      // Only a space of the staff member's: another space is not a choice, whatever the form says.
      const space = spaceIdLooksValid(form.space) ? found.spaces.find((s) => s.id === form.space) : undefined;
      if (!space) errors.push(c.spaceInvalid);
      const template = found.templates.find((tpl) => tpl.id === form.template);
      if (!template) errors.push(c.templateInvalid);
      // Only the facts of the chosen template are kept; a number fact is a positive amount.
      const facts: Record<string, string | number> = {};
      for (const fact of template?.facts ?? []) {
        const raw = form[`fact-${fact.name}`];
        const value = typeof raw === 'string' ? raw.trim() : '';
        if (value === '') continue;
        if (fact.kind === 'number') {
          const n = Number(value.replace(/[\s\u00a0\u202f]/g, '').replace(',', '.'));
          if (!Number.isFinite(n) || n < 0 || !FACT_AMOUNT.test(value))
            errors.push(c.factInvalid(factLabel(t, fact.name)));
          else facts[fact.name] = n;
        } else if (fact.values.includes(value)) facts[fact.name] = value;
      }
      for (const message of errors) ctx.addIssue({ code: 'custom', message });
      if (errors.length > 0 || !client || !space || !template) return z.NEVER;
      return {
        number: form.number,
        title: form.title,
        client,
        space,
        template,
        facts,
        notifyClient: form.notifyClient,
      };
    });
}
