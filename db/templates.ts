// E-mail templates: defaults from code (built from the i18n catalogues, so an untouched
// installation says exactly what it always said), edited versions in `email_templates`.
// Tags are `{{name}}`; each template accepts its own list, and a template naming another tag is
// refused when it is saved.
import type { Db } from './connect.js';
import type { Locale } from './database.js';
import { messages } from '../i18n/index.js';
import { escapeHtml } from '../domain/html.js';

const tag = (name: string) => `{{${name}}}`;

/** Every template and the tags it accepts. */
export const TEMPLATE_DEFINITIONS = {
  'conversation-acknowledgement': {
    tags: ['clientFullName', 'conversationSubject', 'conversationUrl', 'expectedAnswerAt'],
    subject: true,
  },
  'acknowledgement-message': {
    tags: ['clientFullName', 'conversationSubject', 'expectedAnswerAt'],
    subject: false,
  },
  'staff-answer': {
    tags: ['clientFullName', 'conversationSubject', 'conversationUrl', 'staffName', 'answerBody'],
    subject: true,
  },
  'satisfaction-question': {
    tags: ['clientFullName', 'conversationSubject', 'conversationUrl'],
    subject: true,
  },
  'auto-resolved': {
    tags: ['clientFullName', 'conversationSubject', 'conversationUrl'],
    subject: true,
  },
  password: {
    tags: ['clientFullName', 'password', 'loginUrl'],
    subject: true,
  },
  'contributor-invitation': {
    tags: ['clientFullName', 'contributorFullName', 'contributorRole', 'caseNumber', 'invitationUrl'],
    subject: true,
  },
  'document-reminder': {
    tags: ['clientFullName', 'caseNumber', 'missingDocuments', 'caseUrl'],
    subject: true,
  },
  'case-available': {
    tags: ['clientFullName', 'caseNumber', 'caseUrl'],
    subject: true,
  },
  'payment-confirmation': {
    tags: ['clientFullName', 'caseNumber', 'amount', 'caseUrl'],
    subject: true,
  },
  'retention-warning': {
    tags: ['clientFullName', 'caseNumber', 'purgeDate', 'caseUrl'],
    subject: true,
  },
  'occasional-access': {
    tags: ['clientFullName', 'contributorFullName', 'caseNumber', 'invitationUrl'],
    subject: true,
  },
} as const satisfies Record<string, { tags: readonly string[]; subject: boolean }>;

export type TemplateKey = keyof typeof TEMPLATE_DEFINITIONS;
export type TemplateTag<K extends TemplateKey> = (typeof TEMPLATE_DEFINITIONS)[K]['tags'][number];
/** Every tag of the template must be given a value (an empty string when there is none). */
export type TemplateVars<K extends TemplateKey> = Record<TemplateTag<K>, string>;

export const TEMPLATE_KEYS = Object.keys(TEMPLATE_DEFINITIONS) as TemplateKey[];

export function isTemplateKey(value: unknown): value is TemplateKey {
  return typeof value === 'string' && Object.hasOwn(TEMPLATE_DEFINITIONS, value);
}

export interface TemplateText {
  subject: string;
  body: string;
}

