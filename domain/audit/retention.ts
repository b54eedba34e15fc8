/**
 * Retention as data: how long each kind of record is kept after the date its period starts from, and why. GDPR
 * Art. 5(1)(e) (storage limitation) forbids keeping personal data longer than its purpose needs; the periods below are
 * defaults an organisation replaces with its own retention schedule through per-rule overrides.
 *
 * Periods are ISO 8601 durations added in UTC as calendar periods: two years after 29 February 2024 ends on
 * 28 February 2026 (the day does not exist, so the month's last day counts — EU Reg. 1182/71 Art. 3(2)(c)). A record
 * is kept past its period once the period's end instant has passed.
 */
import { DateTime, Duration } from 'luxon';
import { isDuration } from '../consent-policy';
import { isInstant } from '../vendor/dates';
import type { FindingDraft, RecordType } from './types';

export interface RetentionRule {
  id: string;
  recordType: RecordType;
  /** The collection the records live in. */
  collection: string;
  /** The field the period starts from; a record without it has not started its period. */
  dateField: string;
  /** ISO 8601 duration. */
  keepFor: string;
  /** Why the period is as long as it is, shown to the people who may change it. */
  reason: string;
  /**
   * Which records of the collection the rule covers, when not all of them: those whose `field` holds one of `in`.
   * The caller selects them (it is a plain filter on the collection); `inspectRetention` sees only the date.
   */
  appliesWhen?: { field: string; in: readonly string[] };
}

export const RETENTION_RULES: readonly RetentionRule[] = [
  {
    // CNIL's recommendation on logging (délibération 2021-122) puts six months to a year for security logs, and up
    // to three years where the logs serve documented internal control; this log is read by audits for exactly that.
    id: 'access-log',
    recordType: 'access-log',
    collection: 'access_log',
    dateField: 'at',
    keepFor: 'P2Y',
    reason:
      'Who accessed personal data is reviewed by audits (GDPR Art. 5(2), 32(1)(d)): two years lets one audit compare with the year before; entries hold client addresses, so no longer (Art. 5(1)(e)).',
  },
  {
    // Limitation periods for a claim about processing the consent allowed: 6 years in England and Wales (Limitation
    // Act 1980 s. 2, s. 5), 5 in France (Code civil art. 2224), 3 from the year's end in Germany (BGB §§ 195, 199).
    // The longest of them is the default, so the proof is still there whichever applies.
    id: 'ended-consent',
    recordType: 'consent',
    collection: 'consents',
    dateField: 'endedAt',
    keepFor: 'P6Y',
    appliesWhen: { field: 'status', in: ['withdrawn', 'expired', 'lapsed'] },
    reason: 'An ended consent is the proof that processing while it was active was lawful (GDPR Art. 7(1)); it is kept for the limitation period of a claim about that processing.',
  },
  {
    // The register keeps no offboarding date; an offboarded vendor is not written again (re-engaging it changes its
    // status), so its last update is when offboarding ended.
    id: 'offboarded-vendor',
    recordType: 'vendor',
    collection: 'vendors',
    dateField: 'updatedAt',
    keepFor: 'P6Y',
    appliesWhen: { field: 'status', in: ['offboarded'] },
    reason:
      "The due diligence and the proof that the vendor returned or deleted our data (GDPR Art. 28(3)(g)) answer claims under the ended contract: 6 years, the contract limitation period in England and Wales (Limitation Act 1980 s. 5). The vendor's contacts are personal data, so no longer.",
  },
];

/** Per-rule replacements of `keepFor`, by rule id. */
export type RetentionOverrides = Readonly<Record<string, string>>;

/** Why the overrides are unusable, by field (the rule id), or an empty list. */
export function retentionOverrideProblems(overrides: RetentionOverrides): { field: string; message: string }[] {
  return Object.entries(overrides).flatMap(([id, keepFor]) => {
    // An override of a misspelt rule would otherwise be ignored in silence, and the default kept.
    if (!RETENTION_RULES.some((r) => r.id === id)) return [{ field: id, message: `no retention rule is called ${id}; the rules are ${RETENTION_RULES.map((r) => r.id).join(', ')}` }];
    return isDuration(keepFor) ? [] : [{ field: id, message: 'must be a positive ISO 8601 duration (P2Y, P18M, P90D)' }];
  });
}

function instant(value: string, field: string): DateTime {
  if (!isInstant(value)) throw new RangeError(`${field} "${value}" is not an ISO 8601 timestamp`);
  return DateTime.fromISO(value, { zone: 'utc' });
}

/**
 * A `retention-exceeded` finding when the record is kept past its period at `now`, else none. `record.at` is the
 * value of the rule's date field; undefined means the period has not started (a consent that has not ended).
 */
export function inspectRetention(rule: RetentionRule, record: { id: string; at: string | undefined }, now: string, overrides: RetentionOverrides = {}): FindingDraft[] {
  const nowAt = instant(now, 'now');
  const keepFor = overrides[rule.id] ?? rule.keepFor;
  if (!isDuration(keepFor)) throw new RangeError(`keepFor "${keepFor}" of retention rule ${rule.id} is not a positive ISO 8601 duration`);
  if (record.at === undefined) return [];
  const keptUntil = instant(record.at, rule.dateField).plus(Duration.fromISO(keepFor));
  if (nowAt <= keptUntil) return [];
  return [
    {
      check: 'retention',
      rule: 'retention-exceeded',
      severity: 'medium',
      recordType: rule.recordType,
      recordIds: [record.id],
      recommendation: 'Delete or anonymise the record, or record the legal hold that requires keeping it longer.',
      detail: { rule: rule.id, keepFor, keptUntil: keptUntil.toISO() as string },
    },
  ];
}
