import { DateTime, Duration } from 'luxon';
import { EEA_COUNTRIES, ISO_COUNTRIES, isSubdivisionOf } from './countries';

/**
 * Renewal policies: how long a consent for a purpose lasts in a jurisdiction, when to ask for renewal and how often to
 * remind. Durations are ISO 8601 (`P13M`, `P2Y`, `P30D`, or `PT30S` for tests). Months are calendar months: a consent
 * given on 31 January for one month lasts until the end of February (the date does not exist, so the month's last day
 * counts — the rule of EU Reg. 1182/71 Art. 3(2)(c)).
 *
 * The law as data (see the README's consent section): GDPR sets no fixed term, so "refresh at appropriate intervals"
 * is an organisation's choice; CNIL expects cookie consent renewed at least every 13 months; CASL implied consent lasts
 * 2 years from a purchase and 6 months from an inquiry; express consent lasts until withdrawn.
 */
export type ConsentType = 'express' | 'implied-purchase' | 'implied-inquiry';

export interface RenewalPolicy {
  /** `default`, `EEA`, a country (`FR`) or a subdivision (`US-CA`): the most specific match applies. */
  jurisdiction: string;
  /** Applies only to consents of this type; omitted: any type. */
  consentType?: ConsentType;
  /** How long the consent lasts; null: until withdrawn. */
  validFor: string | null;
  /** How long before expiry the renewal request goes out. */
  renewBefore?: string;
  /** Reminders after the renewal request, spaced `every` apart, never at or after expiry. */
  reminders?: { count: number; every: string };
  /** Where the rule comes from (a citation or an internal policy id), shown to users. */
  source?: string;
}

export interface ConsentSchedule {
  expiresAt: string | null;
  renewalAt: string | null;
  reminderAts: string[];
}

const CONSENT_TYPES: readonly ConsentType[] = ['express', 'implied-purchase', 'implied-inquiry'];
const MAX_REMINDERS = 100;

/** A positive ISO 8601 duration. Every component must be non-negative: `P1M-29D` "adds up" to a day in milliseconds,
 *  yet from 1 February it ends on 31 January, before it began. */
export function isDuration(value: string): boolean {
  const duration = Duration.fromISO(value);
  return duration.isValid && Object.values(duration.toObject()).every((n) => n >= 0) && duration.toMillis() > 0;
}

function isJurisdiction(value: string): boolean {
  if (value === 'default' || value === 'EEA') return true;
  if (ISO_COUNTRIES.has(value)) return true;
  const country = value.slice(0, 2);
  return ISO_COUNTRIES.has(country) && isSubdivisionOf(value, country);
}

/** Why the policy is unusable, by field, or an empty list. */
export function policyProblems(policy: RenewalPolicy, path: string): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  // ISO codes only: a policy for "UK" would be accepted and then never match anyone (subjects in Britain are GB).
  if (!isJurisdiction(policy.jurisdiction)) problems.push({ field: `${path}.jurisdiction`, message: 'must be default, EEA, an ISO country code (FR) or an ISO subdivision code (US-CA)' });
  if (policy.consentType !== undefined && !CONSENT_TYPES.includes(policy.consentType)) problems.push({ field: `${path}.consentType`, message: `must be one of ${CONSENT_TYPES.join(', ')}, or omitted for any type` });
  if (policy.validFor !== null && !isDuration(policy.validFor)) problems.push({ field: `${path}.validFor`, message: 'must be a positive ISO 8601 duration (P13M, P2Y, PT30S) or null' });
  if (policy.renewBefore !== undefined && !isDuration(policy.renewBefore)) problems.push({ field: `${path}.renewBefore`, message: 'must be a positive ISO 8601 duration' });
  if (policy.reminders) {
    const { count } = policy.reminders;
    if (!Number.isInteger(count) || count < 0 || count > MAX_REMINDERS) problems.push({ field: `${path}.reminders.count`, message: `must be a whole number from 0 to ${MAX_REMINDERS}` });
    if (!isDuration(policy.reminders.every)) problems.push({ field: `${path}.reminders.every`, message: 'must be a positive ISO 8601 duration' });
  }
  if (policy.validFor === null) {
    if (policy.renewBefore !== undefined) problems.push({ field: `${path}.renewBefore`, message: 'a consent that never expires has nothing to renew' });
    if (policy.reminders) problems.push({ field: `${path}.reminders`, message: 'a consent that never expires has nothing to renew' });
  } else if (policy.reminders && policy.renewBefore === undefined) {
    // Reminders follow the renewal request; without one, scheduleFor would silently send none.
    problems.push({ field: `${path}.reminders`, message: 'reminders follow the renewal request: set renewBefore too' });
  }
  return problems;
}

/** The policy for a subject in `country`/`region` and a consent of `type`: most specific jurisdiction first. */
export function resolvePolicy(policies: RenewalPolicy[], where: { country: string; region?: string }, type: ConsentType): RenewalPolicy | undefined {
  const rank = (p: RenewalPolicy): number => {
    const place =
      p.jurisdiction === where.region ? 4 : p.jurisdiction === where.country ? 3 : p.jurisdiction === 'EEA' && EEA_COUNTRIES.has(where.country) ? 2 : p.jurisdiction === 'default' ? 1 : 0;
    if (place === 0) return -1;
    if (p.consentType !== undefined && p.consentType !== type) return -1;
    // A policy naming the consent type beats a general one of the same place.
    return place * 2 + (p.consentType === type ? 1 : 0);
  };
  let best: RenewalPolicy | undefined;
  for (const policy of policies) if (rank(policy) >= 0 && (!best || rank(policy) > rank(best))) best = policy;
  return best;
}

/**
 * When the consent expires, when the renewal request goes out, and when each reminder does. Throws a RangeError for
 * an unreadable grant time or duration: a schedule of nulls would mean "valid until withdrawn".
 */
export function scheduleFor(grantedAt: string, policy: RenewalPolicy): ConsentSchedule {
  if (policy.validFor === null) return { expiresAt: null, renewalAt: null, reminderAts: [] };
  const start = DateTime.fromISO(grantedAt, { zone: 'utc' });
  if (!start.isValid) throw new RangeError(`grantedAt "${grantedAt}" is not an ISO 8601 timestamp`);
  const expires = start.plus(duration(policy.validFor, 'validFor'));
  if (!policy.renewBefore) return { expiresAt: iso(expires), renewalAt: null, reminderAts: [] };
  // A renewal window longer than the consent itself opens at once.
  const renewal = DateTime.max(start, expires.minus(duration(policy.renewBefore, 'renewBefore')));
  const reminderAts: string[] = [];
  if (policy.reminders) {
    const every = duration(policy.reminders.every, 'reminders.every');
    let at = renewal;
    for (let n = 0; n < policy.reminders.count; n += 1) {
      at = at.plus(every);
      if (at >= expires) break;
      reminderAts.push(iso(at));
    }
  }
  return { expiresAt: iso(expires), renewalAt: iso(renewal), reminderAts };
}

function duration(value: string, field: string): Duration {
  if (!isDuration(value)) throw new RangeError(`policy ${field} "${value}" is not a positive ISO 8601 duration`);
  return Duration.fromISO(value);
}

function iso(value: DateTime): string {
  return value.toUTC().toISO() as string;
}
