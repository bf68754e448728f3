// What the app hands to the workflows: the inputs and events are plain data that Temporal
// serialises as JSON, so they must survive a round trip unchanged.
import { describe, expect, it } from 'vitest';
import type { CollectionEvent, ContributorInvitationInput, RedmineSyncInput } from '../../../domain/workflow-inputs.js';

const roundTrip = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe('workflow inputs', () => {
  it('survive JSON serialisation unchanged', () => {
    const events: CollectionEvent[] = [
      { type: 'deposit', documentIds: ['d1', 'd2'] },
      { type: 'review', documentId: 'd1' },
      { type: 'comment', commentId: 'c1' },
      { type: 'close' },
      { type: 'policy' },
    ];
    const invitation: ContributorInvitationInput = {
      memberId: 'm1',
      generation: 2,
      reminderDays: [2, 5],
      expiryDays: 14,
    };
    const sync: RedmineSyncInput = { pollMs: 5000, rescanMs: 600_000, cursor: '2026-12-01T10:00:00Z' };
    expect(roundTrip(events)).toEqual(events);
    expect(roundTrip(invitation)).toEqual(invitation);
    expect(roundTrip(sync)).toEqual(sync);
  });

  it('tell collection events apart by their type', () => {
    const describe = (e: CollectionEvent): string => {
      switch (e.type) {
        case 'deposit':
          return `deposit ${e.documentIds.length}`;
        case 'review':
          return `review ${e.documentId}`;
        case 'comment':
          return `comment ${e.commentId}`;
        case 'close':
        case 'policy':
          return e.type;
      }
    };
    expect(describe({ type: 'deposit', documentIds: ['a', 'b'] })).toBe('deposit 2');
    expect(describe({ type: 'close' })).toBe('close');
  });
});
