/**
 * Recurring audits: the schedule a caller asks for, checked and normalised before the API hands it to a Temporal
 * Schedule. Temporal reports a bad spec as one opaque error, and silently reinterprets some inputs (a catch-up window
 * under 10 seconds is raised, a backwards range is shrunk to its start, an empty list never fires); checking here lets
 * the API name each offending field and refuse what Temporal would quietly run differently from what was asked.
 *
 * Calendars and cron expressions are read in `timeZone`; intervals are elapsed time counted from the Unix epoch, so
 * `every: 'P1D'` fires at 00:00 UTC whatever the zone.
 */
import { Duration } from 'luxon';
import { isDuration } from '../consent-policy';
import { isTimeZone } from '../subject';
import { isInstant } from '../vendor/dates';

export interface IntervalRequest {
  /** Fixed length (seconds to weeks), whole seconds, at least PT1S. */
  every: string;
  /** Shifts every instant of the interval; shorter than `every`: `every: 'P1D', offset: 'PT2H'` fires at 02:00 UTC. */
  offset?: string;
}

export const CALENDAR_FIELDS = ['second', 'minute', 'hour', 'dayOfMonth', 'month', 'year', 'dayOfWeek'] as const;
export type CalendarField = (typeof CALENDAR_FIELDS)[number];

/**
 * One value, or the values from `start` to `end` (inclusive) taking every `step`-th. Months are 1-12, days of week
 * 0-6 from Sunday; both may also be named by their three-letter English abbreviation (JAN, SUN), in any case.
 */
export type CalendarValue = number | string | { start: number | string; end?: number | string; step?: number };

/**
 * A time matches when every field matches, day of month and day of week included. An omitted second, minute or hour
 * is 0, any other omitted field matches every value, and so does `'*'`.
 */
export type CalendarRequest = Partial<Record<CalendarField, '*' | CalendarValue[]>>;

export interface ScheduleRequest {
  intervals?: IntervalRequest[];
  calendars?: CalendarRequest[];
  /** Five fields (minute hour dayOfMonth month dayOfWeek) or @hourly, @daily, @weekly, @monthly, @yearly. */
  cron?: string[];
  /** IANA time zone of calendars and cron expressions; default UTC. */
  timeZone?: string;
  /** How late a run missed while Temporal was unavailable may still start; default `DEFAULT_CATCHUP_WINDOW`. */
  catchupWindow?: string;
  startAt?: string;
  endAt?: string;
  /** Each run starts up to this much later, at random, so that many schedules do not start at the same instant. */
  jitter?: string;
}

export interface ScheduleProblem {
  field: string;
  message: string;
}

export type ScheduleValidation<T> = { ok: true; value: T } | { ok: false; problems: ScheduleProblem[] };

/** A duration as the caller wrote it and in milliseconds. */
export interface DurationValue {
  iso: string;
  ms: number;
}

export interface CalendarRange {
  start: number;
  end: number;
  step: number;
}

/** Every field spelled out, defaults included, with numbers only: the API maps months and days of week to the names the SDK wants. */
export type NormalisedCalendar = Record<CalendarField, CalendarRange[]>;

export interface NormalisedSchedule {
  intervals: { every: DurationValue; offset?: DurationValue }[];
  calendars: NormalisedCalendar[];
  cron: string[];
  timeZone: string;
  catchupWindow: DurationValue;
  /** UTC instants; Temporal treats both ends as inclusive. */
  startAt?: string;
  endAt?: string;
  jitter?: DurationValue;
}

/**
 * Audits run daily or less often. A day covers an overnight outage or upgrade of the Temporal service without losing
 * the nightly audit; a run later than that is better left to the next regular one, or started on purpose with a
 * backfill. Set explicitly because the server's own default has changed between releases (one minute, then a year).
 */
export const DEFAULT_CATCHUP_WINDOW = 'P1D';
/** Temporal raises any shorter window to this without saying so. */
const MIN_CATCHUP_MS = 10_000;
const MAX_BACKFILL_MS = 366 * 86_400_000;

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
/** The longest each month can be (February in a leap year), to find days of month that never come. */
const MONTH_LENGTHS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

interface FieldSpec {
  min: number;
  max: number;
  /** Names of the values from `min` on. */
  names?: readonly string[];
  /** What an omitted field means. */
  omitted: 'zero' | 'any';
}

const SPECS: Readonly<Record<CalendarField, FieldSpec>> = {
  second: { min: 0, max: 59, omitted: 'zero' },
  minute: { min: 0, max: 59, omitted: 'zero' },
  hour: { min: 0, max: 23, omitted: 'zero' },
  dayOfMonth: { min: 1, max: 31, omitted: 'any' },
  month: { min: 1, max: 12, names: MONTH_NAMES, omitted: 'any' },
  // Temporal matches calendar years 2000 to 2100 only.
  year: { min: 2000, max: 2100, omitted: 'any' },
  dayOfWeek: { min: 0, max: 6, names: DAY_NAMES, omitted: 'any' },
};

