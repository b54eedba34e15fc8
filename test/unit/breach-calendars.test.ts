import {
  CALENDARS,
  addDays,
  calendarFor,
  easterSunday,
  isWorkingDay,
  nextWorkingDay,
  nonWorkingReason,
  nthWorkingDayAfter,
  type HolidayCalendar,
  type WorkingCalendarId,
} from '../../domain/breach/calendars';

const us = CALENDARS['US-federal'];
const br = CALENDARS['BR-national'];
const gb = CALENDARS['GB-EAW'];
const weekends = CALENDARS.weekends;

/** Every holiday a calendar lists in a year, so a test sees extra days as well as missing ones. */
function holidaysIn(calendar: HolidayCalendar, year: number): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  for (let date = `${year}-01-01`; date.startsWith(`${year}-`); date = addDays(date, 1)) {
    const name = calendar.holiday(date);
    if (name !== undefined) found.push([date, name]);
  }
  return found;
}

describe('US federal holidays (OPM observed days)', () => {
  const expected: Record<number, Array<[string, string]>> = {
    2024: [
      ['2024-01-01', "New Year's Day"],
      ['2024-01-15', 'Birthday of Martin Luther King, Jr.'],
      ['2024-02-19', "Washington's Birthday"],
      ['2024-05-27', 'Memorial Day'],
      ['2024-06-19', 'Juneteenth National Independence Day'],
      ['2024-07-04', 'Independence Day'],
      ['2024-09-02', 'Labor Day'],
      ['2024-10-14', 'Columbus Day'],
      ['2024-11-11', 'Veterans Day'],
      ['2024-11-28', 'Thanksgiving Day'],
      ['2024-12-25', 'Christmas Day'],
    ],
    2025: [
      ['2025-01-01', "New Year's Day"],
      ['2025-01-09', 'National Day of Mourning for President Jimmy Carter'],
      ['2025-01-20', 'Birthday of Martin Luther King, Jr.'],
      ['2025-02-17', "Washington's Birthday"],
      ['2025-05-26', 'Memorial Day'],
      ['2025-06-19', 'Juneteenth National Independence Day'],
      ['2025-07-04', 'Independence Day'],
      ['2025-09-01', 'Labor Day'],
      ['2025-10-13', 'Columbus Day'],
      ['2025-11-11', 'Veterans Day'],
      ['2025-11-27', 'Thanksgiving Day'],
      ['2025-12-25', 'Christmas Day'],
    ],
    2026: [
      ['2026-01-01', "New Year's Day"],
      ['2026-01-19', 'Birthday of Martin Luther King, Jr.'],
      ['2026-02-16', "Washington's Birthday"],
      ['2026-05-25', 'Memorial Day'],
      ['2026-06-19', 'Juneteenth National Independence Day'],
      ['2026-07-03', 'Independence Day (observed)'],
      ['2026-09-07', 'Labor Day'],
      ['2026-10-12', 'Columbus Day'],
      ['2026-11-11', 'Veterans Day'],
      ['2026-11-26', 'Thanksgiving Day'],
      ['2026-12-25', 'Christmas Day'],
    ],
    2027: [
      ['2027-01-01', "New Year's Day"],
      ['2027-01-18', 'Birthday of Martin Luther King, Jr.'],
      ['2027-02-15', "Washington's Birthday"],
      ['2027-05-31', 'Memorial Day'],
      ['2027-06-18', 'Juneteenth National Independence Day (observed)'],
      ['2027-07-05', 'Independence Day (observed)'],
      ['2027-09-06', 'Labor Day'],
      ['2027-10-11', 'Columbus Day'],
      ['2027-11-11', 'Veterans Day'],
      ['2027-11-25', 'Thanksgiving Day'],
      ['2027-12-24', 'Christmas Day (observed)'],
      ['2027-12-31', "New Year's Day (observed)"],
    ],
  };

  it.each([2024, 2025, 2026, 2027])('lists exactly the %i holidays', (year) => {
    expect(holidaysIn(us, year)).toEqual(expected[year]);
  });

  it.each([
    ['2021-12-31', "New Year's Day (observed)"], // 1 January 2022 was a Saturday
    ['1999-12-31', "New Year's Day (observed)"],
    ['2021-06-18', 'Juneteenth National Independence Day (observed)'],
    ['2021-07-05', 'Independence Day (observed)'],
    ['2021-12-24', 'Christmas Day (observed)'],
    ['2023-01-02', "New Year's Day (observed)"],
    ['2018-12-05', 'National Day of Mourning for President George H. W. Bush'],
    ['2007-01-02', 'National Day of Mourning for President Gerald R. Ford'],
  ])('treats %s as %s', (date, name) => {
    expect(us.holiday(date)).toBe(name);
    expect(isWorkingDay(us, date)).toBe(false);
  });

  it.each([
    ['2020-06-19', 'Juneteenth before it became a federal holiday in 2021'],
    ['1985-01-21', 'the third Monday of January before MLK Day began in 1986'],
    ['2022-01-03', 'the Monday after a Saturday New Year (observed on the Friday before)'],
    ['2026-07-06', 'the Monday after a Saturday Independence Day'],
  ])('treats %s as a working day: %s', (date) => {
    expect(us.holiday(date)).toBeUndefined();
    expect(isWorkingDay(us, date)).toBe(true);
  });

  it('lists the observed day rather than the weekend date it replaces', () => {
    expect(us.holiday('2022-01-01')).toBeUndefined();
    expect(nonWorkingReason(us, '2022-01-01')).toBe('Saturday');
    expect(nonWorkingReason(us, '2026-07-04')).toBe('Saturday');
  });
});

