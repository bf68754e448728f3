// Redmine's JSON to our types and back (connectors/redmine/convert.ts): pure, no Redmine needed.
import { describe, expect, it } from 'vitest';
import {
  holdsValue,
  rawCustomFields,
  rawUploads,
  redmineTime,
  toAttachment,
  toIssue,
  toJournal,
  toProject,
  toUser,
} from '../../../connectors/redmine/convert.js';
import { sanitizeFilename } from '../../../connectors/redmine/uploads.js';
import { looksLikeApiKey } from '../../../connectors/redmine/credentials.js';

describe('Redmine converters', () => {
  it('reads a user, without a mail Redmine hides', () => {
    expect(toUser({ id: 3, login: 'ada', firstname: 'Ada', lastname: 'L' })).toEqual({
      id: 3,
      login: 'ada',
      firstName: 'Ada',
      lastName: 'L',
      admin: false,
    });
    expect(toUser({ id: 3, login: 'ada', firstname: 'A', lastname: 'L', mail: 'a@x.test', admin: true })).toMatchObject(
      {
        mail: 'a@x.test',
        admin: true,
      },
    );
  });

  it('reads a project with its defaults', () => {
    expect(toProject({ id: 1, name: 'P', identifier: 'p', parent: { id: 9, name: 'Q' } })).toEqual({
      id: 1,
      name: 'P',
      identifier: 'p',
      isPublic: false,
      status: 1,
      parentId: 9,
    });
  });

  it('reads a journal, missing parts as empty', () => {
    const journal = toJournal({
      id: 7,
      created_on: '2026-01-02T03:04:05Z',
      details: [{ property: 'attachment', name: '12', new_value: 'a.pdf' }],
    });
    expect(journal).toEqual({
      id: 7,
      userId: 0,
      userName: '',
      notes: '',
      privateNotes: false,
      createdOn: new Date('2026-01-02T03:04:05Z'),
      details: [{ property: 'attachment', name: '12', oldValue: null, newValue: 'a.pdf' }],
    });
  });

  it('reads an attachment', () => {
    expect(
      toAttachment({ id: 5, filename: 'a.pdf', filesize: 10, content_url: 'u', created_on: '2026-01-02T00:00:00Z' }),
    ).toEqual({
      id: 5,
      filename: 'a.pdf',
      filesize: 10,
      description: '',
      contentUrl: 'u',
      createdOn: new Date('2026-01-02T00:00:00Z'),
    });
  });

  it('reads an issue, journals in id order whatever the API user prefers', () => {
    const issue = toIssue({
      id: 1,
      project: { id: 2, name: 'P' },
      tracker: { id: 3, name: 'T' },
      status: { id: 4, name: 'New', is_closed: false },
      author: { id: 5, name: 'A' },
      subject: 'S',
      custom_fields: [
        { id: 8, name: 'E-mail', value: null },
        { id: 9, name: 'Tags', multiple: true },
      ],
      created_on: '2026-01-01T00:00:00Z',
      updated_on: '2026-01-02T00:00:00Z',
      journals: [
        { id: 20, created_on: '2026-01-02T00:00:00Z' },
        { id: 10, created_on: '2026-01-01T00:00:00Z' },
      ],
    });
    expect(issue.description).toBe('');
    expect(issue.statusIsClosed).toBe(false);
    expect(issue.customFields).toEqual([
      { id: 8, name: 'E-mail', value: '' },
      { id: 9, name: 'Tags', value: [] },
    ]);
    expect(issue.journals?.map((j) => j.id)).toEqual([10, 20]);
    expect(issue).not.toHaveProperty('attachments');
  });

  it('writes custom fields, uploads and times as Redmine takes them', () => {
    expect(rawCustomFields([{ id: 1, value: 'x' }])).toEqual([{ id: 1, value: 'x' }]);
    expect(rawUploads([{ token: 't', filename: 'a.pdf', contentType: 'application/pdf' }])).toEqual([
      { token: 't', filename: 'a.pdf', content_type: 'application/pdf' },
    ]);
    expect(redmineTime(new Date('2026-01-02T03:04:05.678Z'))).toBe('2026-01-02T03:04:05Z');
  });

  it('compares custom field values trimmed, case aside on demand', () => {
    expect(holdsValue(' a@x.test ', 'a@x.test')).toBe(true);
    expect(holdsValue('A@x.test', 'a@x.test')).toBe(false);
    expect(holdsValue('A@x.test', 'a@x.test', true)).toBe(true);
    expect(holdsValue(['a', 'b'], ['b', ''])).toBe(true);
  });

  it('names files as Redmine stores them, and spots API keys typed as logins', () => {
    expect(sanitizeFilename('C:\\dir\\a:b?.pdf')).toBe('a_b_.pdf');
    expect(looksLikeApiKey(' 0123456789abcdef0123456789abcdef01234567 ')).toBe(true);
    expect(looksLikeApiKey('ada')).toBe(false);
  });
});