const CRON_FIELDS: readonly CalendarField[] = ['minute', 'hour', 'dayOfMonth', 'month', 'dayOfWeek'];
const SHORTHANDS = ['@hourly', '@daily', '@weekly', '@monthly', '@yearly'];

export function validateSchedule(req: ScheduleRequest): ScheduleValidation<NormalisedSchedule> {
  const problems: ScheduleProblem[] = [];
  const intervals = (req.intervals ?? []).map((interval, i) => checkInterval(interval, `intervals[${i}]`, problems));
  const calendars = (req.calendars ?? []).map((calendar, i) => checkCalendar(calendar, `calendars[${i}]`, problems));
  const cron = (req.cron ?? []).map((expression, i) => checkCron(expression, `cron[${i}]`, problems));
  if (intervals.length + calendars.length + cron.length === 0) {
    problems.push({ field: 'intervals', message: 'at least one of intervals, calendars or cron is required' });
  }
  const timeZone = checkTimeZone(req.timeZone ?? 'UTC', problems);
  const catchupWindow = fixedDuration(req.catchupWindow ?? DEFAULT_CATCHUP_WINDOW, 'catchupWindow', problems);
  if (catchupWindow.ms < MIN_CATCHUP_MS) problems.push({ field: 'catchupWindow', message: 'must be at least PT10S (Temporal would raise it to that)' });
  const jitter = req.jitter === undefined ? undefined : fixedDuration(req.jitter, 'jitter', problems);
  const startAt = req.startAt === undefined ? undefined : instant(req.startAt, 'startAt', problems);
  const endAt = req.endAt === undefined ? undefined : instant(req.endAt, 'endAt', problems);
  if (startAt && endAt && Date.parse(startAt) >= Date.parse(endAt)) problems.push({ field: 'endAt', message: 'must be after startAt' });
  if (problems.length) return { ok: false, problems };
  return { ok: true, value: { intervals, calendars, cron, timeZone, catchupWindow, ...(startAt && { startAt }), ...(endAt && { endAt }), ...(jitter && { jitter }) } };
}

/** A backfill replays the runs a schedule would have taken between `start` and `end`: only in the past, at most 366 days. */
export function validateBackfill(req: { start: string; end: string }, now: string): ScheduleValidation<{ start: string; end: string }> {
  if (!isInstant(now)) throw new RangeError(`now "${now}" is not an ISO 8601 instant`);
  const problems: ScheduleProblem[] = [];
  const start = instant(req.start, 'start', problems);
  const end = instant(req.end, 'end', problems);
  if (problems.length) return { ok: false, problems };
  const [from, to] = [Date.parse(start), Date.parse(end)];
  if (from >= to) problems.push({ field: 'end', message: 'must be after start' });
  // Future runs happen on schedule; backfilling them would run them twice.
  if (to > Date.parse(now)) problems.push({ field: 'end', message: 'must not be in the future' });
  if (to - from > MAX_BACKFILL_MS) problems.push({ field: 'start', message: 'must be at most 366 days before end' });
  return problems.length ? { ok: false, problems } : { ok: true, value: { start, end } };
}

function checkInterval(interval: IntervalRequest, path: string, problems: ScheduleProblem[]): NormalisedSchedule['intervals'][number] {
  const every = wholeSeconds(fixedDuration(interval.every, `${path}.every`, problems), `${path}.every`, problems);
  if (interval.offset === undefined) return { every };
  const offset = wholeSeconds(fixedDuration(interval.offset, `${path}.offset`, problems), `${path}.offset`, problems);
  if (offset.ms >= every.ms) problems.push({ field: `${path}.offset`, message: 'must be shorter than every' });
  return { every, offset };
}

function checkCalendar(calendar: CalendarRequest, path: string, problems: ScheduleProblem[]): NormalisedCalendar {
  const named = CALENDAR_FIELDS.filter((field) => calendar[field] !== undefined);
  // `{}` would fire at midnight every day: too easy to send by mistake to take as meaning that.
  if (named.length === 0) problems.push({ field: path, message: 'must set at least one field (hour: [0] for every midnight)' });
  const result = {} as NormalisedCalendar;
  for (const field of CALENDAR_FIELDS) result[field] = calendarField(calendar[field], field, `${path}.${field}`, problems);
  const never = neverFires(result);
  if (never) problems.push({ field: `${path}.dayOfMonth`, message: never });
  return result;
}

