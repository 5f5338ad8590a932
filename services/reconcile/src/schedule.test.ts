import { nextDailyRun, periodsDue } from './schedule';

describe('daily reconciliation schedule (Beijing time)', () => {
  it('runs next at the Beijing wall time: later today, or tomorrow once it has passed', () => {
    // 2026-11-20 01:00 Beijing = 2026-11-19T17:00Z → 02:30 Beijing the same day = 18:30Z.
    expect(new Date(nextDailyRun(Date.parse('2026-11-19T17:00:00Z'), '02:30')).toISOString()).toBe(
      '2026-11-19T18:30:00.000Z',
    );
    expect(new Date(nextDailyRun(Date.parse('2026-11-19T18:30:00Z'), '02:30')).toISOString()).toBe(
      '2026-11-20T18:30:00.000Z',
    );
  });

  it('covers the previous period until its books close, then only the current one', () => {
    // 2026-12-01 00:30 Beijing is still November 30 in UTC: the Beijing calendar decides.
    expect(periodsDue(Date.parse('2026-11-30T16:30:00Z'), 10)).toEqual(['2026-11', '2026-12']);
    expect(periodsDue(Date.parse('2026-12-11T02:00:00Z'), 10)).toEqual(['2026-12']);
    expect(periodsDue(Date.parse('2027-01-05T02:00:00Z'), 10)).toEqual(['2026-12', '2027-01']);
  });
});