describe('England and Wales bank holidays', () => {
  const expected: Record<number, Array<[string, string]>> = {
    2022: [
      ['2022-01-03', "New Year's Day (substitute day)"],
      ['2022-04-15', 'Good Friday'],
      ['2022-04-18', 'Easter Monday'],
      ['2022-05-02', 'Early May bank holiday'],
      ['2022-06-02', 'Spring bank holiday'],
      ['2022-06-03', 'Platinum Jubilee bank holiday'],
      ['2022-08-29', 'Summer bank holiday'],
      ['2022-09-19', 'Bank Holiday for the State Funeral of Queen Elizabeth II'],
      ['2022-12-26', 'Boxing Day'],
      ['2022-12-27', 'Christmas Day (substitute day)'],
    ],
    2026: [
      ['2026-01-01', "New Year's Day"],
      ['2026-04-03', 'Good Friday'],
      ['2026-04-06', 'Easter Monday'],
      ['2026-05-04', 'Early May bank holiday'],
      ['2026-05-25', 'Spring bank holiday'],
      ['2026-08-31', 'Summer bank holiday'],
      ['2026-12-25', 'Christmas Day'],
      ['2026-12-28', 'Boxing Day (substitute day)'],
    ],
    2027: [
      ['2027-01-01', "New Year's Day"],
      ['2027-03-26', 'Good Friday'],
      ['2027-03-29', 'Easter Monday'],
      ['2027-05-03', 'Early May bank holiday'],
      ['2027-05-31', 'Spring bank holiday'],
      ['2027-08-30', 'Summer bank holiday'],
      ['2027-12-27', 'Christmas Day (substitute day)'],
      ['2027-12-28', 'Boxing Day (substitute day)'],
    ],
  };

  it.each([2022, 2026, 2027])('lists exactly the %i bank holidays', (year) => {
    expect(holidaysIn(gb, year)).toEqual(expected[year]);
  });

  it.each([
    ['1995-05-01', false, 'early May moved for the 50th anniversary of VE Day'],
    ['1995-05-08', true, 'VE Day 50th anniversary'],
    ['1999-12-27', true, 'Christmas substitute (Christmas 1999 was a Saturday)'],
    ['1999-12-28', true, 'Boxing Day substitute'],
    ['1999-12-31', true, 'Millennium'],
    ['2000-01-03', true, 'New Year substitute'],
    ['2002-05-27', false, 'spring holiday moved for the Golden Jubilee'],
    ['2002-06-03', true, 'Golden Jubilee'],
    ['2002-06-04', true, 'moved spring holiday'],
    ['2011-04-29', true, 'Royal Wedding'],
    ['2012-05-28', false, 'spring holiday moved for the Diamond Jubilee'],
    ['2012-06-04', true, 'moved spring holiday'],
    ['2012-06-05', true, 'Diamond Jubilee'],
    ['2020-05-04', false, 'early May moved for the 75th anniversary of VE Day'],
    ['2020-05-08', true, 'VE Day 75th anniversary'],
    ['2022-05-30', false, 'spring holiday moved for the Platinum Jubilee'],
    ['2023-05-01', true, 'the usual early May holiday, kept in the coronation year'],
    ['2023-05-08', true, 'Coronation of King Charles III'],
    ['2023-01-02', true, 'New Year substitute (New Year 2023 was a Sunday)'],
  ])('%s is a bank holiday? %s (%s)', (date, holiday) => {
    expect(gb.holiday(date) !== undefined).toBe(holiday);
  });

  it.each([
    ['Saturday', '2021-12-27', 'Christmas Day (substitute day)', '2021-12-28', 'Boxing Day (substitute day)'],
    ['Sunday', '2022-12-26', 'Boxing Day', '2022-12-27', 'Christmas Day (substitute day)'],
    ['Friday', '2026-12-25', 'Christmas Day', '2026-12-28', 'Boxing Day (substitute day)'],
    ['Thursday', '2025-12-25', 'Christmas Day', '2025-12-26', 'Boxing Day'],
  ])('gives Christmas on a %s the right substitutes', (_weekday, first, firstName, second, secondName) => {
    expect(gb.holiday(first)).toBe(firstName);
    expect(gb.holiday(second)).toBe(secondName);
  });
});

