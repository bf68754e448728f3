// Piece rules: which pieces a case asks for from its facts, the state of each category, when a
// collection is complete, and what the law forbids a property manager's template to ask.
import { describe, expect, it } from 'vitest';
import {
  categoryLabel,
  categoryStates,
  isCaseComplete,
  isPieceRequired,
  templateCategoryProblems,
  templateFacts,
  TemplateRuleError,
  text,
  type DocumentStatus,
  type PieceRule,
  type TemplatePiece,
} from '../../../domain/pieces.js';

const piece = (code: string, rule: PieceRule = { kind: 'required' }, role = 'tenant'): TemplatePiece => ({
  code,
  label: { fr: `Pièce ${code}`, en: `Piece ${code}` },
  role,
  rule,
});

let next = 0;
const doc = (category_id: string, status: DocumentStatus, piece_code: string | null = null) => ({
  id: `d${++next}`,
  category_id,
  status,
  piece_code,
});

/** Seed 000: a down payment proof in leasing from 15,000 €. */
const downPayment: PieceRule = {
  kind: 'requiredWhen',
  all: [
    { fact: 'financing', op: 'eq', value: 'lease' },
    { fact: 'downPayment', op: 'gte', value: 15000 },
  ],
};

describe('isPieceRequired', () => {
  it('always or never for required and optional pieces', () => {
    expect(isPieceRequired({ kind: 'required' }, {})).toBe(true);
    expect(isPieceRequired({ kind: 'optional' }, { anything: 1 })).toBe(false);
  });

  it('when every condition on the facts holds', () => {
    expect(isPieceRequired(downPayment, { financing: 'lease', downPayment: 15000 })).toBe(true);
    expect(isPieceRequired(downPayment, { financing: 'lease', downPayment: 20000 })).toBe(true);
    expect(isPieceRequired(downPayment, { financing: 'lease', downPayment: 14999 })).toBe(false);
    expect(isPieceRequired(downPayment, { financing: 'credit', downPayment: 20000 })).toBe(false);
  });

  it('not when a fact is missing', () => {
    expect(isPieceRequired(downPayment, { financing: 'lease' })).toBe(false);
    expect(isPieceRequired(downPayment, {})).toBe(false);
  });

  it('compares facts typed as text or numbers alike', () => {
    expect(isPieceRequired(downPayment, { financing: 'lease', downPayment: '15000' })).toBe(true);
    const children: PieceRule = { kind: 'requiredWhen', all: [{ fact: 'children', op: 'eq', value: 2 }] };
    expect(isPieceRequired(children, { children: '2' })).toBe(true);
    expect(isPieceRequired(children, { children: 3 })).toBe(false);
  });

  it('with no condition at all', () => {
    expect(isPieceRequired({ kind: 'requiredWhen', all: [] }, {})).toBe(true);
  });
});

describe('categoryStates', () => {
  const identity = { id: 'identity', pieces: [piece('id-card'), piece('id-back', { kind: 'optional' })] };
  const income = { id: 'income', pieces: [piece('payslip-1'), piece('payslip-2')] };
  const extra = { id: 'extra', pieces: [piece('down-payment', downPayment)] };

  it('a category without documents misses its required pieces', () => {
    const [state] = categoryStates([identity], [], {});
    expect(state?.state).toBe('missing');
    expect(state?.required.map((p) => p.code)).toEqual(['id-card']);
    expect(state?.missing.map((p) => p.code)).toEqual(['id-card']);
    expect(state?.documents).toEqual([]);
    expect(state?.category).toBe(identity);
  });

  it('is complete once every required piece has a validated document', () => {
    const docs = [doc('income', 'validated', 'payslip-1'), doc('income', 'validated', 'payslip-2')];
    const [state] = categoryStates([income], docs, {});
    expect(state?.state).toBe('complete');
    expect(state?.missing).toEqual([]);
    expect(state?.documents).toEqual(docs);
  });

  it('counts a validated document only as the piece staff named', () => {
    const docs = [doc('income', 'validated', 'payslip-1'), doc('income', 'validated', 'payslip-1')];
    const [state] = categoryStates([income], docs, {});
    expect(state?.missing.map((p) => p.code)).toEqual(['payslip-2']);
    expect(state?.state).toBe('missing');
  });

  it('is in review while a document waits, even after a refusal', () => {
    const docs = [doc('income', 'rejected'), doc('income', 'pending')];
    expect(categoryStates([income], docs, {})[0]?.state).toBe('in_review');
  });

  it('is refused when the last document was refused', () => {
    expect(categoryStates([income], [doc('income', 'pending'), doc('income', 'rejected')], {})[0]?.state).toBe(
      'in_review',
    );
    expect(
      categoryStates([income], [doc('income', 'validated', 'payslip-1'), doc('income', 'rejected')], {})[0]?.state,
    ).toBe('refused');
    // A validated piece after a refusal: the remaining piece is simply missing.
    expect(
      categoryStates([income], [doc('income', 'rejected'), doc('income', 'validated', 'payslip-1')], {})[0]?.state,
    ).toBe('missing');
  });

  it('a category asking nothing is optional, in review, or complete with a validated document', () => {
    expect(categoryStates([extra], [], { financing: 'credit' })[0]?.state).toBe('optional');
    expect(categoryStates([extra], [doc('extra', 'pending')], { financing: 'credit' })[0]?.state).toBe('in_review');
    expect(categoryStates([extra], [doc('extra', 'validated', null)], {})[0]?.state).toBe('complete');
    expect(categoryStates([extra], [doc('extra', 'rejected')], {})[0]?.state).toBe('optional');
  });

  it('follows the case’s facts', () => {
    expect(categoryStates([extra], [], { financing: 'lease', downPayment: 9000 })[0]?.required).toEqual([]);
    expect(categoryStates([extra], [], { financing: 'lease', downPayment: 18000 })[0]?.state).toBe('missing');
  });

  it('keeps the order of the categories and gives each its own documents', () => {
    const states = categoryStates([income, identity], [doc('identity', 'pending'), doc('income', 'pending')], {});
    expect(states.map((s) => s.category.id)).toEqual(['income', 'identity']);
    expect(states.map((s) => s.documents.map((d) => d.category_id))).toEqual([['income'], ['identity']]);
  });
});

