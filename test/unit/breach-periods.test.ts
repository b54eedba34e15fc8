import { CALENDARS, type WorkingCalendarId } from '../../domain/breach/calendars';
import { extend, periodEnd, yearEndAfter, type PeriodContext } from '../../domain/breach/periods';
import type { Clock, Counting, RollForward, Unit } from '../../domain/breach/types';

const ctx = (zone: string, calendar: WorkingCalendarId = 'weekends', yearEnd?: boolean): PeriodContext => ({
  zone,
  calendar: CALENDARS[calendar],
  ...(yearEnd === undefined ? {} : { yearEnd }),
});

function clock(amount: number, unit: Unit, counting: Counting, roll: RollForward = 'none', dayEndsAt?: string): Clock {
  return { anchor: 'awareness', amount, unit, counting, roll, ...(dayEndsAt ? { dayEndsAt } : {}) };
}

describe('periodEnd: hours of elapsed time', () => {
  it.each([
    // [case, anchor, hours, zone, due]
    ['plain 72 h in UTC', '2026-06-01T10:20:00.000Z', 72, 'UTC', '2026-06-04T10:20:00.000Z'],
    ['72 h over the EU spring-forward (2027-03-28 01:00Z)', '2027-03-26T10:00:00.000Z', 72, 'Europe/Berlin', '2027-03-29T10:00:00.000Z'],
    ['72 h over the EU fall-back (2026-10-25 01:00Z)', '2026-10-23T10:00:00.000Z', 72, 'Europe/Berlin', '2026-10-26T10:00:00.000Z'],
    ['4 h straddling the spring-forward instant (5 wall-clock hours)', '2027-03-28T00:30:00.000Z', 4, 'Europe/Berlin', '2027-03-28T04:30:00.000Z'],
    ['1 h inside the repeated fall-back hour', '2026-10-25T00:30:00.000Z', 1, 'Europe/Berlin', '2026-10-25T01:30:00.000Z'],
    ['anchor given with an offset', '2027-03-27T23:30:00+01:00', 24, 'Europe/Berlin', '2027-03-28T22:30:00.000Z'],
    ['48 h over the US fall-back (2026-11-01)', '2026-10-31T12:00:00.000Z', 48, 'America/Los_Angeles', '2026-11-02T12:00:00.000Z'],
    ['a period starting mid-second keeps its milliseconds', '2026-06-01T10:20:30.123Z', 24, 'UTC', '2026-06-02T10:20:30.123Z'],
  ])('%s', (_case, anchor, hours, zone, due) => {
    expect(periodEnd(anchor, clock(hours, 'hours', 'elapsed'), ctx(zone)).dueAt).toBe(due);
  });

  it.each([
    // Same 72 elapsed hours; the local clock reading differs by the hour daylight saving added or removed.
    ['2027-03-26T10:00:00.000Z', 'Mon 2027-03-29 12:00 Europe/Berlin'],
    ['2026-10-23T10:00:00.000Z', 'Mon 2026-10-26 11:00 Europe/Berlin'],
  ])('writes the local end of 72 h from %s into the steps', (anchor, label) => {
    const { steps } = periodEnd(anchor, clock(72, 'hours', 'elapsed'), ctx('Europe/Berlin'));
    expect(steps).toEqual([`72 hours of elapsed time later: ${label}.`]);
  });
});