/** The built-in text of a template, in one language. */
export function defaultTemplate(key: TemplateKey, locale: Locale): TemplateText {
  const t = messages(locale);
  const m = t.mail;
  const lines = (...parts: string[]) => parts.join('\n');
  switch (key) {
    case 'conversation-acknowledgement':
      return {
        subject: m.ackSubject(tag('conversationSubject')),
        body: lines(
          m.greeting(tag('clientFullName')),
          '',
          m.ackIntro,
          '',
          m.readOnline(tag('conversationUrl')),
          '',
          m.signature,
          '',
          m.noReply,
        ),
      };
    case 'acknowledgement-message':
      return { subject: '', body: t.ack.body };
    case 'staff-answer':
      return {
        subject: m.answerSubject(tag('conversationSubject')),
        body: lines(
          m.greeting(tag('clientFullName')),
          '',
          m.answerIntro(tag('staffName')),
          '',
          tag('answerBody'),
          '',
          m.readOnline(tag('conversationUrl')),
          '',
          m.signature,
          '',
          m.noReply,
        ),
      };
    case 'satisfaction-question':
      return {
        subject: t.sla.satisfactionSubject(tag('conversationSubject')),
        body: lines(
          m.greeting(tag('clientFullName')),
          '',
          t.sla.satisfactionBody,
          '',
          m.readOnline(tag('conversationUrl')),
          '',
          m.signature,
        ),
      };
    case 'auto-resolved':
      return {
        subject: t.sla.autoResolvedSubject(tag('conversationSubject')),
        body: lines(
          m.greeting(tag('clientFullName')),
          '',
          t.sla.autoResolvedBody,
          '',
          m.readOnline(tag('conversationUrl')),
          '',
          m.signature,
        ),
      };
    case 'password':
      return {
        subject: m.passwordSubject,
        body: lines(
          m.greeting(tag('clientFullName')),
          '',
          m.passwordBody(tag('password'), tag('loginUrl')),
          '',
          m.signature,
        ),
      };
    case 'contributor-invitation':
      return {
        subject: t.templates.mailDefaults[key].subject,
        body: lines(
          m.greeting(tag('contributorFullName')),
          '',
          t.contributors.invitationBody(tag('contributorRole'), tag('caseNumber'), tag('invitationUrl')),
          '',
          m.signature,
          '',
          m.noReply,
        ),
      };
    case 'occasional-access': {
      const o = t.contributors.occasionalMail;
      return {
        subject: o.subject(tag('caseNumber')),
        body: lines(
          m.greeting(tag('contributorFullName')),
          '',
          o.body(tag('clientFullName'), tag('caseNumber'), tag('invitationUrl')),
          '',
          m.signature,
          '',
          m.noReply,
        ),
      };
    }
    case 'retention-warning':
    case 'payment-confirmation': {
      const d = t.templates.mailDefaults[key];
      return {
        subject: d.subject,
        body: lines(m.greeting(tag('clientFullName')), '', d.body, '', m.signature, '', m.noReply),
      };
    }
    case 'document-reminder':
      return {
        subject: t.documents.reminderSubject(tag('caseNumber')),
        body: lines(
          m.greeting(tag('clientFullName')),
          '',
          t.documents.reminderIntro,
          '',
          tag('missingDocuments'),
          '',
          t.documents.depositOnline(tag('caseUrl')),
          '',
          m.signature,
          '',
          m.noReply,
        ),
      };
    case 'case-available': {
      const d = t.templates.mailDefaults[key];
      return {
        subject: d.subject,
        body: lines(m.greeting(tag('clientFullName')), '', d.body, '', m.signature, '', m.noReply),
      };
    }
  }
}

const TAG_PATTERN = /\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}/g;

/** The tags a text names that the template does not accept, and stray braces. */
export function unknownTags(key: TemplateKey, text: string): string[] {
  const allowed = new Set<string>(TEMPLATE_DEFINITIONS[key].tags);
  const unknown = new Set<string>();
  for (const match of text.matchAll(TAG_PATTERN)) {
    if (!allowed.has(match[1]!)) unknown.add(match[1]!);
  }
  // `{{ }}`, `{{foo-bar}}` or a lone `{{`: a tag nobody can fill.
  const rest = text.replace(TAG_PATTERN, '');
  for (const stray of rest.match(/\{\{[^}]{0,40}\}?\}?/g) ?? [])
    unknown.add(stray.replace(/^\{\{|\}+$/g, '').trim() || '{{');
  return [...unknown];
}

export class TemplateValidationError extends Error {
  override name = 'TemplateValidationError';
  constructor(readonly problems: string[]) {
    super(problems.join(' '));
  }
}

const MAX_SUBJECT = 200;
const MAX_BODY = 20_000;

/** Checks a template as typed in the back-office; the messages are in the editor's language. */
export function validateTemplate(key: TemplateKey, text: TemplateText, uiLocale: Locale): string[] {
  const t = messages(uiLocale).templates;
  const def = TEMPLATE_DEFINITIONS[key];
  const problems: string[] = [];
  if (def.subject && text.subject.trim() === '') problems.push(t.subjectRequired);
  if (text.subject.length > MAX_SUBJECT) problems.push(t.subjectTooLong(MAX_SUBJECT));
  if (/[\r\n]/.test(text.subject)) problems.push(t.subjectOneLine);
  if (text.body.trim() === '') problems.push(t.bodyRequired);
  if (text.body.length > MAX_BODY) problems.push(t.bodyTooLong(MAX_BODY));
  const unknown = [...new Set([...unknownTags(key, text.subject), ...unknownTags(key, text.body)])];
  if (unknown.length > 0)
    problems.push(
      t.unknownTags(
        unknown.map((u) => (u === '{{' ? u : tag(u))),
        def.tags.map(tag),
      ),
    );
  return problems;
}

