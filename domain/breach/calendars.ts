/**
 * Working-day calendars for business-day deadlines: SEC Form 8-K counts US federal business days, LGPD counts
 * Brazilian business days, UK regulators count England and Wales bank holidays. Dates are local calendar dates
 * (YYYY-MM-DD); time zones are the caller's concern. Pure arithmetic on the proleptic Gregorian calendar, with no
 * clock and no platform APIs, so the same answers come out of a Temporal workflow sandbox on replay.
 */
import type { CalendarId } from './types';

/** The calendars this module knows; `entity` is resolved to the incident's own calendar before it gets here. */
export type WorkingCalendarId = Exclude<CalendarId, 'entity'>;

export interface HolidayCalendar {
  id: WorkingCalendarId;
  name: string;
  /** The public holiday's name if the local date (YYYY-MM-DD) is one, else undefined. Weekends are not holidays. */
  holiday(date: string): string | undefined;
}

interface Holiday {
  date: string;
  name: string;
}

// ---- Dates ----------------------------------------------------------------------------------------------------

interface CivilDate {
  year: number;
  month: number;
  day: number;
}

const SUNDAY = 0;
const MONDAY = 1;
const THURSDAY = 4;
const SATURDAY = 6;

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

// Strict, because a malformed date would otherwise just look like a working day and silently skew a deadline.
function parse(date: string): CivilDate {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (match) {
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    if (month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)) return { year, month, day };
  }
  throw new RangeError(`Not a calendar date (YYYY-MM-DD): ${date}`);
}

function format({ year, month, day }: CivilDate): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function civil(year: number, month: number, day: number): string {
  return format({ year, month, day });
}

// Days since 1970-01-01 and back (H. Hinnant's days_from_civil / civil_from_days): years are shifted to start in
// March so the leap day falls at the end, and 400-year eras repeat exactly.
function dayNumber({ year, month, day }: CivilDate): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * ((month + 9) % 12) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

function fromDayNumber(days: number): CivilDate {
  const shifted = days + 719468;
  const era = Math.floor(shifted / 146097);
  const dayOfEra = shifted - era * 146097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const marchMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * marchMonth + 2) / 5) + 1;
  const month = marchMonth < 10 ? marchMonth + 3 : marchMonth - 9;
  return { year: era * 400 + yearOfEra + (month <= 2 ? 1 : 0), month, day };
}

/** 0 = Sunday … 6 = Saturday; 1970-01-01 was a Thursday. */
function weekday(date: string): number {
  return (((dayNumber(parse(date)) + THURSDAY) % 7) + 7) % 7;
}

function isWeekend(date: string): boolean {
  const day = weekday(date);
  return day === SATURDAY || day === SUNDAY;
}

/** Adds n calendar days to a YYYY-MM-DD date (n may be negative). */
export function addDays(date: string, n: number): string {
  if (!Number.isInteger(n)) throw new RangeError(`Not a whole number of days: ${n}`);
  return format(fromDayNumber(dayNumber(parse(date)) + n));
}

/** The n-th (1-based) given weekday of a month. */
function nthWeekday(year: number, month: number, dayOfWeek: number, n: number): string {
  const first = civil(year, month, 1);
  return addDays(first, ((dayOfWeek - weekday(first) + 7) % 7) + 7 * (n - 1));
}

function lastWeekday(year: number, month: number, dayOfWeek: number): string {
  const last = civil(year, month, daysInMonth(year, month));
  return addDays(last, -((weekday(last) - dayOfWeek + 7) % 7));
}

/** Easter Sunday in the Gregorian calendar (the anonymous Meeus/Jones/Butcher computus). */
export function easterSunday(year: number): string {
  const golden = year % 19;
  const century = Math.floor(year / 100);
  const yearOfCentury = year % 100;
  const leapCorrection = Math.floor(century / 4);
  const lunarCorrection = Math.floor((century - Math.floor((century + 8) / 25) + 1) / 3);
  const epact = (19 * golden + century - leapCorrection - lunarCorrection + 15) % 30;
  const toSunday =
    (32 + 2 * (century % 4) + 2 * Math.floor(yearOfCentury / 4) - epact - (yearOfCentury % 4)) % 7;
  const correction = Math.floor((golden + 11 * epact + 22 * toSunday) / 451);
  const offset = epact + toSunday - 7 * correction + 114;
  return civil(year, Math.floor(offset / 31), (offset % 31) + 1);
}

// ---- Calendars ------------------------------------------------------------------------------------------------

const yearOf = (date: string): number => parse(date).year;

// A holiday can be observed in a neighbouring year (US New Year's Day on a Saturday is observed on 31 December of
// the year before), so each year's table gathers the holidays of the years either side too. Two holidays on one
// date (Good Friday on Tiradentes in 2000) keep both names.
function tableFor(year: number, holidaysOf: (year: number) => Holiday[]): Map<string, string> {
  const table = new Map<string, string>();
  for (const { date, name } of [year - 1, year, year + 1].flatMap((y) => holidaysOf(y))) {
    if (yearOf(date) !== year) continue;
    const existing = table.get(date);
    table.set(date, existing ? `${existing} / ${name}` : name);
  }
  return table;
}