describe('periodEnd: hours under Reg. 1182/71', () => {
  // Periods in hours run as elapsed time; the regulation's reading, which would not count the hour of the event and
  // so starts at the next local full hour, is shown in the explanation as the later alternative.
  it.each([
    // [case, anchor, zone, hours, due (elapsed), end if the hour of the event were not counted]
    ['event at 10:20Z: the skipped hour would start the period at 11:00Z', '2026-06-01T10:20:00.000Z', 'UTC', 24, '2026-06-02T10:20:00.000Z', 'Tue 2026-06-02 11:00 UTC'],
    ['event exactly at 10:00:00Z: also 11:00Z', '2026-06-01T10:00:00.000Z', 'UTC', 24, '2026-06-02T10:00:00.000Z', 'Tue 2026-06-02 11:00 UTC'],
    ['event in the last millisecond of the hour', '2026-06-01T10:59:59.999Z', 'UTC', 24, '2026-06-02T10:59:59.999Z', 'Tue 2026-06-02 11:00 UTC'],
    ['event at 11:00:00Z: 12:00Z', '2026-06-01T11:00:00.000Z', 'UTC', 24, '2026-06-02T11:00:00.000Z', 'Tue 2026-06-02 12:00 UTC'],
    ['Berlin hours coincide with UTC hours', '2026-06-01T10:20:00.000Z', 'Europe/Berlin', 72, '2026-06-04T10:20:00.000Z', 'Thu 2026-06-04 13:00 Europe/Berlin'],
    ['Kolkata (+05:30): 15:50 local → next local full hour 16:00', '2026-06-01T10:20:00.000Z', 'Asia/Kolkata', 24, '2026-06-02T10:20:00.000Z', 'Tue 2026-06-02 16:00 Asia/Kolkata'],
    ['Kolkata: 16:15 local → 17:00 local', '2026-06-01T10:45:00.000Z', 'Asia/Kolkata', 24, '2026-06-02T10:45:00.000Z', 'Tue 2026-06-02 17:00 Asia/Kolkata'],
    ['Kolkata: exactly 16:00 local → 17:00 local', '2026-06-01T10:30:00.000Z', 'Asia/Kolkata', 24, '2026-06-02T10:30:00.000Z', 'Tue 2026-06-02 17:00 Asia/Kolkata'],
    ['Kathmandu (+05:45): 16:05 local → 17:00 local', '2026-06-01T10:20:00.000Z', 'Asia/Kathmandu', 24, '2026-06-02T10:20:00.000Z', 'Tue 2026-06-02 17:00 Asia/Kathmandu'],
    ['last CET hour before spring-forward: 01:00Z is 03:00 CEST', '2027-03-28T00:20:00.000Z', 'Europe/Berlin', 72, '2027-03-31T00:20:00.000Z', 'Wed 2027-03-31 03:00 Europe/Berlin'],
  ])('%s', (_case, anchor, zone, hours, due, alternative) => {
    const { dueAt, steps } = periodEnd(anchor, clock(hours, 'hours', 'eu-1182-71'), ctx(zone));
    expect(dueAt).toBe(due);
    expect(steps).toContain(`Reg. 1182/71 Art. 3(1) would not count the hour of the event (period ending ${alternative}); the earlier, elapsed-time reading is used.`);
  });

  it('gives the elapsed-time end first, in local time', () => {
    const { steps } = periodEnd('2026-06-01T10:20:00.000Z', clock(24, 'hours', 'eu-1182-71'), ctx('Asia/Kolkata'));
    expect(steps).toEqual([
      '24 hours of elapsed time later: Tue 2026-06-02 15:50 Asia/Kolkata.',
      'Reg. 1182/71 Art. 3(1) would not count the hour of the event (period ending Tue 2026-06-02 16:00 Asia/Kolkata); the earlier, elapsed-time reading is used.',
    ]);
  });

  it('plain elapsed counting does not mention the regulation', () => {
    const { steps } = periodEnd('2026-06-01T10:20:00.000Z', clock(24, 'hours', 'elapsed'), ctx('Asia/Kolkata'));
    expect(steps).toEqual(['24 hours of elapsed time later: Tue 2026-06-02 15:50 Asia/Kolkata.']);
  });
});

