import {
  DEFAULT_CATCHUP_WINDOW,
  validateBackfill,
  validateSchedule,
  type CalendarRange,
  type CalendarRequest,
  type IntervalRequest,
  type NormalisedCalendar,
  type NormalisedSchedule,
  type ScheduleProblem,
  type ScheduleRequest,
} from '../../domain/audit/schedule';

function valid(req: ScheduleRequest): NormalisedSchedule {
  const result = validateSchedule(req);
  if (!result.ok) throw new Error(`expected a valid schedule, got ${JSON.stringify(result.problems)}`);
  return result.value;
}

function problems(req: ScheduleRequest): ScheduleProblem[] {
  const result = validateSchedule(req);
  if (result.ok) throw new Error(`expected problems, got ${JSON.stringify(result.value)}`);
  return result.problems;
}

const only = (from: number, to = from, step = 1): CalendarRange[] => [{ start: from, end: to, step }];

/** A calendar with Temporal's defaults: midnight on every day. */
const MIDNIGHT: NormalisedCalendar = {
  second: only(0),
  minute: only(0),
  hour: only(0),
  dayOfMonth: only(1, 31),
  month: only(1, 12),
  year: only(2000, 2100),
  dayOfWeek: only(0, 6),
};

describe('validateSchedule: the request as a whole', () => {
  it('normalises a schedule of each kind with its defaults', () => {
    expect(valid({ intervals: [{ every: 'PT1H' }], calendars: [{ hour: [2] }], cron: ['0 3 * * *'] })).toEqual({
      intervals: [{ every: { iso: 'PT1H', ms: 3_600_000 } }],
      calendars: [{ ...MIDNIGHT, hour: only(2) }],
      cron: ['0 3 * * *'],
      timeZone: 'UTC',
      catchupWindow: { iso: 'P1D', ms: 86_400_000 },
    });
    expect(DEFAULT_CATCHUP_WINDOW).toBe('P1D');
  });

  it.each([
    ['nothing at all', {}],
    ['only empty lists', { intervals: [], calendars: [], cron: [] }],
    ['only settings', { timeZone: 'Europe/London', catchupWindow: 'PT1H' }],
  ] as Array<[string, ScheduleRequest]>)('requires at least one of intervals, calendars or cron: %s', (_label, req) => {
    expect(problems(req)).toEqual([{ field: 'intervals', message: 'at least one of intervals, calendars or cron is required' }]);
  });

  it('reports every problem at once, each under its own field', () => {
    const found = problems({
      intervals: [{ every: 'PT1H' }, { every: 'P1M' }],
      calendars: [{ hour: [25] }],
      cron: ['0 2 * * *', '61 * * * *'],
      timeZone: 'Mars/Olympus',
      catchupWindow: 'PT5S',
      jitter: 'soon',
      startAt: '2026-01-01',
      endAt: 'tomorrow',
    });
    expect(found.map((p) => p.field)).toEqual(['intervals[1].every', 'calendars[0].hour[0]', 'cron[1]', 'timeZone', 'catchupWindow', 'jitter', 'startAt', 'endAt']);
  });

  it('keeps a valid schedule with every setting given', () => {
    expect(
      valid({
        intervals: [{ every: 'P1D', offset: 'PT2H' }],
        timeZone: 'Europe/London',
        catchupWindow: 'PT10M',
        jitter: 'PT30S',
        startAt: '2026-01-01T01:00:00+01:00',
        endAt: '2027-01-01T00:00:00Z',
      }),
    ).toEqual({
      intervals: [{ every: { iso: 'P1D', ms: 86_400_000 }, offset: { iso: 'PT2H', ms: 7_200_000 } }],
      calendars: [],
      cron: [],
      timeZone: 'Europe/London',
      catchupWindow: { iso: 'PT10M', ms: 600_000 },
      jitter: { iso: 'PT30S', ms: 30_000 },
      startAt: '2026-01-01T00:00:00.000Z',
      endAt: '2027-01-01T00:00:00.000Z',
    });
  });
});

