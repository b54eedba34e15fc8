/**
 * The data-accuracy check of one subject record, judged as stored. Records may predate `validateSubject` (migrated
 * from an older CRM, written before a rule existed), so each field is held to the rules entry validation applies:
 * what entry validation would have refused is reported for a person to correct, and what it would have normalised
 * silently is reported with the fix a cleansing run can make on its own.
 */
import { DateTime } from 'luxon';
import { ISO_COUNTRIES, isSubdivisionOf } from '../countries';
import { normaliseEmail, normalisePhone } from '../subject';
import { isInstant } from '../vendor/dates';
import { FIXES, type FindingDraft, type FixKind, type Severity } from './types';

/** A subject as decrypted from the store; every value exactly as stored, however old. */
export interface SubjectRecord {
  id: string;
  name?: string;
  email?: string;
  phone?: string;
  country?: string;
  region?: string;
  /** ISO 8601 instant of the last change to the record. */
  updatedAt: string;
}

export interface AccuracyOptions {
  /** ISO 8601 instant the audit runs at. */
  now: string;
  /** Records not updated for more than this many calendar months are stale. */
  staleAfterMonths: number;
}

export type AccuracyRule =
  | 'email-invalid'
  | 'email-not-normalised'
  | 'phone-invalid'
  | 'phone-not-e164'
  | 'contact-missing'
  | 'country-missing'
  | 'country-invalid'
  | 'country-not-normalised'
  | 'region-invalid'
  | 'stale-record'
  | 'updated-at-invalid';

export const ACCURACY_RULES: Readonly<Record<AccuracyRule, { severity: Severity; recommendation: string; fix?: FixKind }>> = {
  'email-invalid': { severity: 'medium', recommendation: 'Correct the e-mail address with the subject, or remove it: messages to it cannot be delivered.' },
  'email-not-normalised': {
    severity: 'low',
    recommendation: 'Store the e-mail address trimmed and lower-cased, so that look-ups and duplicate detection find it.',
    fix: 'email-normalise',
  },
  'phone-invalid': {
    severity: 'medium',
    recommendation: "Correct the phone number with the subject (in E.164, e.g. +4930123456), or remove it; a national number needs the subject's country.",
  },
  'phone-not-e164': { severity: 'low', recommendation: 'Store the phone number in E.164, so that look-ups and duplicate detection find it.', fix: 'phone-e164' },
  'contact-missing': { severity: 'medium', recommendation: 'Record an e-mail address or a phone number: without either the subject cannot be contacted.' },
  // The country decides which law and which consent policy apply: without it the subject's consents cannot be judged.
  'country-missing': { severity: 'high', recommendation: "Record the subject's country (ISO 3166-1 alpha-2, e.g. DE)." },
  'country-invalid': { severity: 'medium', recommendation: "Correct the country to the subject's ISO 3166-1 alpha-2 code (e.g. GB, not UK)." },
  'country-not-normalised': { severity: 'low', recommendation: 'Store the country code trimmed and upper-cased.', fix: 'country-case' },
  // Policies match regions by exact code, so a lower-case or foreign region silently falls back to the country's policy.
  'region-invalid': { severity: 'low', recommendation: "Correct the region to an upper-case ISO 3166-2 code of the subject's country (e.g. US-CA), or remove it." },
  'stale-record': { severity: 'low', recommendation: 'Confirm the record with the subject, or erase it if it is no longer needed (storage limitation).' },
  'updated-at-invalid': { severity: 'low', recommendation: 'Set the time of the last update: without it the record can never be found stale.' },
};

type FixableField = 'email' | 'phone' | 'country';

/** Each field a cleansing run may fix, with the rules for a value that cannot be read and one that can be fixed. */
const FIXABLE: Readonly<Record<FixKind, { field: FixableField; invalid: AccuracyRule; fixable: AccuracyRule }>> = {
  'email-normalise': { field: 'email', invalid: 'email-invalid', fixable: 'email-not-normalised' },
  'phone-e164': { field: 'phone', invalid: 'phone-invalid', fixable: 'phone-not-e164' },
  'country-case': { field: 'country', invalid: 'country-invalid', fixable: 'country-not-normalised' },
};

function present(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== '';
}

/** The stored country as an ISO code, or undefined when it is missing or not a code. */
function countryCode(stored: string | undefined): string | undefined {
  const code = stored?.trim().toUpperCase();
  return code !== undefined && ISO_COUNTRIES.has(code) ? code : undefined;
}

