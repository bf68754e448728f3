// The documents feature's form schemas (server/features/documents/forms.ts): the deposit's
// category, the splitting zone's pages, the client's comment and the staff review, with their
// messages in French and in English, each once and in the order the pages list them.
import { describe, expect, it } from 'vitest';
import { messages } from '../../../i18n/index.js';
import { parseForm } from '../../../server/forms.js';
import {
  commentSchema,
  depositSchema,
  parsePageList,
  reviewSchema,
  splitSchema,
} from '../../../server/features/documents/forms.js';

const fr = messages('fr');
const en = messages('en');

/** A multipart body as readFormFields makes it: no prototype. */
function multipart(fields: Record<string, string>): Record<string, string> {
  return Object.assign(Object.create(null) as Record<string, string>, fields);
}

describe('deposit form', () => {
  it('reads the category, or nothing when it is missing or not text', () => {
    expect(parseForm(depositSchema, multipart({ category: 'c1' }))).toEqual({ ok: true, values: { category: 'c1' } });
    expect(parseForm(depositSchema, multipart({}))).toEqual({ ok: true, values: { category: '' } });
    expect(parseForm(depositSchema, { category: ['a'] })).toEqual({ ok: true, values: { category: '' } });
  });
});

describe('comment form', () => {
  it('keeps the comment trimmed', () => {
    expect(parseForm(commentSchema(fr), { comment: '  Bonjour  ' })).toEqual({
      ok: true,
      values: { comment: 'Bonjour' },
    });
  });

  it('asks for a comment, in French and in English', () => {
    expect(parseForm(commentSchema(fr), { comment: '   ' })).toEqual({
      ok: false,
      errors: ['Merci d’écrire votre commentaire.'],
    });
    expect(parseForm(commentSchema(en), {})).toEqual({ ok: false, errors: ['Please write your comment.'] });
  });

  it('refuses more than 2,000 characters once trimmed', () => {
    expect(parseForm(commentSchema(fr), { comment: ` ${'a'.repeat(2000)} ` }).ok).toBe(true);
    expect(parseForm(commentSchema(fr), { comment: 'a'.repeat(2001) })).toEqual({
      ok: false,
      errors: [fr.documents.commentTooLong],
    });
    expect(parseForm(commentSchema(en), { comment: 'a'.repeat(2001) })).toEqual({
      ok: false,
      errors: ['The comment cannot be longer than 2,000 characters.'],
    });
  });
});

describe('page lists', () => {
  it('reads ranges and single pages within the document', () => {
    expect(parsePageList('1-3, 5', 5)).toEqual([1, 2, 3, 5]);
    expect(parsePageList(' 2;4 ', 4)).toEqual([2, 4]);
    expect(parsePageList('', 3)).toEqual([]);
  });

  it('refuses pages outside the document and text that is not a list', () => {
    expect(parsePageList('0', 3)).toBeUndefined();
    expect(parsePageList('2-4', 3)).toBeUndefined();
    expect(parsePageList('3-1', 3)).toBeUndefined();
    expect(parsePageList('un', 3)).toBeUndefined();
  });
});

describe('split form', () => {
  const identity = { id: 'id-1', code: 'identite' };
  const home = { id: 'id-2', code: 'domicile' };
  const targets = (t: typeof fr) => [
    { category: identity, label: t === fr ? 'Identité' : 'Identity' },
    { category: home, label: t === fr ? 'Domicile' : 'Home' },
  ];

  it('gives one piece per category with pages, in the order of the categories', () => {
    const body = multipart({ 'pages-id-2': '3', 'pages-id-1': '1-2' });
    expect(parseForm(splitSchema(fr, targets(fr), 3), body)).toEqual({
      ok: true,
      values: [
        { category: identity, pages: [1, 2] },
        { category: home, pages: [3] },
      ],
    });
  });

  it('names each invalid list and each page sent twice, in French and in English', () => {
    const body = multipart({ 'pages-id-1': '1-2', 'pages-id-2': '2-4' });
    expect(parseForm(splitSchema(fr, targets(fr), 3), body)).toEqual({
      ok: false,
      errors: ['Les pages indiquées pour « Domicile » ne sont pas valides.'],
    });
    const twice = multipart({ 'pages-id-1': '1-2', 'pages-id-2': '2' });
    expect(parseForm(splitSchema(en, targets(en), 3), twice)).toEqual({
      ok: false,
      errors: [en.documents.splitPageTwice(2)],
    });
  });

  it('asks for at least one page', () => {
    expect(parseForm(splitSchema(fr, targets(fr), 3), multipart({}))).toEqual({
      ok: false,
      errors: [fr.documents.splitNothing],
    });
    expect(parseForm(splitSchema(en, targets(en), 3), multipart({ 'pages-id-1': ' ' }))).toEqual({
      ok: false,
      errors: [en.documents.splitNothing],
    });
  });

  it('lists a message once even when it applies twice', () => {
    const body = multipart({ 'pages-id-1': '1, 1', 'pages-id-2': '1' });
    expect(parseForm(splitSchema(fr, targets(fr), 3), body)).toEqual({
      ok: false,
      errors: [fr.documents.splitPageTwice(1)],
    });
  });
});

describe('review form', () => {
  const category = {
    pieces: [{ code: 'cni' }, { code: 'passeport' }],
    refusal_reasons: [{ code: 'flou' }, { code: 'ancien', archived: true }],
  };

  it('validates as a piece of the category, or as none', () => {
    expect(parseForm(reviewSchema(fr, category), { decision: 'validate', piece: 'cni', comment: ' ok ' })).toEqual({
      ok: true,
      values: { outcome: 'validated', pieceCode: 'cni', comment: 'ok' },
    });
    expect(parseForm(reviewSchema(fr, category), { decision: 'validate', piece: 'autre' })).toEqual({
      ok: true,
      values: { outcome: 'validated', pieceCode: null, comment: null },
    });
  });

  it('rejects for a current reason only, the comment cut to 500 characters', () => {
    expect(
      parseForm(reviewSchema(fr, category), { decision: 'reject', reason: 'flou', comment: 'x'.repeat(600) }),
    ).toEqual({ ok: true, values: { outcome: 'rejected', reason: 'flou', comment: 'x'.repeat(500) } });
    expect(parseForm(reviewSchema(fr, category), { decision: 'reject', reason: 'ancien' })).toEqual({
      ok: false,
      errors: ['Merci de choisir un motif de refus.'],
    });
    expect(parseForm(reviewSchema(en, category), { decision: 'reject' })).toEqual({
      ok: false,
      errors: ['Please choose a reason for refusal.'],
    });
  });

  it('cannot read a form without a decision', () => {
    expect(parseForm(reviewSchema(fr, category), {})).toEqual({ ok: false, errors: [fr.errors.badForm] });
    expect(parseForm(reviewSchema(en, category), { decision: 'maybe' })).toEqual({
      ok: false,
      errors: [en.errors.badForm],
    });
  });
});