describe('validateSchedule: intervals', () => {
  it.each([
    ['PT1S', 1_000],
    ['PT90S', 90_000],
    ['PT1H', 3_600_000],
    ['P1D', 86_400_000],
    ['P1W', 604_800_000],
    ['P1DT2H', 93_600_000],
  ])('accepts every %s (%d ms)', (every, ms) => {
    expect(valid({ intervals: [{ every }] }).intervals).toEqual([{ every: { iso: every, ms } }]);
  });

  it.each([
    ['PT0S', /positive ISO 8601 duration/],
    ['P0D', /positive ISO 8601 duration/],
    ['1h', /positive ISO 8601 duration/],
    ['', /positive ISO 8601 duration/],
    ['P1M-29D', /positive ISO 8601 duration/],
    ['PT0.5S', /whole number of seconds/],
    ['PT1.5S', /whole number of seconds/],
    ['P1M', /fixed length.*use a calendar/],
    ['P1Y', /fixed length/],
    ['-PT1H', /positive ISO 8601 duration/],
  ])('refuses every %s', (every, message) => {
    const found = problems({ intervals: [{ every: 'PT1H' }, { every }] });
    expect(found).toHaveLength(1);
    expect(found[0].field).toBe('intervals[1].every');
    expect(found[0].message).toMatch(message);
  });

  it('reports a missing every under its name', () => {
    expect(problems({ intervals: [{} as IntervalRequest] })).toEqual([{ field: 'intervals[0].every', message: expect.stringMatching(/positive ISO 8601 duration/) }]);
  });

  it('accepts an offset shorter than the interval', () => {
    expect(valid({ intervals: [{ every: 'PT1H', offset: 'PT59M59S' }] }).intervals).toEqual([{ every: { iso: 'PT1H', ms: 3_600_000 }, offset: { iso: 'PT59M59S', ms: 3_599_000 } }]);
  });

  it.each([
    ['PT1H', /shorter than every/],
    ['PT2H', /shorter than every/],
    ['PT0.5S', /whole number of seconds/],
    ['PT0S', /positive/],
    ['P1M', /fixed length/],
    ['later', /positive/],
  ])('refuses offset %s for an hourly interval', (offset, message) => {
    const found = problems({ intervals: [{ every: 'PT1H', offset }] });
    expect(found).toHaveLength(1);
    expect(found[0]).toEqual({ field: 'intervals[0].offset', message: expect.stringMatching(message) });
  });
});