describe('periodEnd: hours rolled to noon on the next working day (DORA style)', () => {
  it.each([
    // [case, anchor, counting, zone, calendar, due]
    ['Fri 10:30 CET + 24 h = Saturday → Monday 12:00 CET', '2026-03-13T09:30:00.000Z', 'elapsed', 'Europe/Berlin', 'weekends', '2026-03-16T11:00:00.000Z'],
    ['Sat + 24 h = Sunday → Monday 12:00 CET', '2026-03-14T09:30:00.000Z', 'elapsed', 'Europe/Berlin', 'weekends', '2026-03-16T11:00:00.000Z'],
    ['Fri 23:30 CET + 24 h = Saturday 23:30 → Monday noon', '2026-03-13T22:30:00.000Z', 'elapsed', 'Europe/Berlin', 'weekends', '2026-03-16T11:00:00.000Z'],
    ['Thu + 24 h = Friday: does not move', '2026-03-12T09:30:00.000Z', 'elapsed', 'Europe/Berlin', 'weekends', '2026-03-13T09:30:00.000Z'],
    ['Fri + 24 h under 1182/71 = Saturday → Monday noon', '2026-03-13T09:30:00.000Z', 'eu-1182-71', 'Europe/Berlin', 'weekends', '2026-03-16T11:00:00.000Z'],
    ['Sun + 24 h = Early May bank holiday Monday → Tuesday 12:00 BST', '2026-05-03T09:00:00.000Z', 'elapsed', 'Europe/London', 'GB-EAW', '2026-05-05T11:00:00.000Z'],
    ['Sun + 24 h = Easter Monday → Tuesday 12:00 BST', '2026-04-05T09:00:00.000Z', 'elapsed', 'Europe/London', 'GB-EAW', '2026-04-07T11:00:00.000Z'],
    ['Thu + 24 h = Good Friday → past the weekend and Easter Monday → Tuesday noon', '2026-04-02T09:00:00.000Z', 'elapsed', 'Europe/London', 'GB-EAW', '2026-04-07T11:00:00.000Z'],
    ['the same Monday is a working day without bank holidays', '2026-05-03T09:00:00.000Z', 'elapsed', 'Europe/London', 'weekends', '2026-05-04T09:00:00.000Z'],
    ['local Saturday although Friday in UTC (Tokyo): → Monday 12:00 JST', '2026-03-12T16:00:00.000Z', 'elapsed', 'Asia/Tokyo', 'weekends', '2026-03-16T03:00:00.000Z'],
    ['local Friday although Saturday in UTC (New York): does not move', '2026-03-13T02:00:00.000Z', 'elapsed', 'America/New_York', 'weekends', '2026-03-14T02:00:00.000Z'],
  ] as Array<[string, string, Counting, string, WorkingCalendarId, string]>)('%s', (_case, anchor, counting, zone, calendar, due) => {
    expect(periodEnd(anchor, clock(24, 'hours', counting, 'next-working-day-noon'), ctx(zone, calendar)).dueAt).toBe(due);
  });

  it.each([['none'], ['next-working-day-end']] as Array<[RollForward]>)('roll %s leaves an hours deadline on a Saturday where it is', (roll) => {
    expect(periodEnd('2026-03-13T09:30:00.000Z', clock(24, 'hours', 'elapsed', roll), ctx('Europe/Berlin')).dueAt).toBe('2026-03-14T09:30:00.000Z');
  });

  it('names the bank holiday it rolls over', () => {
    const { steps } = periodEnd('2026-05-03T09:00:00.000Z', clock(24, 'hours', 'elapsed', 'next-working-day-noon'), ctx('Europe/London', 'GB-EAW'));
    expect(steps).toContain(
      '2026-05-04 is not a working day (Early May bank holiday, England and Wales bank holidays): the deadline moves to noon on 2026-05-05.',
    );
  });
});

