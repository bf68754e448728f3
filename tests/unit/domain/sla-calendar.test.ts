// The SLA calendar: due times in business hours (9:00–18:00 Paris, Monday–Friday, French public
// holidays off), across week-ends, holidays and daylight-saving changes.
import { describe, expect, it } from 'vitest';
import {
  addWorkingTime,
  DEFAULT_BUSINESS_CALENDAR,
  easterSunday,
  frenchPublicHolidays,
  workingTimeBetween,
  type SlaCalendar,
} from '../../../domain/sla-calendar.js';

const HOUR = 3_600_000;
const business = DEFAULT_BUSINESS_CALENDAR;
const calendar: SlaCalendar = { ...business, mode: 'calendar' };

describe('French public holidays', () => {
  it('computes Easter and the movable feasts', () => {
    expect(easterSunday(2026).toISOString().slice(0, 10)).toBe('2026-04-05');
    expect(easterSunday(2027).toISOString().slice(0, 10)).toBe('2027-03-28');
    expect(easterSunday(2038).toISOString().slice(0, 10)).toBe('2038-04-25');
    const h2026 = frenchPublicHolidays(2026);
    for (const day of ['2026-04-06', '2026-05-14', '2026-05-25', '2026-07-14', '2026-11-11', '2026-12-25'])
      expect(h2026.has(day)).toBe(true);
    expect(h2026.size).toBe(11);
  });
});

describe('due times', () => {
  // [case, request (UTC), working hours, due (UTC)]
  const cases: Array<[string, string, number, string]> = [
    [
      'Friday 17:30, 24 h: half an hour Friday, Monday, Tuesday, then Wednesday 14:30',
      '2026-11-20T16:30:00Z',
      24,
      '2026-11-25T13:30:00Z',
    ],
    ['Friday 17:30, 48 h: into the next Monday', '2026-11-20T16:30:00Z', 48, '2026-11-30T10:30:00Z'],
    [
      'Friday 17:30 before Whit Monday: the holiday week-end is skipped',
      '2026-05-22T15:30:00Z',
      24,
      '2026-05-28T12:30:00Z',
    ],
    ['Wednesday evening before Ascension: Thursday is off', '2026-05-13T15:00:00Z', 9, '2026-05-15T15:00:00Z'],
    [
      'Thursday before Easter: Good Friday is worked, Easter Monday is not',
      '2026-04-02T15:00:00Z',
      12,
      '2026-04-07T09:00:00Z',
    ],
    ['Saturday: the clock starts on Monday at 9:00', '2026-11-21T10:00:00Z', 2, '2026-11-23T10:00:00Z'],
    ['Monday 7:00: the clock starts at opening', '2026-11-23T06:00:00Z', 1, '2026-11-23T09:00:00Z'],
    ['Friday before the spring change: Monday is summer time', '2026-03-27T16:00:00Z', 9, '2026-03-30T15:00:00Z'],
    ['Friday before the autumn change: Monday is winter time', '2026-10-23T16:00:00Z', 9, '2026-10-26T17:00:00Z'],
    ['Christmas Eve 17:00: Christmas is off', '2026-12-24T16:00:00Z', 2, '2026-12-28T09:00:00Z'],
  ];
  it.each(cases)('%s', (_name, start, hours, due) => {
    expect(addWorkingTime(new Date(start), hours * HOUR, business).toISOString()).toBe(new Date(due).toISOString());
    expect(workingTimeBetween(new Date(start), new Date(due), business)).toBe(hours * HOUR);
  });

  it('counts plain hours in calendar mode', () => {
    expect(addWorkingTime(new Date('2026-11-20T16:30:00Z'), 24 * HOUR, calendar).toISOString()).toBe(
      '2026-11-21T16:30:00.000Z',
    );
    expect(workingTimeBetween(new Date('2026-11-20T16:30:00Z'), new Date('2026-11-21T16:30:00Z'), calendar)).toBe(
      24 * HOUR,
    );
  });
});
