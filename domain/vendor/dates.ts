/**
 * The kinds of time the vendor records hold: ISO dates as printed on documents, ISO 8601 instants for everything the
 * system does, and date references (`DateRef`) in questionnaire conditions. All are checked strictly, so that
 * `2026-02-30` is refused instead of rolling over.
 */
import { DateTime, Duration } from 'luxon';
import { isDuration } from '../consent-policy';

export function isIsoDate(value: unknown): value is string {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && DateTime.fromISO(value, { zone: 'utc' }).isValid;
}

/**
 * A full timestamp with a date, a time and an offset. A bare date is a day, not an instant; a time without an offset
 * would be read in the server's own zone, so the same record would mean different instants on different machines.
 */
export function isInstant(value: unknown): value is string {
  return typeof value === 'string' && /T.*(Z|[+-]\d{2}:?\d{2})$/.test(value) && DateTime.fromISO(value, { setZone: true }).isValid;
}

const RELATIVE = /^relative:(?:now|([+-]?)(P.+))$/;

/** An ISO date, `relative:now`, or `relative:` and a signed, positive ISO 8601 duration. */
export function isDateRef(ref: unknown): ref is string {
  if (isIsoDate(ref)) return true;
  const match = typeof ref === 'string' ? RELATIVE.exec(ref) : null;
  return match !== null && (match[2] === undefined || isDuration(match[2]));
}

/** The ISO date a `DateRef` stands for at `now` (in UTC). Throws a RangeError for anything else. */
export function resolveDateRef(ref: string, now: string): string {
  if (!isDateRef(ref)) throw new RangeError(`"${ref}" is not a date reference`);
  if (isIsoDate(ref)) return ref;
  const at = DateTime.fromISO(now, { zone: 'utc' });
  if (!at.isValid) throw new RangeError(`now "${now}" is not an ISO 8601 timestamp`);
  const [, sign, duration] = RELATIVE.exec(ref) as RegExpExecArray;
  if (duration === undefined) return at.toISODate() as string;
  const d = Duration.fromISO(duration);
  return (sign === '-' ? at.minus(d) : at.plus(d)).toISODate() as string;
}