describe('periodEnd: days after the event, ending at the end of the last local day', () => {
  it.each([
    // [case, anchor, days, zone, due]
    ['30 days after local 10:00 on 2026-01-10 (LA) end with 2026-02-09', '2026-01-10T18:00:00.000Z', 30, 'America/Los_Angeles', '2026-02-10T08:00:00.000Z'],
    ['30 days over the US fall-back end at PST midnight', '2026-10-20T17:00:00.000Z', 30, 'America/Los_Angeles', '2026-11-20T08:00:00.000Z'],
    ['last day is the 25-hour fall-back day 2026-11-01', '2026-10-31T17:00:00.000Z', 1, 'America/Los_Angeles', '2026-11-02T08:00:00.000Z'],
    ['period ending just before the fall-back: midnight is still PDT', '2026-10-30T17:00:00.000Z', 1, 'America/Los_Angeles', '2026-11-01T07:00:00.000Z'],
    ['anchor in the first 01:30 of the fall-back day', '2026-11-01T08:30:00.000Z', 1, 'America/Los_Angeles', '2026-11-03T08:00:00.000Z'],
    ['2026-03-01T03:00Z is still 28 February in LA: day 1 is 1 March', '2026-03-01T03:00:00.000Z', 1, 'America/Los_Angeles', '2026-03-02T08:00:00.000Z'],
    ['…and day 10 is 10 March, after the spring-forward (PDT)', '2026-03-01T03:00:00.000Z', 10, 'America/Los_Angeles', '2026-03-11T07:00:00.000Z'],
    ['an anchor just before local midnight counts from that local day', '2026-06-01T21:59:59.999Z', 3, 'Europe/Berlin', '2026-06-04T22:00:00.000Z'],
    ['an anchor at local midnight counts from the new day', '2026-06-01T22:00:00.000Z', 3, 'Europe/Berlin', '2026-06-05T22:00:00.000Z'],
  ])('%s', (_case, anchor, days, zone, due) => {
    expect(periodEnd(anchor, clock(days, 'days', 'days-after'), ctx(zone)).dueAt).toBe(due);
  });

  it('counts days the same way under Reg. 1182/71', () => {
    expect(periodEnd('2026-06-01T10:00:00.000Z', clock(3, 'days', 'eu-1182-71'), ctx('Europe/Berlin')).dueAt).toBe('2026-06-04T22:00:00.000Z');
  });

  it.each([
    // [case, anchor, days, roll, calendar, due]
    ['Wed + 3 days = Saturday, roll none: end of Saturday', '2026-03-11T10:00:00.000Z', 3, 'none', 'weekends', '2026-03-14T23:00:00.000Z'],
    ['Wed + 3 days = Saturday → end of Monday', '2026-03-11T10:00:00.000Z', 3, 'next-working-day-end', 'weekends', '2026-03-16T23:00:00.000Z'],
    ['Wed + 3 days = Saturday → noon on Monday', '2026-03-11T10:00:00.000Z', 3, 'next-working-day-noon', 'weekends', '2026-03-16T11:00:00.000Z'],
    ['Tue + 3 days = Friday: no roll', '2026-03-10T10:00:00.000Z', 3, 'next-working-day-end', 'weekends', '2026-03-13T23:00:00.000Z'],
  ] as Array<[string, string, number, RollForward, WorkingCalendarId, string]>)('%s', (_case, anchor, days, roll, calendar, due) => {
    expect(periodEnd(anchor, clock(days, 'days', 'days-after', roll), ctx('Europe/Berlin', calendar)).dueAt).toBe(due);
  });

  it('ends at dayEndsAt local time instead of midnight when given', () => {
    // Tue 2026-11-17 + 2 days = Thu 2026-11-19, 17:30 EST.
    expect(periodEnd('2026-11-17T15:00:00.000Z', clock(2, 'days', 'days-after', 'none', '17:30'), ctx('America/New_York')).dueAt).toBe(
      '2026-11-19T22:30:00.000Z',
    );
  });

  it('writes the counted day and the local end into the steps', () => {
    const { steps } = periodEnd('2026-03-01T03:00:00.000Z', clock(1, 'days', 'days-after'), ctx('America/Los_Angeles'));
    expect(steps).toEqual([
      'The day of the event (2026-02-28) is not counted; day 1 is 2026-03-01.',
      'Due by the end of 2026-03-01: Mon 2026-03-02 00:00 America/Los_Angeles.',
    ]);
  });
});