describe('validateSchedule: calendars', () => {
  it('spells out every field, defaults included', () => {
    expect(valid({ calendars: [{ dayOfWeek: ['MON'] }] }).calendars).toEqual([{ ...MIDNIGHT, dayOfWeek: only(1) }]);
    expect(valid({ calendars: [{ minute: '*', hour: '*' }] }).calendars).toEqual([{ ...MIDNIGHT, minute: only(0, 59), hour: only(0, 23) }]);
  });

  it('reads names in any case, single values, ranges and steps', () => {
    const [calendar] = valid({
      calendars: [{ minute: [0, 30], hour: [{ start: 9, end: 17 }], dayOfWeek: ['mon', { start: 'Tue', end: 'FRI', step: 2 }], month: [{ start: 'jan', end: 'DEC', step: 3 }], year: [2030] }],
    }).calendars;
    expect(calendar).toEqual({
      ...MIDNIGHT,
      minute: [
        { start: 0, end: 0, step: 1 },
        { start: 30, end: 30, step: 1 },
      ],
      hour: only(9, 17),
      dayOfWeek: [
        { start: 1, end: 1, step: 1 },
        { start: 2, end: 5, step: 2 },
      ],
      month: only(1, 12, 3),
      year: only(2030),
    });
  });

  it.each([
    ['JAN', 1],
    ['feb', 2],
    ['Jun', 6],
    ['DEC', 12],
  ])('reads month %s as %d', (name, month) => {
    expect(valid({ calendars: [{ month: [name] }] }).calendars[0].month).toEqual(only(month));
  });

  it.each([
    ['SUN', 0],
    ['mon', 1],
    ['Wed', 3],
    ['SAT', 6],
  ])('reads day of week %s as %d', (name, day) => {
    expect(valid({ calendars: [{ dayOfWeek: [name] }] }).calendars[0].dayOfWeek).toEqual(only(day));
  });

  const BOUNDS: Array<[keyof CalendarRequest, number, number]> = [
    ['second', 0, 59],
    ['minute', 0, 59],
    ['hour', 0, 23],
    ['dayOfMonth', 1, 31],
    ['month', 1, 12],
    ['year', 2000, 2100],
    ['dayOfWeek', 0, 6],
  ];

  it.each(BOUNDS)('accepts %s from %d to %d', (field, min, max) => {
    expect(valid({ calendars: [{ [field]: [min, max] }] }).calendars[0][field]).toEqual([...only(min), ...only(max)]);
  });

  it.each(BOUNDS.flatMap(([field, min, max]): Array<[keyof CalendarRequest, number, string]> => [
    [field, min - 1, `${min}-${max}`],
    [field, max + 1, `${min}-${max}`],
  ]))('refuses %s %d (out of range %s)', (field, value, range) => {
    expect(problems({ calendars: [{ [field]: [value] }] })).toEqual([{ field: `calendars[0].${field}[0]`, message: `${value} is out of range ${range}` }]);
  });

  it.each([
    ['an empty calendar', {}, 'calendars[0]', /at least one field/],
    ['an empty list', { hour: [] }, 'calendars[0].hour', /non-empty list/],
    ['neither a list nor *', { hour: 'every' }, 'calendars[0].hour', /non-empty list/],
    ['a fraction', { hour: [1.5] }, 'calendars[0].hour[0]', /1.5 is not a whole number/],
    ['a number as text', { hour: ['2'] }, 'calendars[0].hour[0]', /"2" is not a whole number/],
    ['a name in a field without names', { hour: ['MON'] }, 'calendars[0].hour[0]', /not a whole number/],
    ['a full day name', { dayOfWeek: ['Monday'] }, 'calendars[0].dayOfWeek[0]', /"Monday" is not one of SUN, MON/],
    ['an unknown month', { month: ['FOO'] }, 'calendars[0].month[0]', /"FOO" is not one of JAN/],
    ['Sunday as 7', { dayOfWeek: [7] }, 'calendars[0].dayOfWeek[0]', /out of range 0-6/],
    ['a backwards range', { month: [{ start: 5, end: 3 }] }, 'calendars[0].month[0]', /range 5-3 runs backwards/],
    ['a wrap-around of names', { dayOfWeek: [{ start: 'FRI', end: 'MON' }] }, 'calendars[0].dayOfWeek[0]', /runs backwards/],
    ['a step of zero', { minute: [{ start: 0, end: 59, step: 0 }] }, 'calendars[0].minute[0]', /step 0 must be a whole number of at least 1/],
    ['a negative step', { minute: [{ start: 0, end: 59, step: -5 }] }, 'calendars[0].minute[0]', /step -5/],
    ['a fractional step', { minute: [{ start: 0, end: 59, step: 1.5 }] }, 'calendars[0].minute[0]', /step 1.5/],
    ['a step longer than the field', { minute: [{ start: 0, end: 59, step: 60 }] }, 'calendars[0].minute[0]', /step 60 is longer than the whole range 0-59/],
    ['a step without an end', { minute: [{ start: 0, step: 5 }] }, 'calendars[0].minute[0]', /a step needs an end/],
    ['a bad start', { month: [{ start: 'FOO', end: 3 }] }, 'calendars[0].month[0]', /^start: "FOO"/],
    ['a bad end', { month: [{ start: 1, end: 'FOO' }] }, 'calendars[0].month[0]', /^end: "FOO"/],
    ['an end out of range', { hour: [{ start: 1, end: 24 }] }, 'calendars[0].hour[0]', /24 is out of range 0-23/],
    ['30 February', { month: [2], dayOfMonth: [30, 31] }, 'calendars[0].dayOfMonth', /never fires: no chosen month has a day 30/],
    ['31 in the short months', { month: [4, 6, 9, 11], dayOfMonth: [31] }, 'calendars[0].dayOfMonth', /never fires/],
  ] as Array<[string, CalendarRequest, string, RegExp]>)('refuses %s', (_label, calendar, field, message) => {
    const found = problems({ calendars: [calendar] });
    expect(found).toHaveLength(1);
    expect(found[0]).toEqual({ field, message: expect.stringMatching(message) });
  });

  it('fires on 29 February, which leap years have', () => {
    expect(valid({ calendars: [{ month: ['FEB'], dayOfMonth: [29] }] }).calendars[0].dayOfMonth).toEqual(only(29));
  });

  it('accepts a day of month that only some chosen months have', () => {
    expect(valid({ calendars: [{ month: [2, 3], dayOfMonth: [31] }] }).calendars).toHaveLength(1);
  });

  it('names the calendar and the item of each problem', () => {
    expect(problems({ calendars: [{ hour: [1] }, { hour: [1, 24], minute: [60] }] })).toEqual([
      { field: 'calendars[1].minute[0]', message: '60 is out of range 0-59' },
      { field: 'calendars[1].hour[1]', message: '24 is out of range 0-23' },
    ]);
  });
});