function calendarField(value: '*' | CalendarValue[] | undefined, field: CalendarField, path: string, problems: ScheduleProblem[]): CalendarRange[] {
  const spec = SPECS[field];
  const every = { start: spec.min, end: spec.max, step: 1 };
  if (value === undefined) return [spec.omitted === 'zero' ? { start: 0, end: 0, step: 1 } : every];
  if (value === '*') return [every];
  // Temporal reads an empty list as "no value matches", and the schedule never fires.
  if (!Array.isArray(value) || value.length === 0) {
    problems.push({ field: path, message: `must be '*' or a non-empty list of values and ranges` });
    return [];
  }
  return value.flatMap((item, i) => {
    const range = calendarRange(item, spec);
    if (typeof range === 'string') {
      problems.push({ field: `${path}[${i}]`, message: range });
      return [];
    }
    return [range];
  });
}

/** The range an item of a calendar field stands for, or why it is unusable. */
function calendarRange(item: CalendarValue, spec: FieldSpec): CalendarRange | string {
  if (typeof item !== 'object' || item === null) {
    const value = calendarValue(item, spec);
    return typeof value === 'string' ? value : checkRange({ start: value, end: value, step: 1 }, spec);
  }
  const start = calendarValue(item.start, spec);
  if (typeof start === 'string') return `start: ${start}`;
  const end = item.end === undefined ? start : calendarValue(item.end, spec);
  if (typeof end === 'string') return `end: ${end}`;
  // Cron reads `5/10` as "from 5 to the maximum"; in a structured range, saying where it ends is clearer.
  if (item.step !== undefined && item.end === undefined) return 'a step needs an end';
  return checkRange({ start, end, step: item.step ?? 1 }, spec);
}

function calendarValue(value: unknown, spec: FieldSpec): number | string {
  if (typeof value === 'number') return Number.isInteger(value) ? value : `${value} is not a whole number`;
  if (typeof value === 'string' && spec.names) {
    const index = spec.names.indexOf(value.toUpperCase());
    return index >= 0 ? spec.min + index : `"${value}" is not one of ${spec.names.join(', ')}`;
  }
  return `${JSON.stringify(value)} is not a whole number`;
}

/** The range when its bounds and step fit the field, or why they do not. */
function checkRange(range: CalendarRange, spec: FieldSpec, max = spec.max): CalendarRange | string {
  const { start, end, step } = range;
  for (const value of [start, end]) if (value < spec.min || value > max) return `${value} is out of range ${spec.min}-${max}`;
  // Temporal would shrink a backwards range to its start; cron has no wrap-around (FRI-MON) either.
  if (end < start) return `range ${start}-${end} runs backwards`;
  if (!Number.isInteger(step) || step < 1) return `step ${step} must be a whole number of at least 1`;
  // `*/90` in minutes reads like "every 90 minutes" but fires once an hour: for longer periods use intervals.
  if (step > max - spec.min) return `step ${step} is longer than the whole range ${spec.min}-${max}`;
  return range;
}

/** Why the calendar can never fire when no chosen month has any chosen day (30 February), else undefined. */
function neverFires(calendar: NormalisedCalendar): string | undefined {
  const days = values(calendar.dayOfMonth);
  const months = values(calendar.month);
  if (days.length === 0 || months.length === 0) return undefined;
  const longest = Math.max(...months.map((month) => MONTH_LENGTHS[month - 1]));
  const first = Math.min(...days);
  return first > longest ? `never fires: no chosen month has a day ${first}` : undefined;
}

function values(ranges: CalendarRange[]): number[] {
  const found: number[] = [];
  for (const { start, end, step } of ranges) for (let v = start; v <= end; v += step) found.push(v);
  return found;
}

function checkCron(expression: string, path: string, problems: ScheduleProblem[]): string {
  const report = (message: string) => problems.push({ field: path, message });
  const text = expression.trim();
  if (/^(CRON_)?TZ=/i.test(text)) {
    report('must not start with a time zone (CRON_TZ= or TZ=): set timeZone instead');
    return text;
  }
  if (text.startsWith('@')) {
    const shorthand = text.toLowerCase();
    if (shorthand.startsWith('@every')) report('@every is not accepted: use intervals');
    else if (!SHORTHANDS.includes(shorthand)) report(`the only shorthands are ${SHORTHANDS.join(', ')}`);
    return shorthand;
  }
  const fields = text.split(/\s+/).filter((field) => field.length > 0);
  if (fields.length === 6 || fields.length === 7) {
    // Dialects disagree on whether a sixth field is seconds or the year.
    report('must have five fields (minute hour dayOfMonth month dayOfWeek): 6- and 7-field forms with seconds or years are not accepted; use calendars for those');
    return text;
  }
  if (fields.length !== 5) {
    report('must have five fields: minute hour dayOfMonth month dayOfWeek');
    return text;
  }
  const calendar = {} as NormalisedCalendar;
  fields.forEach((field, i) => {
    const name = CRON_FIELDS[i];
    const ranges = cronField(field, name);
    if (typeof ranges === 'string') report(`${name}: ${ranges}`);
    else calendar[name] = ranges;
  });
  if (!fields[2].startsWith('*') && !fields[4].startsWith('*')) {
    report('must not restrict both dayOfMonth and dayOfWeek: standard cron fires on days matching either, Temporal only on days matching both; write two expressions');
  }
  const never = calendar.dayOfMonth && calendar.month && neverFires(calendar);
  if (never) report(never);
  return fields.join(' ');
}