describe('periodEnd: months under Reg. 1182/71 with roll to the end of the next working day', () => {
  it.each([
    // [case, anchor, months, zone, calendar, due]
    ['31 Jan 2026 → 28 Feb (Saturday) → Monday 2 March, due at the start of 3 March', '2026-01-31T10:00:00.000Z', 1, 'Europe/Berlin', 'weekends', '2026-03-02T23:00:00.000Z'],
    ['31 Jan 2028 → 29 Feb 2028 (Tuesday)', '2028-01-31T10:00:00.000Z', 1, 'Europe/Berlin', 'weekends', '2028-02-29T23:00:00.000Z'],
    ['30 Nov 2026 → 30 Dec 2026 (Wednesday)', '2026-11-30T10:00:00.000Z', 1, 'Europe/Berlin', 'weekends', '2026-12-30T23:00:00.000Z'],
    ['15 Jan 2026 → 15 Feb (Sunday) → Monday 16 Feb', '2026-01-15T10:00:00.000Z', 1, 'Europe/Berlin', 'weekends', '2026-02-16T23:00:00.000Z'],
    ['31 Dec 2025 + 2 months → 28 Feb 2026 (Saturday) → Monday 2 March', '2025-12-31T10:00:00.000Z', 2, 'Europe/Berlin', 'weekends', '2026-03-02T23:00:00.000Z'],
    ['00:30 local on 31 Jan (still 30 Jan in UTC) counts from 31 Jan', '2026-01-30T23:30:00.000Z', 1, 'Europe/Berlin', 'weekends', '2026-03-02T23:00:00.000Z'],
    ['25 Apr → 25 May 2026, Spring bank holiday → end of Tuesday 26 May (BST)', '2026-04-25T10:00:00.000Z', 1, 'Europe/London', 'GB-EAW', '2026-05-26T23:00:00.000Z'],
  ] as Array<[string, string, number, string, WorkingCalendarId, string]>)('%s', (_case, anchor, months, zone, calendar, due) => {
    expect(periodEnd(anchor, clock(months, 'months', 'eu-1182-71', 'next-working-day-end'), ctx(zone, calendar)).dueAt).toBe(due);
  });

  it('without a roll, 31 Jan 2026 ends with Saturday 28 February', () => {
    expect(periodEnd('2026-01-31T10:00:00.000Z', clock(1, 'months', 'eu-1182-71'), ctx('Europe/Berlin')).dueAt).toBe('2026-02-28T23:00:00.000Z');
  });

  it('explains the month arithmetic and the roll', () => {
    const { steps } = periodEnd('2026-01-31T10:00:00.000Z', clock(1, 'months', 'eu-1182-71', 'next-working-day-end'), ctx('Europe/Berlin'));
    expect(steps).toEqual([
      "1 month(s) after 2026-01-31 ends on 2026-02-28 (same date, or the month's last day when there is none).",
      '2026-02-28 is not a working day (Saturday, Weekends only (no public holidays)): the period moves to 2026-03-02.',
      'Due by the end of 2026-03-02: Tue 2026-03-03 00:00 Europe/Berlin.',
    ]);
  });

  it('names the bank holiday a month period rolls over', () => {
    const { steps } = periodEnd('2026-04-25T10:00:00.000Z', clock(1, 'months', 'eu-1182-71', 'next-working-day-end'), ctx('Europe/London', 'GB-EAW'));
    expect(steps).toContain('2026-05-25 is not a working day (Spring bank holiday, England and Wales bank holidays): the period moves to 2026-05-26.');
  });
});