export interface StoredTemplate extends TemplateText {
  edited: boolean;
  updatedAt: Date | null;
}

export async function getTemplate(db: Db, key: TemplateKey, locale: Locale): Promise<StoredTemplate> {
  const row = await db
    .selectFrom('email_templates')
    .selectAll()
    .where('key', '=', key)
    .where('locale', '=', locale)
    .executeTakeFirst();
  if (row) return { subject: row.subject, body: row.body, edited: true, updatedAt: row.updated_at };
  return { ...defaultTemplate(key, locale), edited: false, updatedAt: null };
}

/** Which templates have an edited version, per language. */
export async function editedTemplates(db: Db): Promise<Set<string>> {
  const rows = await db.selectFrom('email_templates').select(['key', 'locale']).execute();
  return new Set(rows.map((r) => `${r.key}:${r.locale}`));
}

/** Saves an edited version; throws TemplateValidationError (nothing saved) when it is not valid. */
export async function saveTemplate(
  db: Db,
  key: TemplateKey,
  locale: Locale,
  text: TemplateText,
  editor: { accountId: string; uiLocale: Locale },
): Promise<void> {
  const problems = validateTemplate(key, text, editor.uiLocale);
  if (problems.length > 0) throw new TemplateValidationError(problems);
  const values = {
    subject: text.subject.trim(),
    body: text.body.replace(/\r\n/g, '\n'),
    updated_at: new Date(),
    updated_by: editor.accountId,
  };
  await db
    .insertInto('email_templates')
    .values({ key, locale, ...values })
    .onConflict((oc) => oc.columns(['key', 'locale']).doUpdateSet(values))
    .execute();
}

/** Back to the default from code. */
export async function resetTemplate(db: Db, key: TemplateKey, locale: Locale): Promise<void> {
  await db.deleteFrom('email_templates').where('key', '=', key).where('locale', '=', locale).execute();
}

export interface RenderedTemplate {
  subject: string;
  /** Plain text: tag values as they are. */
  text: string;
  /** HTML: the whole text escaped (tag values included), line breaks kept. */
  html: string;
}

/** Fills a text's tags; a tag without a value (a template saved before a tag was removed) stays visible. */
export function fillTags(text: string, vars: Readonly<Record<string, string>>, escape: boolean): string {
  if (!escape)
    return text.replace(TAG_PATTERN, (whole, name: string) => (Object.hasOwn(vars, name) ? vars[name]! : whole));
  let out = '';
  let last = 0;
  for (const match of text.matchAll(TAG_PATTERN)) {
    out += escapeHtml(text.slice(last, match.index));
    const name = match[1]!;
    out += escapeHtml(Object.hasOwn(vars, name) ? vars[name]! : match[0]);
    last = match.index + match[0].length;
  }
  return (out + escapeHtml(text.slice(last))).replace(/\r?\n/g, '<br>\n');
}

export function renderText<K extends TemplateKey>(text: TemplateText, vars: TemplateVars<K>): RenderedTemplate {
  const values: Readonly<Record<string, string>> = vars;
  // A subject is one line whatever a value holds.
  const subject = fillTags(text.subject, values, false).replace(/[\r\n]+/g, ' ');
  return { subject, text: fillTags(text.body, values, false), html: fillTags(text.body, values, true) };
}

/** The template in `locale`, edited or default, with its tags filled. */
export async function renderTemplate<K extends TemplateKey>(
  db: Db,
  key: K,
  locale: Locale,
  vars: TemplateVars<K>,
): Promise<RenderedTemplate> {
  return renderText<K>(await getTemplate(db, key, locale), vars);
}

/** Values shown in the back-office preview. */
export function sampleVars<K extends TemplateKey>(key: K, locale: Locale): TemplateVars<K> {
  const samples: Record<string, string> = messages(locale).templates.samples;
  const tags: readonly string[] = TEMPLATE_DEFINITIONS[key].tags;
  // Every tag of K gets a value: the object is built from K's own tag list.
  return Object.fromEntries(tags.map((name) => [name, samples[name] ?? name])) as TemplateVars<K>;
}