describe('validateSchedule: cron', () => {
  it.each([
    ['0 2 * * *', '0 2 * * *'],
    ['  0   2 *\t*  *  ', '0 2 * * *'],
    ['*/15 * * * *', '*/15 * * * *'],
    ['0-59/15 * * * *', '0-59/15 * * * *'],
    ['5/15 * * * *', '5/15 * * * *'],
    ['0,30 * * * *', '0,30 * * * *'],
    ['0 9-17 * * MON-FRI', '0 9-17 * * MON-FRI'],
    ['0 9 * * mon,Wed,FRI', '0 9 * * mon,Wed,FRI'],
    ['0 0 1 JAN,jul *', '0 0 1 JAN,jul *'],
    ['0 0 1 */3 *', '0 0 1 */3 *'],
    ['0 0 1 JAN-DEC/3 *', '0 0 1 JAN-DEC/3 *'],
    ['0 0 */2 * MON', '0 0 */2 * MON'],
    ['0 0 29 2 *', '0 0 29 2 *'],
    ['00 09 01 01 *', '00 09 01 01 *'],
    ['@hourly', '@hourly'],
    ['@DAILY', '@daily'],
    [' @Weekly ', '@weekly'],
    ['@monthly', '@monthly'],
    ['@yearly', '@yearly'],
  ])('accepts %j as %j', (expression, normalised) => {
    expect(valid({ cron: [expression] }).cron).toEqual([normalised]);
  });

  // [field, position, lowest, highest]
  const FIELDS: Array<[string, number, number, number]> = [
    ['minute', 0, 0, 59],
    ['hour', 1, 0, 23],
    ['dayOfMonth', 2, 1, 31],
    ['month', 3, 1, 12],
    ['dayOfWeek', 4, 0, 7],
  ];
  const expression = (position: number, value: string | number) => ['*', '*', '*', '*', '*'].map((field, i) => (i === position ? String(value) : field)).join(' ');

  it.each(FIELDS)('accepts %s at position %d from %d to %d', (_field, position, min, max) => {
    for (const value of [min, max, `${min}-${max}`]) expect(valid({ cron: [expression(position, value)] }).cron).toEqual([expression(position, value)]);
  });

  it.each(FIELDS.flatMap(([field, position, min, max]): Array<[string, number, number, string]> => [
    [field, position, min - 1, `${min}-${max}`],
    [field, position, max + 1, `${min}-${max}`],
  ]).filter(([, , value]) => value >= 0))('refuses %s (position %d) %d: out of range %s', (field, position, value, range) => {
    expect(problems({ cron: [expression(position, value)] })).toEqual([{ field: 'cron[0]', message: `${field}: ${value} is out of range ${range}` }]);
  });

  it.each([
    ['the empty string', '', /must have five fields/],
    ['four fields', '0 2 * *', /must have five fields/],
    ['six fields', '0 0 2 * * *', /6- and 7-field forms/],
    ['seven fields', '0 0 2 * * * 2030', /6- and 7-field forms/],
    ['eight fields', '0 0 2 * * * 2030 x', /must have five fields/],
    ['a CRON_TZ prefix', 'CRON_TZ=Europe/London 0 2 * * *', /set timeZone instead/],
    ['a TZ prefix', 'TZ=UTC 0 2 * * *', /set timeZone instead/],
    ['a lower-case prefix', 'cron_tz=UTC 0 2 * * *', /set timeZone instead/],
    ['@every', '@every 1h', /use intervals/],
    ['@annually', '@annually', /the only shorthands are @hourly, @daily, @weekly, @monthly, @yearly/],
    ['@reboot', '@reboot', /the only shorthands/],
    ['a shorthand with a comment', '@daily # nightly', /the only shorthands/],
    ['both day fields', '0 0 1 * MON', /must not restrict both dayOfMonth and dayOfWeek/],
    ['both day fields as ranges', '0 0 1-31 * 1-5', /must not restrict both/],
    ['30 February', '0 0 30 2 *', /never fires: no chosen month has a day 30/],
    ['31 in the short months', '0 0 31 4,6,9,11 *', /never fires/],
    ['a backwards range', '5-3 * * * *', /minute: range 5-3 runs backwards/],
    ['a wrap-around of names', '0 0 * * FRI-MON', /dayOfWeek: range 5-1 runs backwards/],
    ['a step of zero', '*/0 * * * *', /minute: step 0 must be a whole number/],
    ['a step longer than the field', '*/60 * * * *', /minute: step 60 is longer than the whole range 0-59/],
    ['every 90 minutes written as a step', '*/90 * * * *', /step 90 is longer/],
    ['a step longer than the months', '0 0 1 JAN-DEC/12 *', /month: step 12 is longer/],
    ['an empty list item', '1,,2 * * * *', /minute: "" is not a value/],
    ['a trailing comma', '1, * * * *', /minute: "" is not a value/],
    ['Quartz ?', '0 0 ? * *', /dayOfMonth: "\?" is not a value/],
    ['Quartz L', '0 0 L * *', /dayOfMonth: "L" is not a number/],
    ['Quartz W', '0 0 15W * *', /dayOfMonth: "15W" is not a number/],
    ['Quartz #', '0 0 * * MON#2', /dayOfWeek: "MON#2" is not a value/],
    ['a negative value', '0 0 * * -1', /dayOfWeek: "-1" is not a value/],
    ['a range from *', '*-5 * * * *', /minute: "\*-5" is not a value/],
    ['a range of three', '1-2-3 * * * *', /is not a value/],
    ['two steps', '1/2/3 * * * *', /is not a value/],
    ['a step that is not a number', '*/x * * * *', /is not a value/],
    ['a sign', '+5 * * * *', /is not a value/],
    ['an unknown month', '0 0 1 FOO *', /month: "FOO" is not a number or one of JAN, FEB/],
    ['a full day name', '0 0 * * MONDAY', /dayOfWeek: "MONDAY" is not a number or one of SUN, MON/],
    ['a name in a field without names', '0 MON * * *', /hour: "MON" is not a number$/],
    ['a month name in the day-of-week field', '0 0 * * JAN', /dayOfWeek: "JAN" is not a number or one of SUN/],
  ])('refuses %s', (_label, cron, message) => {
    const found = problems({ cron: [cron] });
    expect(found).toHaveLength(1);
    expect(found[0]).toEqual({ field: 'cron[0]', message: expect.stringMatching(message) });
  });

  it('reports each bad field of an expression, under the expression', () => {
    expect(problems({ cron: ['0 2 * * *', '60 24 * * *'] })).toEqual([
      { field: 'cron[1]', message: 'minute: 60 is out of range 0-59' },
      { field: 'cron[1]', message: 'hour: 24 is out of range 0-23' },
    ]);
  });
});