describe('periodEnd: business days after the anchor', () => {
  const sec = (n: number): Clock => clock(n, 'business-days', 'business-days-after', 'none', '17:30');

  it.each([
    // [case, anchor, due]
    ['Fri 2026-11-20 → Mon, Tue, Wed, (Thanksgiving), Fri 27 17:30 EST', '2026-11-20T15:00:00.000Z', '2026-11-27T22:30:00.000Z'],
    ['Saturday 2026-11-21 counts from and includes Monday: same Friday', '2026-11-21T15:00:00.000Z', '2026-11-27T22:30:00.000Z'],
    ['Sunday 2026-11-22: same Friday', '2026-11-22T15:00:00.000Z', '2026-11-27T22:30:00.000Z'],
    ['23:00 local on Tue 2026-11-17 (Wednesday in UTC) counts from Wednesday', '2026-11-18T04:00:00.000Z', '2026-11-23T22:30:00.000Z'],
    ['on Thanksgiving itself: Fri 27, Mon 30, Tue 1, Wed 2 December', '2026-11-26T15:00:00.000Z', '2026-12-02T22:30:00.000Z'],
    ['before the fall-back: 17:30 EDT', '2026-10-19T14:00:00.000Z', '2026-10-23T21:30:00.000Z'],
    ['across the fall-back: 17:30 EST', '2026-10-30T14:00:00.000Z', '2026-11-05T22:30:00.000Z'],
    ['over Christmas Day (Friday 25 Dec 2026)', '2026-12-23T15:00:00.000Z', '2026-12-30T22:30:00.000Z'],
    ["over New Year's Day (Friday 1 Jan 2027)", '2026-12-29T15:00:00.000Z', '2027-01-05T22:30:00.000Z'],
  ])('US federal, New York, 4 business days: %s', (_case, anchor, due) => {
    expect(periodEnd(anchor, sec(4), ctx('America/New_York', 'US-federal')).dueAt).toBe(due);
  });

  it('names the skipped holiday, not the weekend, and ends at 17:30 local time', () => {
    const { steps } = periodEnd('2026-11-20T15:00:00.000Z', sec(4), ctx('America/New_York', 'US-federal'));
    expect(steps).toEqual([
      'Business days are counted from the day after 2026-11-20 (US federal holidays (observed days)), skipping 2026-11-26 Thanksgiving Day; business day 4 is 2026-11-27.',
      'Due by 17:30 local time on 2026-11-27: Fri 2026-11-27 17:30 America/New_York.',
    ]);
  });

  it.each([
    // [case, anchor, due]
    ['Thu 2 Apr 2026: Good Friday skipped → Mon 6, Tue 7, Wed 8 April', '2026-04-02T13:00:00.000Z', '2026-04-09T03:00:00.000Z'],
    ['Wed 1 Apr 2026: Thu 2, (Good Friday), Mon 6, Tue 7', '2026-04-01T13:00:00.000Z', '2026-04-08T03:00:00.000Z'],
    ['Fri 17 Apr 2026: Mon 20, (Tiradentes), Wed 22, Thu 23', '2026-04-17T13:00:00.000Z', '2026-04-24T03:00:00.000Z'],
    ['Thu 19 Nov 2026: Consciência Negra skipped → Mon 23, Tue 24, Wed 25', '2026-11-19T13:00:00.000Z', '2026-11-26T03:00:00.000Z'],
    ['on Consciência Negra itself (Fri 20 Nov) → Mon 23, Tue 24, Wed 25', '2026-11-20T13:00:00.000Z', '2026-11-26T03:00:00.000Z'],
  ])('Brazil, São Paulo, 3 business days: %s', (_case, anchor, due) => {
    expect(periodEnd(anchor, clock(3, 'business-days', 'business-days-after'), ctx('America/Sao_Paulo', 'BR-national')).dueAt).toBe(due);
  });

  it.each([
    ['2026-04-02T13:00:00.000Z', '2026-04-03 Paixão de Cristo', 'business day 3 is 2026-04-08'],
    ['2026-11-19T13:00:00.000Z', '2026-11-20 Dia Nacional de Zumbi e da Consciência Negra', 'business day 3 is 2026-11-25'],
    ['2026-04-17T13:00:00.000Z', '2026-04-21 Tiradentes', 'business day 3 is 2026-04-23'],
  ])('Brazil from %s: the steps name %s', (anchor, holiday, last) => {
    const [counted] = periodEnd(anchor, clock(3, 'business-days', 'business-days-after'), ctx('America/Sao_Paulo', 'BR-national')).steps;
    expect(counted).toContain(`skipping ${holiday}; ${last}.`);
    expect(counted).not.toMatch(/Saturday|Sunday/);
  });

  it('mentions no skipping when only weekends were passed', () => {
    const [counted] = periodEnd('2026-03-13T15:00:00.000Z', sec(1), ctx('America/New_York', 'US-federal')).steps;
    expect(counted).toBe('Business days are counted from the day after 2026-03-13 (US federal holidays (observed days)); business day 1 is 2026-03-16.');
  });
});

