/**
 * When to chase a vendor about an unanswered questionnaire: reminders to the vendor every so often, one escalation to
 * our internal owner, and the instant the questionnaire's link expires. Durations are ISO 8601 (`P7D`, `P1M`, or
 * `PT30S` for tests), like the consent renewal policies: calendar units stay calendar units, so `P1M` from 31 January
 * ends on the last day of February. The n-th reminder is `sentAt + n × remindEvery`, counted from `sentAt` each time
 * so that month-end clamping does not drift from one reminder to the next.
 *
 * Nothing is scheduled at or after the expiry: a reminder for a link that no longer works only confuses the vendor.
 */
import { DateTime, Duration } from 'luxon';
import { isDuration } from '../consent-policy';

export interface QuestionnaireTiming {
  remindEvery: string;
  maxReminders: number;
  escalateAfter: string;
  expiresAfter: string;
}

export const DEFAULT_QUESTIONNAIRE_TIMING: QuestionnaireTiming = { remindEvery: 'P7D', maxReminders: 3, escalateAfter: 'P14D', expiresAfter: 'P30D' };

export const MAX_REMINDERS = 52;

export interface QuestionnaireSchedule {
  /** Reminders to the vendor, in order. */
  reminders: string[];
  /** The escalation to our internal owner. */
  escalationAt: string;
  /** When the vendor's link stops working. */
  expiresAt: string;
}

/** Why the timing is unusable, by field, or an empty list. */
export function timingProblems(timing: QuestionnaireTiming): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  for (const field of ['remindEvery', 'escalateAfter', 'expiresAfter'] as const) {
    if (!isDuration(timing[field])) problems.push({ field, message: 'must be a positive ISO 8601 duration (P7D, P1M, PT30S)' });
  }
  if (!Number.isInteger(timing.maxReminders) || timing.maxReminders < 0 || timing.maxReminders > MAX_REMINDERS) {
    problems.push({ field: 'maxReminders', message: `must be a whole number from 0 to ${MAX_REMINDERS}` });
  }
  if (problems.length === 0 && longest(timing.escalateAfter) >= shortest(timing.expiresAfter)) {
    problems.push({ field: 'escalateAfter', message: 'must come before expiresAfter in every month: an escalation after expiry chases a questionnaire nobody can answer' });
  }
  return problems;
}

/** The schedule for a questionnaire sent at `sentAt`. Throws a RangeError for an unusable timing or instant. */
export function questionnaireSchedule(sentAt: string, timing: QuestionnaireTiming): QuestionnaireSchedule {
  const start = DateTime.fromISO(sentAt, { zone: 'utc' });
  if (!start.isValid) throw new RangeError(`sentAt "${sentAt}" is not an ISO 8601 timestamp`);
  const problems = timingProblems(timing);
  if (problems.length) throw new RangeError(problems.map((p) => `${p.field} ${p.message}`).join('; '));
  const every = Duration.fromISO(timing.remindEvery);
  const expires = start.plus(Duration.fromISO(timing.expiresAfter));
  const escalation = start.plus(Duration.fromISO(timing.escalateAfter));
  const reminders: string[] = [];
  for (let n = 1; n <= timing.maxReminders; n += 1) {
    const at = start.plus(every.mapUnits((x) => x * n));
    if (at >= expires) break;
    reminders.push(iso(at));
  }
  return { reminders, escalationAt: iso(escalation), expiresAt: iso(expires) };
}

const DAY = 86_400_000;

/**
 * The shortest and longest a duration can last, whatever it starts from: a month lasts 28 to 31 days, a year 365 or
 * 366. Comparing the longest escalation with the shortest expiry accepts a timing only if it works from any sentAt.
 */
function span(value: string, longest: boolean): number {
  const { years = 0, quarters = 0, months = 0, weeks = 0, days = 0, hours = 0, minutes = 0, seconds = 0, milliseconds = 0 } = Duration.fromISO(value).toObject();
  const monthDays = longest ? 31 : 28;
  const yearDays = longest ? 366 : 365;
  return (years * yearDays + (quarters * 3 + months) * monthDays + weeks * 7 + days) * DAY + ((hours * 60 + minutes) * 60 + seconds) * 1000 + milliseconds;
}

const longest = (value: string): number => span(value, true);
const shortest = (value: string): number => span(value, false);

function iso(value: DateTime): string {
  return value.toUTC().toISO() as string;
}
