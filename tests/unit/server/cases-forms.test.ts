// The cases feature's form schemas (server/features/cases/*/forms.ts), in French and English:
// the values they give, and the catalogue's messages in the page's order when they refuse.
import { describe, expect, it } from 'vitest';
import type { DocumentTemplate, Space } from '../../../db/database.js';
import { messages, type Locale } from '../../../i18n/index.js';
import { parseForm } from '../../../server/forms.js';
import { newCaseSchema, newCaseTyped, type TemplateWithFacts } from '../../../server/features/cases/admin/forms.js';
import { assignSchema, noteSchema, parseFilters, rowsChoice } from '../../../server/features/cases/list/forms.js';
import {
  amountSchema,
  exemptSchema,
  paymentStateSchema,
  recordSchema,
  unpaidModeSchema,
} from '../../../server/features/cases/record/forms.js';

const SPACE_ID = '6da2ddb7-2e51-4488-b1f5-1d2caf1fedf8';
const TEMPLATE_ID = '0b8f8d0e-3a4c-4c55-9d43-8d3b1c2a7e10';
const space = { id: SPACE_ID, name: 'Lyon' } as Space;
const template = {
  id: TEMPLATE_ID,
  name: 'Vente',
  name_en: 'Sale',
  facts: [
    { name: 'downPayment', kind: 'number' },
    { name: 'financing', kind: 'choice', values: ['loan', 'cash'] },
  ],
} as unknown as TemplateWithFacts & DocumentTemplate;

describe.each(['fr', 'en'] as Locale[])('case forms in %s', (locale) => {
  const t = messages(locale);

  it('record: trims the summary, keeps one conclusion a line, refuses what is too long in order', () => {
    expect(parseForm(recordSchema(t), { summary: ' Vu \r\n le bien ', conclusions: 'a\r\n\r\n b ' })).toEqual({
      ok: true,
      values: { summary: 'Vu \n le bien', conclusions: ['a', 'b'] },
    });
    expect(parseForm(recordSchema(t), {})).toEqual({ ok: true, values: { summary: '', conclusions: [] } });
    const refused = parseForm(recordSchema(t), {
      summary: 'x'.repeat(5001),
      conclusions: ['ok', 'y'.repeat(501), ...Array.from({ length: 50 }, () => 'z')].join('\n'),
    });
    expect(refused).toEqual({
      ok: false,
      errors: [t.caseRecord.summaryTooLong, t.caseRecord.conclusionsTooMany, t.caseRecord.conclusionTooLong(2)],
    });
  });

  it('amount: cents from French or English writing; the typed text in the message when refused', () => {
    expect(parseForm(amountSchema(t), { amount: '1 234,50' })).toEqual({ ok: true, values: { amount: 123450 } });
    expect(parseForm(amountSchema(t), { amount: ' douze ' })).toEqual({
      ok: false,
      errors: [t.caseRecord.amountInvalid('douze')],
    });
    expect(parseForm(amountSchema(t), { amount: '999999999999' })).toEqual({
      ok: false,
      errors: [t.caseRecord.amountTooLarge],
    });
  });

  it('payment state: paid ⇄ unpaid only, the confirmation only towards paid', () => {
    expect(parseForm(paymentStateSchema(t), { from: 'unpaid', to: 'paid', confirm: 'on' })).toEqual({
      ok: true,
      values: { from: 'unpaid', to: 'paid', confirm: true },
    });
    expect(parseForm(paymentStateSchema(t), { from: 'paid', to: 'unpaid', confirm: 'on' })).toEqual({
      ok: true,
      values: { from: 'paid', to: 'unpaid', confirm: false },
    });
    for (const body of [{ from: 'unpaid', to: 'rembourse' }, { from: 'paid', to: 'paid' }, {}])
      expect(parseForm(paymentStateSchema(t), body)).toEqual({ ok: false, errors: [t.errors.badForm] });
  });

  it('unpaid-cases setting and exemption', () => {
    expect(parseForm(unpaidModeSchema(t), { unpaidMode: 'watermark' })).toEqual({
      ok: true,
      values: { unpaidMode: 'watermark' },
    });
    expect(parseForm(unpaidModeSchema(t), { unpaidMode: 'never' })).toEqual({
      ok: false,
      errors: [t.caseRecord.unpaidInvalid],
    });
    expect(parseForm(exemptSchema, { exempt: '1' })).toEqual({ ok: true, values: { exempt: true } });
    expect(parseForm(exemptSchema, {})).toEqual({ ok: true, values: { exempt: false } });
  });

  it('new case: every problem at once, in the page’s order', () => {
    const found = { numberTaken: false, existingClientId: undefined, spaces: [space], templates: [template] };
    const schema = newCaseSchema(t, found, (e) => e.toLowerCase());
    expect(parseForm(schema, { clientEmail: 'nope', space: 'x', template: 'y' })).toEqual({
      ok: false,
      errors: [
        t.caseAdmin.numberRequired,
        t.caseAdmin.titleRequired,
        t.caseAdmin.emailInvalid,
        t.caseAdmin.spaceInvalid,
        t.caseAdmin.templateInvalid,
      ],
    });
    const taken = newCaseSchema(t, { ...found, numberTaken: true }, (e) => e);
    const body = {
      number: ' V-12 ',
      title: 'Vente Martin',
      clientEmail: 'Emma@Example.org',
      clientName: '',
      space: SPACE_ID,
      template: TEMPLATE_ID,
      'fact-downPayment': '12,5x',
    };
    expect(parseForm(taken, body)).toEqual({
      ok: false,
      errors: [
        t.caseAdmin.numberTaken('V-12'),
        t.caseAdmin.nameRequired,
        t.caseAdmin.factInvalid(t.caseAdmin.factNames.downPayment ?? 'downPayment'),
      ],
    });
    const ok = parseForm(schema, {
      ...body,
      clientName: 'Emma Walsh',
      'fact-downPayment': '15 000,50',
      'fact-financing': 'loan',
      notifyClient: '1',
    });
    expect(ok.ok && ok.values).toMatchObject({
      number: 'V-12',
      client: { email: 'emma@example.org', fullName: 'Emma Walsh' },
      space,
      template,
      facts: { downPayment: 15000.5, financing: 'loan' },
      notifyClient: true,
    });
    expect(newCaseTyped(body, ['downPayment']).facts).toEqual({ downPayment: '12,5x' });
  });
});