describe('Brazil national holidays', () => {
  const expected: Record<number, Array<[string, string]>> = {
    2025: [
      ['2025-01-01', 'Confraternização Universal'],
      ['2025-04-18', 'Paixão de Cristo'],
      ['2025-04-21', 'Tiradentes'],
      ['2025-05-01', 'Dia do Trabalho'],
      ['2025-09-07', 'Independência do Brasil'],
      ['2025-10-12', 'Nossa Senhora Aparecida'],
      ['2025-11-02', 'Finados'],
      ['2025-11-15', 'Proclamação da República'],
      ['2025-11-20', 'Dia Nacional de Zumbi e da Consciência Negra'],
      ['2025-12-25', 'Natal'],
    ],
    2026: [
      ['2026-01-01', 'Confraternização Universal'],
      ['2026-04-03', 'Paixão de Cristo'],
      ['2026-04-21', 'Tiradentes'],
      ['2026-05-01', 'Dia do Trabalho'],
      ['2026-09-07', 'Independência do Brasil'],
      ['2026-10-12', 'Nossa Senhora Aparecida'],
      ['2026-11-02', 'Finados'],
      ['2026-11-15', 'Proclamação da República'],
      ['2026-11-20', 'Dia Nacional de Zumbi e da Consciência Negra'],
      ['2026-12-25', 'Natal'],
    ],
  };

  it.each([2025, 2026])('lists exactly the %i holidays, including those on weekends', (year) => {
    expect(holidaysIn(br, year)).toEqual(expected[year]);
  });

  it('has Consciência Negra as a national holiday from 2024 only', () => {
    expect(isWorkingDay(br, '2024-11-20')).toBe(false);
    expect(isWorkingDay(br, '2023-11-20')).toBe(true);
  });

  it.each([
    ['2026-02-16', 'Carnival Monday'],
    ['2026-02-17', 'Carnival Tuesday'],
    ['2026-02-18', 'Ash Wednesday'],
    ['2026-06-04', 'Corpus Christi'],
  ])('counts the optional closure %s (%s) as a working day', (date) => {
    expect(isWorkingDay(br, date)).toBe(true);
  });

  it('keeps both names when Good Friday falls on Tiradentes', () => {
    expect(br.holiday('2000-04-21')).toBe('Paixão de Cristo / Tiradentes');
  });
});

describe('Easter Sunday', () => {
  it.each([
    [1818, '1818-03-22'], // earliest possible date
    [1943, '1943-04-25'], // latest possible date
    [1961, '1961-04-02'],
    [2000, '2000-04-23'],
    [2008, '2008-03-23'],
    [2010, '2010-04-04'],
    [2011, '2011-04-24'],
    [2016, '2016-03-27'],
    [2019, '2019-04-21'],
    [2024, '2024-03-31'],
    [2025, '2025-04-20'],
    [2026, '2026-04-05'],
    [2027, '2027-03-28'],
    [2038, '2038-04-25'],
    [2285, '2285-03-22'],
  ])('%i: %s', (year, date) => {
    expect(easterSunday(year)).toBe(date);
  });
});