describe('year-end anchors', () => {
  it.each([
    // [case, instant, zone, year end]
    ['a May discovery in New York', '2027-05-05T14:00:00.000Z', 'America/New_York', '2028-01-01T05:00:00.000Z'],
    ['18:30 local on 31 Dec (already 1 Jan in UTC)', '2026-12-31T23:30:00.000Z', 'America/New_York', '2027-01-01T05:00:00.000Z'],
    ['22:00 local on 31 Dec, 03:00Z on 1 Jan', '2027-01-01T03:00:00.000Z', 'America/New_York', '2027-01-01T05:00:00.000Z'],
    ['00:30 local on 1 Jan in Berlin (still 31 Dec in UTC)', '2026-12-31T23:30:00.000Z', 'Europe/Berlin', '2027-12-31T23:00:00.000Z'],
    ['UTC', '2026-06-15T12:00:00.000Z', 'UTC', '2027-01-01T00:00:00.000Z'],
  ])('yearEndAfter: %s', (_case, instant, zone, yearEnd) => {
    expect(yearEndAfter(instant, zone)).toBe(yearEnd);
  });

  it.each([
    // 60 days after 31 December: 31 in January, then 29 (leap year) or 28 in February, then 1 March if needed.
    ['2027 discovery → 60th day is 29 Feb 2028', '2027-05-05T14:00:00.000Z', '2028-03-01T05:00:00.000Z'],
    ['2026 discovery → 60th day is 1 Mar 2027', '2026-08-01T14:00:00.000Z', '2027-03-02T05:00:00.000Z'],
  ])('HIPAA-style 60 days after the end of the year: %s', (_case, discovery, due) => {
    const anchor = yearEndAfter(discovery, 'America/New_York');
    expect(periodEnd(anchor, clock(60, 'days', 'days-after'), ctx('America/New_York', 'weekends', true)).dueAt).toBe(due);
  });

  it('counts from 31 December, not from 1 January', () => {
    const anchor = yearEndAfter('2027-05-05T14:00:00.000Z', 'America/New_York');
    const withFlag = periodEnd(anchor, clock(60, 'days', 'days-after'), ctx('America/New_York', 'weekends', true));
    expect(withFlag.steps[0]).toBe('The day of the event (2027-12-31) is not counted; day 60 is 2028-02-29.');
    // The same instant read as an ordinary event counts from 1 January and ends a day later.
    expect(periodEnd(anchor, clock(60, 'days', 'days-after'), ctx('America/New_York')).dueAt).toBe('2028-03-02T05:00:00.000Z');
  });
});