describe('validateSchedule: time zone', () => {
  it.each([
    [undefined, 'UTC'],
    ['UTC', 'UTC'],
    ['utc', 'UTC'],
    ['Europe/London', 'Europe/London'],
    ['europe/london', 'Europe/London'],
    ['America/New_York', 'America/New_York'],
    ['Asia/Kolkata', 'Asia/Kolkata'],
    // A link Temporal resolves itself; ICU's canonical name for it is a different spelling, so the caller's stays.
    ['US/Pacific', 'US/Pacific'],
  ])('resolves %s to %s', (timeZone, resolved) => {
    expect(valid({ cron: ['@daily'], timeZone }).timeZone).toBe(resolved);
  });

  it.each(['Europe/Londres', 'Mars/Olympus', '', '+01:00', '-05:00', 'GMT+1', 'Europe/London '])('refuses %j', (timeZone) => {
    expect(problems({ cron: ['@daily'], timeZone })).toEqual([{ field: 'timeZone', message: 'is not an IANA time zone (e.g. Europe/London)' }]);
  });
});

describe('validateSchedule: catch-up window and jitter', () => {
  it.each([
    ['PT10S', 10_000],
    ['PT1H', 3_600_000],
    ['P7D', 604_800_000],
  ])('accepts a catch-up window of %s', (catchupWindow, ms) => {
    expect(valid({ cron: ['@daily'], catchupWindow }).catchupWindow).toEqual({ iso: catchupWindow, ms });
  });

  it.each([
    ['PT9S', /at least PT10S/],
    ['PT9.999S', /at least PT10S/],
    ['PT0S', /positive/],
    ['P1M', /fixed length/],
    ['an hour', /positive/],
  ])('refuses a catch-up window of %s', (catchupWindow, message) => {
    expect(problems({ cron: ['@daily'], catchupWindow })).toEqual([{ field: 'catchupWindow', message: expect.stringMatching(message) }]);
  });

  it('has no jitter unless asked, and keeps milliseconds of jitter', () => {
    expect(valid({ cron: ['@daily'] })).not.toHaveProperty('jitter');
    expect(valid({ cron: ['@daily'], jitter: 'PT0.5S' }).jitter).toEqual({ iso: 'PT0.5S', ms: 500 });
    expect(valid({ cron: ['@daily'], jitter: 'PT5M' }).jitter).toEqual({ iso: 'PT5M', ms: 300_000 });
  });

  it.each([
    ['PT0S', /positive/],
    ['P1M', /fixed length/],
    ['5m', /positive/],
  ])('refuses a jitter of %s', (jitter, message) => {
    expect(problems({ cron: ['@daily'], jitter })).toEqual([{ field: 'jitter', message: expect.stringMatching(message) }]);
  });
});