function tabulated(id: WorkingCalendarId, name: string, holidaysOf: (year: number) => Holiday[]): HolidayCalendar {
  const years = new Map<number, Map<string, string>>();
  return {
    id,
    name,
    holiday(date) {
      const year = yearOf(date);
      let table = years.get(year);
      if (!table) {
        table = tableFor(year, holidaysOf);
        years.set(year, table);
      }
      return table.get(date);
    },
  };
}

const inYear = <T extends Holiday>(year: number, days: readonly T[]): T[] => days.filter((day) => yearOf(day.date) === year);

// -- United States

// Executive Order 11582: a holiday on a Saturday is observed the Friday before, on a Sunday the Monday after.
// Agencies close on the observed day, so that is the day the calendar lists.
function observedUS(date: string, name: string): Holiday {
  const day = weekday(date);
  if (day === SATURDAY) return { date: addDays(date, -1), name: `${name} (observed)` };
  if (day === SUNDAY) return { date: addDays(date, 1), name: `${name} (observed)` };
  return { date, name };
}

// Closures ordered by executive order for national days of mourning, which 5 U.S.C. 6103(b) treats as holidays.
const US_CLOSURES: readonly Holiday[] = [
  { date: '1994-04-27', name: 'National Day of Mourning for President Richard Nixon' },
  { date: '2004-06-11', name: 'National Day of Mourning for President Ronald Reagan' },
  { date: '2007-01-02', name: 'National Day of Mourning for President Gerald R. Ford' },
  { date: '2018-12-05', name: 'National Day of Mourning for President George H. W. Bush' },
  { date: '2025-01-09', name: 'National Day of Mourning for President Jimmy Carter' },
];

// 5 U.S.C. 6103(a), as it stands since Veterans Day returned to 11 November in 1978. Inauguration Day is left out:
// it is a holiday only around Washington, DC.
function usFederalHolidays(year: number): Holiday[] {
  const fixed = (month: number, day: number, name: string) => observedUS(civil(year, month, day), name);
  return [
    fixed(1, 1, "New Year's Day"),
    ...(year >= 1986 ? [{ date: nthWeekday(year, 1, MONDAY, 3), name: 'Birthday of Martin Luther King, Jr.' }] : []),
    { date: nthWeekday(year, 2, MONDAY, 3), name: "Washington's Birthday" },
    { date: lastWeekday(year, 5, MONDAY), name: 'Memorial Day' },
    ...(year >= 2021 ? [fixed(6, 19, 'Juneteenth National Independence Day')] : []),
    fixed(7, 4, 'Independence Day'),
    { date: nthWeekday(year, 9, MONDAY, 1), name: 'Labor Day' },
    { date: nthWeekday(year, 10, MONDAY, 2), name: 'Columbus Day' },
    fixed(11, 11, 'Veterans Day'),
    { date: nthWeekday(year, 11, THURSDAY, 4), name: 'Thanksgiving Day' },
    fixed(12, 25, 'Christmas Day'),
    ...inYear(year, US_CLOSURES),
  ];
}

// -- Brazil

// The feriados nacionais the federal government lists each year; Brazil does not move a holiday that falls on a
// weekend. Carnival and Corpus Christi are left out on purpose: they are only "ponto facultativo", optional
// closures, and counting a doubtful day as a working day gives the earlier, safer deadline.
function brazilNationalHolidays(year: number): Holiday[] {
  return [
    { date: civil(year, 1, 1), name: 'Confraternização Universal' },
    { date: addDays(easterSunday(year), -2), name: 'Paixão de Cristo' },
    { date: civil(year, 4, 21), name: 'Tiradentes' },
    { date: civil(year, 5, 1), name: 'Dia do Trabalho' },
    { date: civil(year, 9, 7), name: 'Independência do Brasil' },
    { date: civil(year, 10, 12), name: 'Nossa Senhora Aparecida' },
    { date: civil(year, 11, 2), name: 'Finados' },
    { date: civil(year, 11, 15), name: 'Proclamação da República' },
    // Lei 14.759/2023 made it national from 2024; before that it was a state and municipal holiday only.
    ...(year >= 2024 ? [{ date: civil(year, 11, 20), name: 'Dia Nacional de Zumbi e da Consciência Negra' }] : []),
    { date: civil(year, 12, 25), name: 'Natal' },
  ];
}

// -- England and Wales

// A bank holiday on a weekend is replaced by the next weekday that is not already a holiday; weekday holidays keep
// their dates first, which is why Christmas on a Sunday gives Boxing Day on the 26th and Christmas on the 27th.
function substituted(days: Holiday[]): Holiday[] {
  const taken = new Set(days.filter((day) => !isWeekend(day.date)).map((day) => day.date));
  return days.map((day) => {
    if (!isWeekend(day.date)) return day;
    let date = day.date;
    while (isWeekend(date) || taken.has(date)) date = addDays(date, 1);
    taken.add(date);
    return { date, name: `${day.name} (substitute day)` };
  });
}