describe('extend', () => {
  it.each([
    // [case, due, amount, unit, zone, calendar, extended]
    ['hours are elapsed time, over the spring-forward', '2027-03-27T10:00:00.000Z', 24, 'hours', 'Europe/Berlin', 'weekends', '2027-03-28T10:00:00.000Z'],
    ['hours over the fall-back', '2026-10-24T10:00:00.000Z', 48, 'hours', 'Europe/Berlin', 'weekends', '2026-10-26T10:00:00.000Z'],
    ['days keep the local time over the spring-forward', '2027-03-27T10:00:00.000Z', 1, 'days', 'Europe/Berlin', 'weekends', '2027-03-28T09:00:00.000Z'],
    ['30 days from the end of Fri 2026-11-20 = end of 20 Dec', '2026-11-21T05:00:00.000Z', 30, 'days', 'America/New_York', 'US-federal', '2026-12-21T05:00:00.000Z'],
    ['7 days from a midnight before the US fall-back', '2026-10-31T04:00:00.000Z', 7, 'days', 'America/New_York', 'US-federal', '2026-11-07T05:00:00.000Z'],
    ['4 business days from Fri 17:30 skip Thanksgiving', '2026-11-20T22:30:00.000Z', 4, 'business-days', 'America/New_York', 'US-federal', '2026-11-27T22:30:00.000Z'],
    ['1 business day from Mon 12:00 = Tue 12:00', '2026-03-16T11:00:00.000Z', 1, 'business-days', 'Europe/Berlin', 'weekends', '2026-03-17T11:00:00.000Z'],
    ['1 business day from the end of Friday = end of Monday', '2026-11-21T05:00:00.000Z', 1, 'business-days', 'America/New_York', 'US-federal', '2026-11-24T05:00:00.000Z'],
    ['1 business day from the end of Thursday = end of Friday', '2026-11-20T05:00:00.000Z', 1, 'business-days', 'America/New_York', 'US-federal', '2026-11-21T05:00:00.000Z'],
    ['1 business day from the end of Wed 25 Nov skips Thanksgiving = end of Fri 27', '2026-11-26T05:00:00.000Z', 1, 'business-days', 'America/New_York', 'US-federal', '2026-11-28T05:00:00.000Z'],
    ['2 business days from the end of Monday = end of Wednesday', '2026-11-17T05:00:00.000Z', 2, 'business-days', 'America/New_York', 'US-federal', '2026-11-19T05:00:00.000Z'],
    ['a month from 18:00 on 31 Jan = 18:00 on 28 Feb', '2026-01-31T17:00:00.000Z', 1, 'months', 'Europe/Berlin', 'weekends', '2026-02-28T17:00:00.000Z'],
    ['a month from the end of 31 Jan = end of 28 Feb', '2026-01-31T23:00:00.000Z', 1, 'months', 'Europe/Berlin', 'weekends', '2026-02-28T23:00:00.000Z'],
    ['a month from the end of 30 Apr = end of 30 May', '2026-04-30T22:00:00.000Z', 1, 'months', 'Europe/Berlin', 'weekends', '2026-05-30T22:00:00.000Z'],
    ['a month from the end of 28 Feb = end of 28 Mar (still CET)', '2026-02-28T23:00:00.000Z', 1, 'months', 'Europe/Berlin', 'weekends', '2026-03-28T23:00:00.000Z'],
    ['two months from the end of 31 Dec 2027 = end of 29 Feb 2028', '2028-01-01T05:00:00.000Z', 2, 'months', 'America/New_York', 'weekends', '2028-03-01T05:00:00.000Z'],
  ] as Array<[string, string, number, 'hours' | 'days' | 'business-days' | 'months', string, WorkingCalendarId, string]>)(
    '%s',
    (_case, due, amount, unit, zone, calendar, extended) => {
      expect(extend(due, amount, unit, ctx(zone, calendar))).toBe(extended);
    },
  );
});

describe('invalid input', () => {
  it.each([['not-a-date'], ['2026-13-01T00:00:00Z'], ['2026-02-30T10:00:00Z'], ['']])('an invalid anchor %p throws', (anchor) => {
    expect(() => periodEnd(anchor, clock(72, 'hours', 'elapsed'), ctx('UTC'))).toThrow(`invalid anchor instant ${anchor}`);
  });

  it('an asap clock has no period', () => {
    expect(() => periodEnd('2026-06-01T10:00:00.000Z', clock(0, 'asap', 'elapsed'), ctx('UTC'))).toThrow('an asap clock has no period');
  });
});