describe('case list forms', () => {
  it('filters: values that are not ours are ignored; a repeated one counts once', () => {
    expect(
      parseFilters({ q: ['Martin', 'x'], espace: SPACE_ID, etat: 'open', paiement: 'free', attribue: 'someone' }),
    ).toEqual({
      q: 'Martin',
      spaceId: SPACE_ID,
      status: 'open',
      payment: undefined,
      assignee: undefined,
    });
    expect(parseFilters(undefined).q).toBe('');
  });

  it('rows per page: 10 to 350', () => {
    expect(rowsChoice('9', 25)).toEqual({ ok: false, rows: 10, asked: '9' });
    expect(rowsChoice('40', 25)).toEqual({ ok: true, rows: 40 });
  });

  it('assignment and notepad: the notepad’s refusals are the page’s error codes', () => {
    expect(parseForm(assignSchema, { assignee: ` ${SPACE_ID} ` })).toEqual({
      ok: true,
      values: { assignee: SPACE_ID },
    });
    expect(parseForm(assignSchema, {})).toEqual({ ok: true, values: { assignee: '' } });
    expect(parseForm(noteSchema, { note: ' a\r\nb ' })).toEqual({ ok: true, values: { note: 'a\nb' } });
    expect(parseForm(noteSchema, { note: '  ' })).toEqual({ ok: false, errors: ['note-vide'] });
    expect(parseForm(noteSchema, { note: 'x'.repeat(5001) })).toEqual({ ok: false, errors: ['note-longue'] });
  });
});
