/**
 * Period arithmetic for legal clocks: from an anchor instant and a clock (amount, unit, counting convention,
 * roll-forward) to the instant the period ends, with every step written out so a responder can check it by hand.
 *
 * Hours are counted as elapsed time in UTC, so a clock running over a daylight-saving change still lasts exactly its
 * hours. Days, months and business days are counted on the local calendar of the rule's zone, and a day ends at the
 * next local midnight (or at `dayEndsAt`), wherever daylight saving puts that in UTC.
 *
 * Pure and deterministic: no clock, no I/O.
 */
import { DateTime } from 'luxon';
import { addDays, isWorkingDay, nextWorkingDay, nonWorkingReason, nthWorkingDayAfter, type HolidayCalendar } from './calendars';
import type { Clock } from './types';

export interface PeriodEnd {
  dueAt: string;
  steps: string[];
}

export interface PeriodContext {
  zone: string;
  calendar: HolidayCalendar;
  /** The anchor is the end of a calendar year: its last counted day is 31 December, not 1 January. */
  yearEnd?: boolean;
}

const iso = (t: DateTime): string => t.toUTC().toISO() as string;
const localLabel = (t: DateTime): string => `${t.toFormat('ccc yyyy-MM-dd HH:mm')} ${t.zoneName}`;

/** The first instant of a local date in a zone (midnight, or the first valid time if midnight was skipped). */
function startOfLocalDay(date: string, zone: string): DateTime {
  return DateTime.fromISO(date, { zone }).startOf('day');
}

function endOfLocalDay(date: string, zone: string, dayEndsAt?: string): DateTime {
  if (dayEndsAt) return DateTime.fromISO(`${date}T${dayEndsAt}`, { zone });
  return startOfLocalDay(addDays(date, 1), zone);
}

function rollDay(date: string, clock: Clock, ctx: PeriodContext, steps: string[]): string {
  if (clock.roll === 'none' || isWorkingDay(ctx.calendar, date)) return date;
  const next = nextWorkingDay(ctx.calendar, date);
  steps.push(`${date} is not a working day (${nonWorkingReason(ctx.calendar, date)}, ${ctx.calendar.name}): the period moves to ${next}.`);
  return next;
}

function hoursEnd(anchor: DateTime, clock: Clock, ctx: PeriodContext, steps: string[]): DateTime {
  const end = anchor.plus({ hours: clock.amount });
  steps.push(`${clock.amount} hours of elapsed time later: ${localLabel(end)}.`);
  if (clock.counting === 'eu-1182-71') {
    // Reg. 1182/71 Art. 3(1) does not count the hour in which the event happened, which can leave up to an hour more.
    // Regulators state these clocks as plain hours from awareness, so the engine works to the earlier instant.
    const latest = anchor.startOf('hour').plus({ hours: 1 + clock.amount });
    if (latest > end) steps.push(`Reg. 1182/71 Art. 3(1) would not count the hour of the event (period ending ${localLabel(latest)}); the earlier, elapsed-time reading is used.`);
  }
  const day = end.toISODate() as string;
  if (clock.roll === 'next-working-day-noon' && !isWorkingDay(ctx.calendar, day)) {
    const next = nextWorkingDay(ctx.calendar, day);
    steps.push(`${day} is not a working day (${nonWorkingReason(ctx.calendar, day)}, ${ctx.calendar.name}): the deadline moves to noon on ${next}.`);
    return DateTime.fromISO(`${next}T12:00`, { zone: ctx.zone });
  }
  return end;
}