describe('validateSchedule: start and end', () => {
  it('normalises both to UTC and leaves absent ones out', () => {
    expect(valid({ cron: ['@daily'], startAt: '2026-03-29T03:00:00+02:00' })).toMatchObject({ startAt: '2026-03-29T01:00:00.000Z' });
    expect(valid({ cron: ['@daily'], startAt: '2026-03-29T03:00:00+02:00' })).not.toHaveProperty('endAt');
    expect(valid({ cron: ['@daily'], endAt: '2026-12-31T23:59:59Z' })).toMatchObject({ endAt: '2026-12-31T23:59:59.000Z' });
  });

  it('accepts a start one millisecond before the end', () => {
    expect(valid({ cron: ['@daily'], startAt: '2026-01-01T00:00:00.000Z', endAt: '2026-01-01T00:00:00.001Z' })).toMatchObject({ endAt: '2026-01-01T00:00:00.001Z' });
  });

  it.each([
    ['equal', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'],
    ['equal in different offsets', '2026-01-01T01:00:00+01:00', '2026-01-01T00:00:00Z'],
    ['reversed', '2026-06-01T00:00:00Z', '2026-01-01T00:00:00Z'],
  ])('refuses an end not after the start: %s', (_label, startAt, endAt) => {
    expect(problems({ cron: ['@daily'], startAt, endAt })).toEqual([{ field: 'endAt', message: 'must be after startAt' }]);
  });

  it.each(['2026-01-01', '2026-01-01T00:00:00', '2026-02-30T00:00:00Z', 'now'])('refuses %j as an instant', (startAt) => {
    expect(problems({ cron: ['@daily'], startAt })).toEqual([{ field: 'startAt', message: expect.stringMatching(/ISO 8601 instant/) }]);
  });
});

describe('validateBackfill', () => {
  const NOW = '2026-06-01T00:00:00.000Z';

  it('accepts a past span and normalises it to UTC', () => {
    expect(validateBackfill({ start: '2026-05-01T02:00:00+02:00', end: '2026-05-02T00:00:00Z' }, NOW)).toEqual({
      ok: true,
      value: { start: '2026-05-01T00:00:00.000Z', end: '2026-05-02T00:00:00.000Z' },
    });
  });

  it.each([
    ['ending now', '2026-05-01T00:00:00Z', NOW, true],
    ['ending a millisecond in the future', '2026-05-01T00:00:00Z', '2026-06-01T00:00:00.001Z', false],
    ['of exactly 366 days', '2025-05-31T00:00:00Z', NOW, true],
    ['of 366 days and a millisecond', '2025-05-30T23:59:59.999Z', NOW, false],
    ['of one millisecond', '2026-05-01T00:00:00.000Z', '2026-05-01T00:00:00.001Z', true],
  ])('at the boundaries: a span %s is accepted: %s', (_label, start, end, ok) => {
    expect(validateBackfill({ start, end }, NOW).ok).toBe(ok);
  });

  it.each([
    ['an end in the future', '2026-05-01T00:00:00Z', '2026-07-01T00:00:00Z', [{ field: 'end', message: 'must not be in the future' }]],
    ['an end equal to the start', '2026-05-01T00:00:00Z', '2026-05-01T00:00:00Z', [{ field: 'end', message: 'must be after start' }]],
    ['an end before the start', '2026-05-02T00:00:00Z', '2026-05-01T00:00:00Z', [{ field: 'end', message: 'must be after start' }]],
    ['a span over 366 days', '2025-01-01T00:00:00Z', '2026-05-01T00:00:00Z', [{ field: 'start', message: 'must be at most 366 days before end' }]],
    [
      'a reversed span in the future',
      '2026-08-01T00:00:00Z',
      '2026-07-01T00:00:00Z',
      [
        { field: 'end', message: 'must be after start' },
        { field: 'end', message: 'must not be in the future' },
      ],
    ],
    ['a start that is no instant', '2026-05-01', '2026-05-02T00:00:00Z', [{ field: 'start', message: expect.stringMatching(/ISO 8601 instant/) }]],
    [
      'neither an instant',
      'yesterday',
      '',
      [
        { field: 'start', message: expect.stringMatching(/ISO 8601 instant/) },
        { field: 'end', message: expect.stringMatching(/ISO 8601 instant/) },
      ],
    ],
  ])('refuses %s', (_label, start, end, expected) => {
    expect(validateBackfill({ start, end }, NOW)).toEqual({ ok: false, problems: expected });
  });

  it('throws for an unreadable now, a fault of the caller rather than of the request', () => {
    expect(() => validateBackfill({ start: '2026-05-01T00:00:00Z', end: '2026-05-02T00:00:00Z' }, 'now')).toThrow(RangeError);
  });
});