describe('working days', () => {
  it.each([
    ['2026-07-04', 'Saturday'],
    ['2026-07-05', 'Sunday'],
    ['2026-07-03', 'Independence Day (observed)'],
    ['2026-07-06', undefined],
  ])('US-federal: the reason %s is not a working day is %p', (date, reason) => {
    expect(nonWorkingReason(us, date)).toBe(reason);
  });

  it('gives the weekday as the reason when a Brazilian holiday falls on a weekend', () => {
    expect(nonWorkingReason(br, '2025-09-07')).toBe('Sunday');
    expect(br.holiday('2025-09-07')).toBe('Independência do Brasil');
  });

  it.each(['2024-02-29', '2028-02-29'])('treats the leap day %s as a working day everywhere', (date) => {
    for (const calendar of Object.values(CALENDARS)) expect(isWorkingDay(calendar, date)).toBe(true);
  });

  it('knows no holidays in the weekends calendar', () => {
    expect(holidaysIn(weekends, 2026)).toEqual([]);
    expect(isWorkingDay(weekends, '2026-12-25')).toBe(true);
    expect(nonWorkingReason(weekends, '2026-12-26')).toBe('Saturday');
  });

  it.each<[WorkingCalendarId, string, string]>([
    ['US-federal', '2026-07-02', '2026-07-06'], // Independence Day observed on Friday, then the weekend
    ['US-federal', '2027-12-24', '2027-12-27'], // from a holiday itself
    ['US-federal', '2027-12-30', '2028-01-03'], // New Year 2028 observed on Friday 31 December
    ['US-federal', '2025-01-08', '2025-01-10'], // day of mourning for President Carter
    ['GB-EAW', '2026-12-24', '2026-12-29'], // Christmas, weekend, Boxing Day substitute
    ['BR-national', '2026-04-02', '2026-04-06'], // Good Friday, then the weekend
    ['weekends', '2026-07-03', '2026-07-06'],
    ['weekends', '2026-07-06', '2026-07-07'],
  ])('%s: the next working day after %s is %s', (id, date, next) => {
    expect(nextWorkingDay(calendarFor(id), date)).toBe(next);
  });

  it.each<[WorkingCalendarId, string, number, string]>([
    ['US-federal', '2026-11-25', 1, '2026-11-27'], // Thanksgiving on Thursday 26
    ['US-federal', '2026-07-04', 4, '2026-07-09'], // Saturday anchor: Mon 6 is day 1
    ['US-federal', '2026-07-01', 4, '2026-07-08'], // Thu 2, then Fri 3 is observed, then Mon 6 – Wed 8
    ['US-federal', '2027-12-29', 3, '2028-01-04'], // Thu 30, Mon 3, Tue 4 (Fri 31 observed New Year)
    ['BR-national', '2025-04-17', 3, '2025-04-24'], // Good Friday, weekend, Tiradentes on Monday
    ['BR-national', '2026-04-01', 3, '2026-04-07'],
    ['GB-EAW', '2022-06-01', 1, '2022-06-06'], // Platinum Jubilee Thursday and Friday
    ['GB-EAW', '2026-12-24', 2, '2026-12-30'],
    ['weekends', '2026-07-03', 5, '2026-07-10'],
  ])('%s: from %s, working day %i is %s', (id, date, n, expected) => {
    expect(nthWorkingDayAfter(calendarFor(id), date, n)).toBe(expected);
  });

  it.each([0, -1, 1.5])('refuses %p working days', (n) => {
    expect(() => nthWorkingDayAfter(us, '2026-07-01', n)).toThrow(RangeError);
  });
});

describe('addDays', () => {
  it.each([
    ['2026-07-04', 0, '2026-07-04'],
    ['2026-01-31', 1, '2026-02-01'],
    ['2026-01-31', 30, '2026-03-02'],
    ['2023-02-28', 1, '2023-03-01'],
    ['2024-02-28', 1, '2024-02-29'],
    ['2024-02-29', 1, '2024-03-01'],
    ['2024-03-01', -1, '2024-02-29'],
    ['2000-02-28', 1, '2000-02-29'], // divisible by 400: leap
    ['1900-02-28', 1, '1900-03-01'], // divisible by 100 only: not leap
    ['2024-12-31', 1, '2025-01-01'],
    ['2025-01-01', -1, '2024-12-31'],
    ['2024-01-01', 366, '2025-01-01'],
    ['2023-01-01', 365, '2024-01-01'],
    ['1970-01-01', -1, '1969-12-31'],
    ['2026-03-15', -400, '2025-02-08'],
  ])('%s + %i = %s', (date, n, expected) => {
    expect(addDays(date, n)).toBe(expected);
  });

  it('refuses a fractional number of days', () => {
    expect(() => addDays('2026-01-01', 0.5)).toThrow(RangeError);
  });
});

describe('input checking', () => {
  it.each(['2023-02-29', '2026-13-01', '2026-04-31', '2026-7-4', '2026-07-04T00:00:00Z', ''])(
    'refuses the malformed date %p',
    (date) => {
      expect(() => us.holiday(date)).toThrow(RangeError);
      expect(() => addDays(date, 1)).toThrow(RangeError);
    },
  );

  it.each(['weekends', 'US-federal', 'BR-national', 'GB-EAW'] as WorkingCalendarId[])('finds the %s calendar', (id) => {
    expect(calendarFor(id).id).toBe(id);
  });

  it.each(['entity', 'toString', 'DE'])('refuses the calendar id %p', (id) => {
    expect(() => calendarFor(id as WorkingCalendarId)).toThrow(RangeError);
  });
});