describe('isCaseComplete', () => {
  it('when no category misses a required piece', () => {
    const income = { id: 'income', pieces: [piece('payslip')] };
    const optional = { id: 'other', pieces: [piece('x', { kind: 'optional' })] };
    expect(isCaseComplete(categoryStates([income, optional], [doc('income', 'validated', 'payslip')], {}))).toBe(true);
    expect(isCaseComplete(categoryStates([income, optional], [doc('income', 'pending')], {}))).toBe(false);
    expect(isCaseComplete([])).toBe(true);
  });
});

describe('texts', () => {
  it('in the visitor’s language', () => {
    expect(text({ fr: 'Bulletin de salaire', en: 'Payslip' }, 'fr')).toBe('Bulletin de salaire');
    expect(text({ fr: 'Bulletin de salaire', en: 'Payslip' }, 'en')).toBe('Payslip');
    expect(categoryLabel({ label: 'Revenus', label_en: 'Income' }, 'fr')).toBe('Revenus');
    expect(categoryLabel({ label: 'Revenus', label_en: 'Income' }, 'en')).toBe('Income');
  });
});

describe('templateCategoryProblems', () => {
  const category = (over: Partial<Parameters<typeof templateCategoryProblems>[1]> = {}) => ({
    code: 'income',
    label: 'Revenus',
    label_en: 'Income',
    accepts: [{ fr: 'Bulletins de salaire', en: 'Payslips' }],
    pieces: [piece('payslip')],
    ...over,
  });

  it('refuses bank statements in property management, wherever they are named', () => {
    const forbidden = ['bank_statements_forbidden'];
    expect(templateCategoryProblems('property_management', category({ label: 'Relevés de compte' }))).toEqual(
      forbidden,
    );
    expect(templateCategoryProblems('property_management', category({ label_en: 'Bank statement' }))).toEqual(
      forbidden,
    );
    expect(templateCategoryProblems('property_management', category({ code: 'releve-bancaire' }))).toEqual(forbidden);
    expect(
      templateCategoryProblems(
        'property_management',
        category({ accepts: [{ fr: '3 derniers relevés de compte', en: 'x' }] }),
      ),
    ).toEqual(forbidden);
    expect(
      templateCategoryProblems(
        'property_management',
        category({ pieces: [{ ...piece('p'), label: { fr: 'x', en: 'Bank statements' } }] }),
      ),
    ).toEqual(forbidden);
  });

  it('takes other categories, and bank statements in finance', () => {
    expect(templateCategoryProblems('property_management', category())).toEqual([]);
    expect(templateCategoryProblems('property_management', category({ label: 'Relevé de charges' }))).toEqual([]);
    expect(templateCategoryProblems('finance', category({ label: 'Relevés de compte' }))).toEqual([]);
  });

  it('has an error that carries the problems', () => {
    const error = new TemplateRuleError(['bank_statements_forbidden']);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('TemplateRuleError');
    expect(error.problems).toEqual(['bank_statements_forbidden']);
    expect(error.message).toBe('template category refused: bank_statements_forbidden');
  });
});

describe('templateFacts', () => {
  it('lists the facts the rules read: numbers compared, choices with their values', () => {
    const categories = [
      { pieces: [piece('a'), piece('down-payment', downPayment)] },
      {
        pieces: [
          piece('lease-contract', { kind: 'requiredWhen', all: [{ fact: 'financing', op: 'eq', value: 'credit' }] }),
          piece('kids', { kind: 'requiredWhen', all: [{ fact: 'children', op: 'eq', value: 2 }] }),
        ],
      },
    ];
    expect(templateFacts(categories)).toEqual([
      { name: 'financing', kind: 'choice', values: ['lease', 'credit'] },
      { name: 'downPayment', kind: 'number' },
      { name: 'children', kind: 'choice', values: ['2'] },
    ]);
    expect(templateFacts([{ pieces: [piece('x'), piece('y', { kind: 'optional' })] }])).toEqual([]);
  });
});