function lastDayOf(anchorDate: string, clock: Clock, ctx: PeriodContext, steps: string[]): string {
  switch (clock.unit) {
    case 'days': {
      const last = addDays(anchorDate, clock.amount);
      steps.push(`The day of the event (${anchorDate}) is not counted; day ${clock.amount} is ${last}.`);
      return last;
    }
    case 'months': {
      // Luxon clamps to the month's last day when the date does not exist (31 January + 1 month = 28/29 February),
      // which is exactly Reg. 1182/71 Art. 3(2)(c).
      const last = DateTime.fromISO(anchorDate, { zone: 'UTC' }).plus({ months: clock.amount }).toISODate() as string;
      steps.push(`${clock.amount} month(s) after ${anchorDate} ends on ${last} (same date, or the month's last day when there is none).`);
      return last;
    }
    case 'business-days': {
      const last = nthWorkingDayAfter(ctx.calendar, anchorDate, clock.amount);
      const skipped: string[] = [];
      for (let d = addDays(anchorDate, 1); d < last; d = addDays(d, 1)) {
        const why = nonWorkingReason(ctx.calendar, d);
        if (why && why !== 'Saturday' && why !== 'Sunday') skipped.push(`${d} ${why}`);
      }
      steps.push(
        `Business days are counted from the day after ${anchorDate} (${ctx.calendar.name})` +
          `${skipped.length ? `, skipping ${skipped.join(', ')}` : ''}; business day ${clock.amount} is ${last}.`,
      );
      return last;
    }
    default:
      throw new Error(`unit ${clock.unit} is not counted in days`);
  }
}

/** When a period that starts at `anchorIso` ends under `clock`. */
export function periodEnd(anchorIso: string, clock: Clock, ctx: PeriodContext): PeriodEnd {
  const steps: string[] = [];
  const anchor = DateTime.fromISO(anchorIso, { zone: ctx.zone });
  if (!anchor.isValid) throw new Error(`invalid anchor instant ${anchorIso}`);
  if (clock.unit === 'hours') {
    return { dueAt: iso(hoursEnd(anchor, clock, ctx, steps)), steps };
  }
  if (clock.unit === 'asap') throw new Error('an asap clock has no period');
  const anchorDate = (ctx.yearEnd ? anchor.minus({ milliseconds: 1 }) : anchor).toISODate() as string;
  const counted = lastDayOf(anchorDate, clock, ctx, steps);
  const last = rollDay(counted, clock, ctx, steps);
  if (clock.roll === 'next-working-day-noon' && last !== counted) {
    const noon = DateTime.fromISO(`${last}T12:00`, { zone: ctx.zone });
    steps.push(`Due at noon: ${localLabel(noon)}.`);
    return { dueAt: iso(noon), steps };
  }
  const end = endOfLocalDay(last, ctx.zone, clock.dayEndsAt);
  steps.push(clock.dayEndsAt ? `Due by ${clock.dayEndsAt} local time on ${last}: ${localLabel(end)}.` : `Due by the end of ${last}: ${localLabel(end)}.`);
  return { dueAt: iso(end), steps };
}

/** The end of the calendar year containing an instant, in a zone: the anchor of year-end clocks (HIPAA's log). */
export function yearEndAfter(instantIso: string, zone: string): string {
  return iso(DateTime.fromISO(instantIso, { zone }).startOf('year').plus({ years: 1 }));
}

/** Adds an extension to a due instant: hours as elapsed time, days and months on the local calendar. */
export function extend(dueIso: string, amount: number, unit: 'hours' | 'days' | 'business-days' | 'months', ctx: PeriodContext): string {
  const due = DateTime.fromISO(dueIso, { zone: ctx.zone });
  if (unit === 'hours') return iso(due.plus({ hours: amount }));
  // A due instant at local midnight is the end of the day before: count from that day and end at the end of the last
  // day (end of Friday + 1 business day = end of Monday, not its start; end of 30 April + 1 month = end of 30 May).
  if (due.toMillis() === due.startOf('day').toMillis() && unit !== 'days') {
    const lastDay = addDays(due.toISODate() as string, -1);
    const date =
      unit === 'business-days'
        ? nthWorkingDayAfter(ctx.calendar, lastDay, amount)
        : (DateTime.fromISO(lastDay, { zone: 'UTC' }).plus({ months: amount }).toISODate() as string);
    return iso(endOfLocalDay(date, ctx.zone));
  }
  if (unit === 'business-days') {
    const date = nthWorkingDayAfter(ctx.calendar, due.toISODate() as string, amount);
    return iso(DateTime.fromISO(`${date}T${due.toFormat('HH:mm:ss')}`, { zone: ctx.zone }));
  }
  return iso(due.plus(unit === 'days' ? { days: amount } : { months: amount }));
}
