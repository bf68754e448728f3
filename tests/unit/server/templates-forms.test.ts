// The template editor's form: the button pressed and the text as typed, never refused.
import { describe, expect, it } from 'vitest';
import { readTemplateForm } from '../../../server/features/templates/forms.js';

describe('template form', () => {
  it('reads the button pressed: reset, save, or else a preview', () => {
    expect(readTemplateForm({ action: 'reset' }).action).toBe('reset');
    expect(readTemplateForm({ action: 'save' }).action).toBe('save');
    expect(readTemplateForm({ action: 'preview' }).action).toBe('preview');
    expect(readTemplateForm({ action: 'anything' }).action).toBe('preview');
    expect(readTemplateForm(undefined).action).toBe('preview');
  });

  it('keeps the text exactly as typed, missing fields empty', () => {
    expect(readTemplateForm({ action: 'save', subject: ' Re: {{conversationSubject}} ', body: 'a\r\nb ' })).toEqual({
      action: 'save',
      subject: ' Re: {{conversationSubject}} ',
      body: 'a\r\nb ',
    });
    expect(readTemplateForm({ body: ['x'] })).toEqual({ action: 'preview', subject: '', body: '' });
  });
});