const CRON_PART = /^(\*|[A-Za-z0-9]+)(?:-([A-Za-z0-9]+))?(?:\/(\d+))?$/;

/** The ranges a cron field stands for, or why it is unusable. */
function cronField(text: string, field: CalendarField): CalendarRange[] | string {
  const spec = SPECS[field];
  // Cron, and Temporal's reading of it, take 7 for Sunday as well as 0.
  const max = field === 'dayOfWeek' ? 7 : spec.max;
  const ranges: CalendarRange[] = [];
  for (const part of text.split(',')) {
    const match = CRON_PART.exec(part);
    if (!match || (match[1] === '*' && match[2] !== undefined)) return `"${part}" is not a value, a range a-b, * or either with a step /n`;
    const [, first, last, step] = match;
    const start = first === '*' ? spec.min : cronValue(first, spec);
    if (typeof start === 'string') return start;
    // A bare start with a step runs to the end of the field (`5/15` is 5, 20, 35, 50), as in Temporal and most crons.
    const end = last !== undefined ? cronValue(last, spec) : first === '*' || step !== undefined ? max : start;
    if (typeof end === 'string') return end;
    const range = checkRange({ start, end, step: step === undefined ? 1 : Number(step) }, spec, max);
    if (typeof range === 'string') return range;
    ranges.push(range);
  }
  return ranges;
}

function cronValue(token: string, spec: FieldSpec): number | string {
  if (/^\d+$/.test(token)) return Number(token);
  const index = spec.names?.indexOf(token.toUpperCase()) ?? -1;
  if (index >= 0) return spec.min + index;
  return `"${token}" is not a number${spec.names ? ` or one of ${spec.names.join(', ')}` : ''}`;
}

function checkTimeZone(zone: string, problems: ScheduleProblem[]): string {
  // Newer ICU versions accept offsets such as +01:00, which Temporal's time zone database does not.
  if (!/^[A-Za-z]/.test(zone) || !isTimeZone(zone)) {
    problems.push({ field: 'timeZone', message: 'is not an IANA time zone (e.g. Europe/London)' });
    return zone;
  }
  // Temporal loads zones by file name, case-sensitively: europe/london must become Europe/London. Other differences
  // (ICU maps the link US/Pacific to America/Los_Angeles) are left alone: Temporal resolves links itself.
  const canonical = new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
  return canonical.toLowerCase() === zone.toLowerCase() ? canonical : zone;
}

/** The duration in milliseconds; NaN when it is not a positive duration of fixed length (problems tell why). */
function fixedDuration(value: string, field: string, problems: ScheduleProblem[]): DurationValue {
  if (typeof value !== 'string' || !isDuration(value)) {
    problems.push({ field, message: 'must be a positive ISO 8601 duration (PT30S, PT1H, P1D)' });
    return { iso: value, ms: NaN };
  }
  const { years = 0, quarters = 0, months = 0 } = Duration.fromISO(value).toObject();
  if (years || quarters || months) {
    problems.push({ field, message: 'must have a fixed length (weeks, days, hours, minutes, seconds): months and years vary; use a calendar for those' });
    return { iso: value, ms: NaN };
  }
  return { iso: value, ms: Duration.fromISO(value).toMillis() };
}

/** Temporal counts intervals in whole seconds and would drop the fraction. */
function wholeSeconds(duration: DurationValue, field: string, problems: ScheduleProblem[]): DurationValue {
  if (Number.isFinite(duration.ms) && duration.ms % 1000 !== 0) problems.push({ field, message: 'must be a whole number of seconds' });
  return duration;
}

function instant(value: string, field: string, problems: ScheduleProblem[]): string {
  if (!isInstant(value)) {
    problems.push({ field, message: 'must be an ISO 8601 instant with a time zone offset (2026-01-01T00:00:00Z)' });
    return value;
  }
  return new Date(value).toISOString();
}