/** The value as entry validation would store it, or undefined when it would refuse it. */
function normalised(kind: FixKind, value: string, country: string | undefined): string | undefined {
  switch (kind) {
    case 'email-normalise':
      return normaliseEmail(value);
    case 'phone-e164':
      return normalisePhone(value, countryCode(country));
    case 'country-case':
      return countryCode(value);
  }
}

/**
 * The value a cleansing run writes for `value`; undefined when nothing can be written without a person deciding, or
 * when the value is already as it should be. `country` is the record's stored country, to read national numbers.
 */
export function fixValue(kind: FixKind, value: string, country?: string): string | undefined {
  const fixed = normalised(kind, value, country);
  return fixed === value ? undefined : fixed;
}

export interface ProposedFix {
  field: FixableField;
  fix: FixKind;
  before: string;
  after: string;
}

/** The fixes a cleansing run would make to the record, in the order of `FIXES`. */
export function proposeFixes(record: SubjectRecord): ProposedFix[] {
  return FIXES.flatMap((fix) => {
    const { field } = FIXABLE[fix];
    const before = record[field];
    const after = before === undefined ? undefined : fixValue(fix, before, record.country);
    return before === undefined || after === undefined ? [] : [{ field, fix, before, after }];
  });
}

// An audit inspects millions of records against one `now`: checking it once per distinct value keeps luxon off the
// per-record path.
let checkedNow: string | undefined;

/** `Date#toISOString` output, which is what the store gives: valid exactly when it reads back the same. */
function isCanonicalInstant(value: string): boolean {
  const ms = Date.parse(value);
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(value) && !Number.isNaN(ms) && new Date(ms).toISOString() === value;
}

const DAY_MS = 86_400_000;

/**
 * Whether `now` is past `updatedAt` plus `months` calendar months, in UTC, added the way luxon adds them: a month
 * after 31 January ends on 28 (or 29) February at the same time of day. A month is 28 to 31 days, so most records
 * are decided by milliseconds alone; only those within that margin need the calendar.
 */
function isStale(updatedAt: string, now: string, months: number): boolean {
  const elapsed = Date.parse(now) - Date.parse(updatedAt);
  if (elapsed > months * 31 * DAY_MS) return true;
  if (elapsed <= months * 28 * DAY_MS) return false;
  return DateTime.fromISO(now, { zone: 'utc' }) > DateTime.fromISO(updatedAt, { zone: 'utc' }).plus({ months });
}

export function inspectSubject(record: SubjectRecord, options: AccuracyOptions): FindingDraft[] {
  if (options.now !== checkedNow) {
    if (!isInstant(options.now)) throw new RangeError(`now "${options.now}" is not an ISO 8601 timestamp`);
    checkedNow = options.now;
  }
  if (!Number.isInteger(options.staleAfterMonths) || options.staleAfterMonths < 0) throw new RangeError('staleAfterMonths must be a whole number, 0 or more');
  const findings: FindingDraft[] = [];
  const report = (rule: AccuracyRule, detail: NonNullable<FindingDraft['detail']>): void => {
    const { severity, recommendation, fix } = ACCURACY_RULES[rule];
    findings.push({ check: 'data-accuracy', rule, severity, recordType: 'subject', recordIds: [record.id], recommendation, detail, ...(fix && { fix }) });
  };

  for (const kind of FIXES) {
    const { field, invalid, fixable } = FIXABLE[kind];
    const value = record[field];
    if (!present(value)) continue;
    const fixed = normalised(kind, value, record.country);
    if (fixed === undefined) report(invalid, { field });
    else if (fixed !== value) report(fixable, { field });
  }
  if (!present(record.email) && !present(record.phone)) report('contact-missing', { fields: 'email, phone' });
  if (!present(record.country)) report('country-missing', { field: 'country' });

  if (present(record.region)) {
    // With no usable country, the region can only be checked against its own prefix; the country finding already
    // sends a person to the record, and the next audit checks the region against the corrected country.
    const country = countryCode(record.country) ?? record.region.slice(0, 2);
    if (!ISO_COUNTRIES.has(country) || !isSubdivisionOf(record.region, country)) report('region-invalid', { field: 'region' });
  }

  if (!isCanonicalInstant(record.updatedAt) && !isInstant(record.updatedAt)) {
    report('updated-at-invalid', { field: 'updatedAt' });
  } else if (isStale(record.updatedAt, options.now, options.staleAfterMonths)) {
    const updated = DateTime.fromISO(record.updatedAt, { zone: 'utc' });
    // `months` is how long the record has gone unchanged (whole months), not the threshold the scope already holds.
    const months = Math.floor(DateTime.fromISO(options.now, { zone: 'utc' }).diff(updated, 'months').months);
    report('stale-record', { updatedAt: updated.toISODate() as string, months });
  }
  return findings;
}