// Bank holidays moved or added by royal proclamation; `replaces` is the usual date a move displaced.
const GB_PROCLAIMED: ReadonlyArray<Holiday & { replaces?: string }> = [
  { date: '1995-05-08', name: 'Early May bank holiday (VE Day)', replaces: '1995-05-01' },
  { date: '1999-12-31', name: 'Millennium Celebrations' },
  { date: '2002-06-03', name: 'Golden Jubilee bank holiday' },
  { date: '2002-06-04', name: 'Spring bank holiday', replaces: '2002-05-27' },
  { date: '2011-04-29', name: 'Royal Wedding' },
  { date: '2012-06-04', name: 'Spring bank holiday', replaces: '2012-05-28' },
  { date: '2012-06-05', name: "Queen's Diamond Jubilee" },
  { date: '2020-05-08', name: 'Early May bank holiday (VE Day)', replaces: '2020-05-04' },
  { date: '2022-06-02', name: 'Spring bank holiday', replaces: '2022-05-30' },
  { date: '2022-06-03', name: 'Platinum Jubilee bank holiday' },
  { date: '2022-09-19', name: 'Bank Holiday for the State Funeral of Queen Elizabeth II' },
  { date: '2023-05-08', name: 'Bank holiday for the coronation of King Charles III' },
];

// Banking and Financial Dealings Act 1971, Schedule 1, plus Good Friday and Christmas Day, which are common-law
// holidays; the dates match the GOV.UK list. The rules are those since 1978, when the early May holiday began, and
// proclaimed changes before 1995 are not recorded.
function englandWalesHolidays(year: number): Holiday[] {
  const easter = easterSunday(year);
  const usual = [
    { date: addDays(easter, -2), name: 'Good Friday' },
    { date: addDays(easter, 1), name: 'Easter Monday' },
    { date: nthWeekday(year, 5, MONDAY, 1), name: 'Early May bank holiday' },
    { date: lastWeekday(year, 5, MONDAY), name: 'Spring bank holiday' },
    { date: lastWeekday(year, 8, MONDAY), name: 'Summer bank holiday' },
    ...substituted([{ date: civil(year, 1, 1), name: "New Year's Day" }]),
    ...substituted([
      { date: civil(year, 12, 25), name: 'Christmas Day' },
      { date: civil(year, 12, 26), name: 'Boxing Day' },
    ]),
  ];
  const proclaimed = inYear(year, GB_PROCLAIMED);
  const displaced = new Set(proclaimed.map((day) => day.replaces));
  return [...usual.filter((day) => !displaced.has(day.date)), ...proclaimed.map(({ date, name }) => ({ date, name }))];
}

export const CALENDARS: Record<WorkingCalendarId, HolidayCalendar> = {
  weekends: tabulated('weekends', 'Weekends only (no public holidays)', () => []),
  'US-federal': tabulated('US-federal', 'US federal holidays (observed days)', usFederalHolidays),
  'BR-national': tabulated('BR-national', 'Brazil national holidays', brazilNationalHolidays),
  'GB-EAW': tabulated('GB-EAW', 'England and Wales bank holidays', englandWalesHolidays),
};

// Calendar ids arrive in rules-pack data, so an unknown one must fail loudly rather than fall back to weekends.
export function calendarFor(id: WorkingCalendarId): HolidayCalendar {
  if (!Object.hasOwn(CALENDARS, id)) throw new RangeError(`Unknown working calendar: ${String(id)}`);
  return CALENDARS[id];
}

// ---- Working days ---------------------------------------------------------------------------------------------

/** Why a day is not a working day ('Saturday', 'Sunday', or the holiday's name), or undefined when it is one. */
export function nonWorkingReason(calendar: HolidayCalendar, date: string): string | undefined {
  const day = weekday(date);
  if (day === SATURDAY) return 'Saturday';
  if (day === SUNDAY) return 'Sunday';
  return calendar.holiday(date);
}

export function isWorkingDay(calendar: HolidayCalendar, date: string): boolean {
  return nonWorkingReason(calendar, date) === undefined;
}

/** The next working day strictly after date. */
export function nextWorkingDay(calendar: HolidayCalendar, date: string): string {
  let next = addDays(date, 1);
  while (!isWorkingDay(calendar, next)) next = addDays(next, 1);
  return next;
}

/** The n-th working day strictly after date (n >= 1). */
export function nthWorkingDayAfter(calendar: HolidayCalendar, date: string, n: number): string {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`Expected a whole number of working days >= 1: ${n}`);
  let day = date;
  for (let counted = 0; counted < n; counted++) day = nextWorkingDay(calendar, day);
  return day;
}
